/*
  PHP web-shell families: file-manager shells (WSO/FilesMan, c99, r57, b374k), encrypted agents
  (Weevely, Godzilla, Behinder/IceScorpion, AntSword), and generic shell tool-kit traits.
*/

rule WSA_Php_WSO_FilesMan
{
    meta:
        id = "WSA-PHP-030"
        description = "WSO / FilesMan file-manager shell: its action dispatcher and helper-function names"
        family = "WSO"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/tennc/webshell"
        mitre_attack = "T1505.003"
    strings:
        $a1 = "FilesMan" ascii
        $a2 = "wsoHeader" ascii
        $a3 = "wsoFooter" ascii
        $a4 = "wsoSecParam" ascii
        $a5 = "wsoEx(" ascii
        $a6 = "actionSecInfo" ascii
        $a7 = "actionBruteforce" ascii nocase
        $a8 = "actionFilesTools" ascii
        $a9 = "actionStringTools" ascii
        $a10 = "actionSelfRemove" ascii
        $a11 = "WSOsetcookie" ascii nocase
        $a12 = "wsoPerms" ascii
        $a13 = "wsoLogin" ascii
    condition:
        filesize < 2MB and 2 of them
}

rule WSA_Php_C99_Shell
{
    meta:
        id = "WSA-PHP-031"
        description = "c99 shell and derivatives (c99madshell, c100, Locus7 mods): its c99sh_* helper and variable names"
        family = "c99"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/tennc/webshell"
        mitre_attack = "T1505.003"
    strings:
        $a1 = "c99shell" nocase
        $a2 = "c99_sess_put" nocase
        $a3 = "c99shexit" nocase
        $a4 = "c99fsearch" nocase
        $a5 = "c99_buff_prepare" nocase
        $a6 = "c99sh_" nocase
        $a7 = "c99getsource" nocase
        $a8 = "c99ftpbrutecheck" nocase
        $a9 = "c999sh" nocase
        $a10 = "c99_" nocase
    condition:
        filesize < 2MB and (2 of ($a1, $a2, $a3, $a4, $a5, $a6, $a7, $a8, $a9) or #a10 > 3)
}

rule WSA_Php_R57_Shell
{
    meta:
        id = "WSA-PHP-032"
        description = "r57 shell and derivatives (r57shell, RST/GHC mods): its name and its r57-prefixed helpers with shell-tool strings"
        family = "r57"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/tennc/webshell"
        mitre_attack = "T1505.003"
    strings:
        $a1 = "r57shell" nocase
        $a2 = "r57 shell" nocase
        $a3 = "r57_" nocase
        $a4 = "r57.gen.tr" nocase
        $a5 = "rst.void.ru" nocase
        $t1 = "safe_mode" nocase
        $t2 = "/etc/passwd"
        $t3 = "$_POST['cmd']" nocase
        $t4 = "uname -a"
        $t5 = "disable_functions" nocase
    condition:
        filesize < 2MB and (any of ($a1, $a2, $a4, $a5) or (#a3 > 2 and 2 of ($t*)))
}

rule WSA_Php_B374k_Shell
{
    meta:
        id = "WSA-PHP-033"
        description = "b374k shell (2.x single-file and 3.x packed builds): its name, module loader globals and packer stub"
        family = "b374k"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/b374k/b374k"
        mitre_attack = "T1505.003"
    strings:
        $a1 = "b374k" nocase
        $a2 = "$GLOBALS['module_to_load']"
        $a3 = "$GLOBALS['resources']"
        $a4 = "$GLOBALS['module']"
        $a5 = "$s_pass" 
        $a6 = "$s_func"
        $a7 = /\$GLOBALS\s{0,2}\[\s{0,2}'resources'\s{0,2}\]\s{0,2}\[\s{0,2}'\w{1,20}'\s{0,2}\]\s{0,2}=\s{0,2}"[A-Za-z0-9+\/]{50}/
    condition:
        filesize < 3MB and ($a1 or $a7 or 2 of ($a2, $a3, $a4) or #a4 > 3 or ($a5 and $a6))
}

rule WSA_Php_Weevely_Agent
{
    meta:
        id = "WSA-PHP-034"
        description = "Weevely-style agent: code string split with junk characters, joined by str_replace and run through create_function('', $code)(), or the php://input / ob_start / gzuncompress key-marker loop"
        family = "Weevely"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/epinna/weevely3"
        mitre_attack = "T1505.003"
    strings:
        // $f = $cf('', $code); $f();
        $cf = /\$[a-zA-Z_]\w{0,15}\s{0,3}=\s{0,3}\$[a-zA-Z_]\w{0,15}\s{0,3}\(\s{0,3}(''|"")\s{0,3},\s{0,3}\$[a-zA-Z_]\w{0,15}\s{0,3}\)\s{0,3};\s{0,3}\$[a-zA-Z_]\w{0,15}\s{0,3}\(\s{0,3}\)/
        $cf2 = /=\s{0,3}create_function\s{0,3}\(\s{0,3}(''|"")\s{0,3},\s{0,3}\$\w{1,30}\s{0,3}\)\s{0,3};\s{0,3}\$\w{1,30}\s{0,3}\(\s{0,3}\)/ nocase
        // str_replace('junk','', 'crjunkeate_function')
        $sr = /str_replace\s{0,3}\(\s{0,3}['"][^'"\n]{1,12}['"]\s{0,3},\s{0,3}(''|"")\s{0,3},\s{0,3}['"][^'"\n]{0,12}c[^'"\n]{0,12}r[^'"\n]{0,12}e[^'"\n]{0,12}a[^'"\n]{0,12}t[^'"\n]{0,12}e[^'"\n]{0,12}_/ nocase
        $k1 = "php://input"
        $k2 = "ob_start"
        $k3 = "gzuncompress" nocase
        $k4 = "gzcompress"
        $k5 = /\$k[hf]\s{0,2}=\s{0,2}["'][0-9a-f]{4,12}["']/
    condition:
        filesize < 200KB and ($cf or $cf2 or $sr or ($k5 and 3 of ($k1, $k2, $k3, $k4)))
}

rule WSA_Php_Godzilla_Behinder_XorAgent
{
    meta:
        id = "WSA-PHP-035"
        description = "Godzilla / Behinder (IceScorpion) PHP agent: request body or parameter XOR/AES-decrypted with a 16-byte key ($key[$i+1&15]) and evaluated, payload kept in the session"
        family = "Godzilla/Behinder"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $x1 = /\$\w{1,20}\s{0,3}\[\s{0,3}\$\w{1,5}\s{0,3}\+\s{0,3}1\s{0,3}&\s{0,3}15\s{0,3}\]/
        $x2 = "$payloadName"
        $x3 = /openssl_decrypt\s{0,3}\([^;]{0,60}["']AES-?128/ nocase
        $x4 = /class\s{1,5}\w{1,10}\s{0,3}\{\s{0,5}public\s{1,5}function\s{1,5}__invoke\s{0,3}\(\s{0,3}\$\w{1,10}\s{0,3}\)\s{0,3}\{\s{0,5}@?eval/ nocase
        $x5 = /\$_SESSION\s{0,3}\[\s{0,3}\$payloadName/
        $in = /php:\/\/input|\$_POST|\$_REQUEST|\$_COOKIE/
        $ev = /[^\w>:$](eval|assert|create_function|call_user_func)\s{0,5}\(/ nocase
        // the AES agent runs what it decrypts (a payment SDK decrypts its callbacks' fields)
        $ev2 = /[^\w>:$](eval|assert|create_function)\s{0,5}\(/ nocase
    condition:
        filesize < 100KB and (($x1 and $in and $ev) or ($x2 and $x5) or ($x3 and $in and $ev2) or $x4)
}

rule WSA_Php_AntSword_Stub
{
    meta:
        id = "WSA-PHP-036"
        description = "AntSword / Chopper client payload marker ini_set(\"display_errors\",\"0\") with set_time_limit(0) and eval of request data, as dropped or logged on the server"
        family = "AntSword"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/AntSwordProject/antSword"
        mitre_attack = "T1505.003"
    strings:
        $a1 = /@ini_set\s{0,3}\(\s{0,3}["']display_errors["']\s{0,3},\s{0,3}["']0["']\s{0,3}\)\s{0,3};\s{0,3}@set_time_limit\s{0,3}\(\s{0,3}0\s{0,3}\)/ nocase
        $a2 = "antSword" nocase
        $ev = /[^\w>:$](eval|assert)\s{0,5}\(/ nocase
        $in = /\$_(POST|GET|REQUEST|COOKIE)/
    condition:
        filesize < 200KB and (($a1 and $ev) or ($a2 and $ev and $in))
}

rule WSA_Php_ShellToolkit_Traits
{
    meta:
        id = "WSA-PHP-037"
        description = "several independent web-shell tool-kit traits in one PHP file: command box, back-connect/bind port, safe_mode and disable_functions probing, /etc/passwd and config hunting, self-remove, brute-force"
        family = "Generic file-manager shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $t1 = /back\s{0,2}-?\s{0,2}connect/ nocase
        $t2 = /bind\s{0,2}(port|shell)/ nocase
        $t3 = "/etc/passwd"
        $t4 = "uname -a"
        $t5 = /safe_?mode/ nocase
        $t6 = "disable_functions" nocase
        $t7 = "/bin/sh" 
        $t8 = "cmd.exe" nocase
        $t9 = "netstat -an"
        $t10 = /self[ _-]?(remove|delete|kill|destruct)/ nocase
        $t11 = /brute\s{0,2}-?\s{0,2}force/ nocase
        $t12 = "find / -type f -perm" nocase
        $t13 = "posix_getpwuid" nocase
        $t14 = "php_uname" nocase
        $t15 = "/etc/shadow"
        $t16 = "milw0rm" nocase
        $t17 = "locate config." nocase
        $t18 = /hack(ed)?\s{0,2}by/ nocase
        $t19 = "ps aux" 
        $t20 = "fsockopen" nocase 
        $t21 = "chmod 777" nocase
        $t22 = "/tmp/" 
        $t23 = "shell_exec" nocase
        $t24 = "passthru" nocase
        $t25 = "wget http" nocase
        $t26 = "perl -e" nocase
        $t27 = "exploit" nocase
        $t28 = "open_basedir" nocase
        $k1 = /<title>[^<]{0,80}(shell|backdoor|hack|bypass|r00t|exploit|priv8|sh3ll|symlink|kernel|back\s{0,2}connect)/ nocase
        // an "uploader" title is common in editors' upload dialogs: it counts less
        $k_u = /<title>[^<]{0,80}uploader/ nocase
        $k2 = /name\s{0,2}=\s{0,2}["']?(cmd|command|comd|exec|shell)["' >]/ nocase
        $k3 = /\$_(POST|GET|REQUEST)\s{0,2}\[\s{0,2}['"]?(cmd|command|comd|exec|shell|execute)['"]?\s{0,2}\]/ nocase
        // the command parameter only tested or set (a file manager's connector routes on its
        // "cmd" name): no command box
        $x3 = /(isset|empty)\s{0,2}\(\s{0,2}\$_(POST|GET|REQUEST)\s{0,2}\[\s{0,2}['"]?(cmd|command|comd|exec|shell|execute)['"]?\s{0,2}\]|\$_(POST|GET|REQUEST)\s{0,2}\[\s{0,2}['"]?(cmd|command|comd|exec|shell|execute)['"]?\s{0,2}\]\s{0,2}=[^=]/ nocase
        $u1 = "getcwd()" nocase
        $u2 = "fileperms"
        $u3 = "posix_getgrgid"
        $u4 = "ini_get(" nocase
        $u5 = "is_writable" nocase
        $u6 = "mysql_connect"
        $u7 = "phpinfo()" nocase
        $u8 = "2>&1"
        $u9 = "move_uploaded_file" nocase
        $u10 = /[^\w>:$](system|passthru|shell_exec|popen|proc_open)\s{0,3}\(/ nocase
        $u11 = "set_time_limit(0)" nocase
        $u12 = "error_reporting(0)" nocase
        $u13 = "ignore_user_abort" nocase
        // quiet long-running page driven by a form: set_time_limit(0) + error_reporting(0) + request + <form>
        $q1 = /\$_(GET|POST|REQUEST)/
        $q2 = /<form/ nocase
    condition:
        $php and filesize < 2MB and ((8 of ($t*) and 2 of ($t1, $t2, $t3, $t4, $t7, $t8, $t9, $t10, $t11, $t12, $t15, $t16, $t17, $t18, $t19, $t21, $t25, $t26, $t27)) or (10 of ($t*, $u*, $k*) and (($k1 or $k_u or $k2 or #k3 > #x3) or 2 of ($t1, $t2, $t3, $t4, $t7, $t8, $t9, $t10, $t11, $t12, $t15, $t16, $t17, $t18, $t19, $t21, $t25, $t26, $t27))) or (($k1 or $k_u or $k2 or #k3 > #x3) and 4 of ($t*, $u*, $k*)) or ($k1 and 2 of ($t*, $u*, $k*)) or ($k_u and 2 of ($t*, $k1, $k2, $k3) and 1 of ($u*)) or (filesize < 20KB and $u11 and $u12 and $q1 and $q2))
}

rule WSA_Php_DataTheft_DownloadPage
{
    meta:
        id = "WSA-PHP-038"
        description = "DEWMODE-style data-theft page: serves files as attachments from a base64/request-encoded path or database listing, with self-cleanup (unlink(__FILE__), sudo, rm -rf) or an access token check"
        family = "DEWMODE-style data theft"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-055a"
        mitre_attack = "T1505.003"
    strings:
        $dl1 = /(readfile|fpassthru|file_get_contents|fopen)\s{0,3}\(\s{0,3}(base64_decode|hex2bin|str_rot13|urldecode)\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE|SERVER)/ nocase
        $attachment = /Content-Disposition:\s{0,3}attachment/ nocase
        $b1 = /base64_decode\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE|SERVER)/ nocase
        $c1 = /unlink\s{0,3}\(\s{0,3}__FILE__/ nocase
        $c2 = "sudo " ascii
        $c3 = "rm -rf" ascii
        $s1 = /select\s{1,5}[^;]{1,80}\sfrom\s/ nocase
    condition:
        filesize < 100KB and ($dl1 or ($attachment and $b1 and (1 of ($c*) or $s1)))
}

rule WSA_Php_ConfigGrabber_Symlink
{
    meta:
        id = "WSA-PHP-039"
        description = "shared-hosting config grabber: enumerates the server's users (/etc/passwd, or cPanel's /etc/valiases, /etc/userdomains, the named zone files) and symlinks or reads their public_html configuration files (wp-config.php, configuration.php ...) or their home's .my.cnf database password; or links the file system's root into the web folder, or reads a CMS's configuration under a folder the request names"
        family = "Config grabber"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.symlink.php"
        mitre_attack = "T1505.003"
    strings:
        $p = "/etc/passwd" ascii
        // the hosting panel's own lists of domains and their owners
        $p2 = /\/etc\/(valiases|userdomains|domainusers|named\.conf)|\/var\/named/
        $s1 = /symlink\s{0,3}\(/ nocase
        // a CMS's configuration file read under a folder the request names (another site's
        // database password)
        $g1 = /[^\w>:$](file_get_contents|readfile|file|fopen|highlight_file|show_source)\s{0,3}\(\s{0,3}[^;]{0,60}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^;]{0,80}(wp-config\.php|configuration\.php|config\.inc\.php|LocalSettings\.php|\.env['"])/ nocase
        // the file system's root linked into the web folder
        $s3 = /symlink\s{0,3}\(\s{0,3}['"]\/['"]\s{0,3},/ nocase
        $s2 = "public_html" ascii
        $c1 = "wp-config.php" ascii
        $c2 = "configuration.php" ascii
        $c3 = "config.php" ascii
        $c4 = ".my.cnf" ascii
        // tiny page that just prints /etc/passwd or /etc/shadow
        $r = /(file_get_contents|readfile|file|fopen|highlight_file|show_source)\s{0,3}\(\s{0,3}["']\/etc\/(passwd|shadow)["']/ nocase
    condition:
        filesize < 300KB and (($p and ($s1 or ($s2 and 1 of ($c*)) or ($r and filesize < 2KB))) or
                              ($p2 and ($s1 or $s2 or $c4)) or $s3 or $g1)
}

rule WSA_Php_MysqlUdf_PrivEsc
{
    meta:
        id = "WSA-PHP-041"
        description = "MySQL UDF privilege-escalation page: writes a UDF library and registers it with CREATE FUNCTION ... RETURNS STRING SONAME to run OS commands from the database"
        family = "MySQL UDF"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://dev.mysql.com/doc/refman/8.0/en/create-function-loadable.html"
        mitre_attack = "T1505.003"
    strings:
        $a = /create\s{1,3}function\s{1,3}\w{1,30}\s{1,3}returns\s{1,3}(string|integer|int|real)\s{1,3}soname/ nocase
        $php = "<?" ascii
    condition:
        filesize < 2MB and $a and $php
}

rule WSA_Php_KnownShell_Banner
{
    meta:
        id = "WSA-PHP-042"
        description = "banner, title or variable name of a widely circulated PHP web-shell family (IndoXploit, Alfa, AnonymousFox, 0byt3m1n1, Ani-Shell, phpRemoteView, PHVayv, NTDaddy, PHPJackal, nstview, DxShell, SpyGrup, Sincap, Silic ...)"
        family = "Known shell families"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/tennc/webshell"
        mitre_attack = "T1505.003"
    strings:
        $n1 = "IndoXploit" nocase
        $n2 = "AnonymousFox" nocase
        $n3 = "ALFA_DATA" nocase
        $n4 = "Alfa Team" nocase
        $n5 = "0byt3m1n1" nocase
        $n6 = "Ani-Shell" nocase
        $n7 = "phpRemoteView" nocase
        $n8 = "PHVayv" nocase
        $n9 = "NTDaddy" nocase
        $n10 = "azrailphp" nocase
        $n11 = "MyShellVersion" nocase
        $n12 = "PHPJackal" nocase
        $n13 = "Sadrazam" nocase
        $n14 = "h4ntu shell" nocase
        $n15 = "Madspot" nocase
        $n16 = "Storm7Shell" nocase
        $n17 = "Locus7" nocase
        $n18 = "NIX REMOTE WEB" nocase
        $n19 = "nstview" nocase
        $n20 = "w4ck1ng" nocase
        $n21 = "Fx29Sh" nocase
        $n22 = "KAdot Universal" nocase
        $n23 = "Liz0ziM" nocase
        $n24 = "SimAttacker" nocase
        $n25 = "GFS web-shell" nocase
        $n26 = "DxShell" nocase
        $n27 = "SnIpEr_SA" nocase
        $n28 = "Cyb3r Sh3ll" nocase
        $n29 = "Gamma Web Shell" nocase
        $n30 = "MILDNet" nocase
        $n31 = "PHANTASMA" nocase
        $n32 = "Safe mode breaker" nocase
        $n33 = "Kacak FSO" nocase
        $n34 = "SpyGrup" nocase
        $n35 = "AventGrup" nocase
        $n36 = "Sincap 1.0" nocase
        $n37 = "Dz_SyM" nocase
        $n38 = "Silic Group Hacker Army" nocase
        $n39 = "zyklonshell" nocase
    condition:
        filesize < 3MB and any of them
}

rule WSA_Php_MassMailer
{
    meta:
        id = "WSA-PHP-043"
        description = "drop-in mass mailer: splits a pasted recipient list on newlines and loops mail() with a visitor-chosen From: header (spam/phishing tool planted with web shells)"
        family = "Mass mailer"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.mail.php"
        mitre_attack = "T1505.003"
    strings:
        $s = /(explode|split|preg_split)\s{0,3}\(\s{0,3}["']\\(r\\)?n["']\s{0,3},\s{0,3}\$\w{0,10}(\[\s{0,2}['"]\w{0,10})?(mail|to|list)/ nocase
        $m = /[^\w>:$]mail\s{0,3}\(/ nocase
        $f = "From:" nocase
        // any list variable, when each mail goes to one entry of it and From: is a variable
        $s2 = /(explode|split|preg_split)\s{0,3}\(\s{0,3}["']\\(r\\)?n["']\s{0,3},\s{0,3}\$\w{1,30}\s{0,3}\)/ nocase
        $m2 = /[^\w>:$]mail\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}\[\s{0,3}\$\w{1,10}\s{0,3}\]/ nocase
        $f2 = /From:\s{0,3}(\$|["']\s{0,3}\.\s{0,3}\$)/ nocase
        $req = /\$_(POST|REQUEST|GET)\s{0,3}\[/
        // a list of any name split on line ends or commas, walked with foreach, one mail() per
        // entry with the visitor's From: (the list and the sender both typed into the page)
        $s3 = /(explode|split|preg_split)\s{0,3}\(\s{0,3}["'](\\r)?\\n["']\s{0,3},\s{0,3}\$\w{1,30}(\s{0,3}\[[^\]\n]{1,30}\])?\s{0,3}\)/ nocase
        $fe = /foreach\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}as\s{0,3}\$(\w{1,30})\s{0,3}\)/ nocase
        $m3 = /[^\w>:$]mail\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3},/ nocase
        $fp = /From:\s{0,3}(\$|["']\s{0,3}\.\s{0,3}\$)\w{0,30}\s{0,3}(\.|\\r|\\n|<|["'])/ nocase
    condition:
        filesize < 50KB and (($s and $m and $f) or ($s2 and $m2 and $f2 and $req) or
            ($s3 and $fe and $m3 and $fp and $req and #req >= 3))
}

rule WSA_Php_PhoneHome_Mailer
{
    meta:
        id = "WSA-PHP-044"
        description = "script that mails the server's own location (HTTP_HOST, REQUEST_URI, DOCUMENT_ROOT ...) to a hard-coded free-mail address without any form input: a backdoor reporting its installation to the attacker"
        family = "Phone-home"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.mail.php"
        mitre_attack = "T1505.003"
    strings:
        $a = /["'][\w.+-]{3,40}@(gmail|yahoo|hotmail|outlook|yandex|mail|aol|protonmail|qq|163)\.(com|ru|cn)["']/ nocase
        $m = /[^\w>:$]mail\s{0,3}\(/ nocase
        $s = /\$_SERVER\s{0,2}\[\s{0,2}['"](HTTP_HOST|SERVER_NAME|REQUEST_URI|SCRIPT_NAME|PHP_SELF|DOCUMENT_ROOT|SERVER_ADDR|SCRIPT_FILENAME)/
        $p = "$_POST"
    condition:
        filesize < 200KB and $a and $m and $s and not $p
}

rule WSA_Php_Persistent_SelfDeletingLoop
{
    meta:
        id = "WSA-PHP-045"
        description = "'undead' PHP backdoor: deletes its own file, ignores client aborts and keeps looping (sleep) to eval remote code or rewrite files, so it survives in the worker process after clean-up"
        family = "Memory-resident loop"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.ignore-user-abort.php"
        mitre_attack = "T1505.003"
    strings:
        $u = /unlink\s{0,3}\(\s{0,3}(\$_SERVER\s{0,2}\[\s{0,2}['"]SCRIPT_FILENAME|__FILE__)/ nocase
        $i = "ignore_user_abort" nocase
        $s = /[^\w>:$]u?sleep\s{0,3}\(/ nocase
        $e = /[^\w>:$](eval|assert|file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
    condition:
        filesize < 50KB and all of them
}

rule WSA_Php_FileManager_SingleFile
{
    meta:
        id = "WSA-PHP-046"
        description = "single-file web file manager: one page that lists directories and uploads, renames, chmods and deletes files on request parameters, or lists and changes files in three ways in a folder the request names, outside any application (drop-in management shell without command execution)"
        family = "Generic file-manager shell"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $a = /move_uploaded_file\s{0,3}\(/ nocase
        $b = /[^\w>:$]unlink\s{0,3}\(/ nocase
        $c = /[^\w>:$]chmod\s{0,3}\(/ nocase
        $d = /opendir|scandir|readdir/ nocase
        $e = /[^\w>:$]rename\s{0,3}\(/ nocase
        $f = /<form/ nocase
        $g = /\$_(GET|POST|REQUEST)/
        // a folder or file named by the request, and three kinds of change to files
        $m = /[^\w>:$](mkdir|rmdir)\s{0,3}\(/ nocase
        $w = /[^\w>:$](file_put_contents|fwrite)\s{0,3}\(/ nocase
        $p1 = /\$\w{1,30}\s{0,3}=\s{0,3}(isset\s{0,3}\([^)]{1,60}\)\s{0,3}\?\s{0,3})?@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[\s{0,3}['"]\w{0,8}(dir|path|folder|cwd)\w{0,8}['"]/ nocase
        $p2 = /[^\w>:$](unlink|rename|rmdir|file_put_contents|scandir|opendir|is_dir|file_exists|mkdir)\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        // an application's page: a class, a namespace, a CMS's own checks, its database
        $app1 = /\$this\s{0,3}->/
        $app2 = /^\s{0,8}namespace\s/
        $app3 = /current_user_can|check_admin_referer|wp_verify_nonce|csrf/ nocase
        $app4 = /mysqli?_connect\s{0,3}\(|new\s{1,3}PDO\s{0,3}\(/ nocase
    condition:
        filesize < 200KB and (all of ($a, $b, $c, $d, $e, $f, $g) or
            ($d and $f and any of ($p*) and 3 of ($a, $b, $c, $e, $m, $w) and not any of ($app*)))
}

rule WSA_Php_WordPress_AutoLogin
{
    meta:
        id = "WSA-PHP-047"
        description = "small standalone script that loads WordPress (wp-blog-header.php / wp-load.php) and sets an authentication cookie or creates an administrator: login backdoor"
        family = "WordPress backdoor"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1136/"
        mitre_attack = "T1505.003"
    strings:
        $l = /wp-blog-header\.php|wp-load\.php/
        $a1 = "wp_set_auth_cookie" ascii
        $a2 = /wp_(create|insert)_user\s{0,3}\([^;]{0,200}administrator/ nocase
        // the user created first, the role given after: $u->set_role('administrator')
        $c = /wp_(create|insert)_user\s{0,3}\(/ nocase
        $r = /set_role\s{0,3}\(\s{0,3}['"]administrator['"]|add_cap\s{0,3}\(\s{0,3}['"](administrator|manage_options)['"]/ nocase
    condition:
        filesize < 5KB and $l and (1 of ($a*) or ($c and $r))
}

rule WSA_Php_Defacer_IndexOverwrite
{
    meta:
        id = "WSA-PHP-048"
        description = "script that opens the site's index page for writing (fopen('index.php', 'w')): defacement dropper"
        family = "Defacement"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1491/002/"
        mitre_attack = "T1505.003"
    strings:
        $a = /fopen\s{0,3}\(\s{0,3}["'](\.\.\/)*index\.(php|html?)["']\s{0,3},\s{0,3}["']w/ nocase
    condition:
        filesize < 20KB and $a
}

rule WSA_Php_Infector_ScriptIntoPages
{
    meta:
        id = "WSA-PHP-183"
        description = "script that walks the site's folders and writes a <script> or <iframe> into every PHP or HTML page it finds, next to the <head> or <body> tag: a mass infector planted with web shells (malvertising, credential skimmers, redirects)"
        family = "Defacement"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1491/"
        mitre_attack = "T1505.003"
    strings:
        $rec = /Recursive(Directory|Iterator)Iterator|\bglob\s{0,3}\([^;\n]{0,60}\*|scandir\s{0,3}\(/ nocase
        $ext = /['"]\.?(php\d?|phtml|html?)['"]/ nocase
        // the page's head or body tag replaced (with the tag and what is put after it)
        $inj = /(str_i?replace|preg_replace|substr_replace)\s{0,3}\(\s{0,3}['"][^'"\r\n]{0,8}<\/?(head|body)\b/ nocase
        $scr = /<script[^>\r\n]{0,40}src\s{0,3}=|<iframe\b/ nocase
        $w = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
    condition:
        filesize < 32KB and $rec and $ext and $inj and $scr and $w
}

rule WSA_Php_WordPress_StandalonePanel
{
    meta:
        id = "WSA-PHP-132"
        description = "standalone script that loads WordPress itself (wp-load.php / wp-blog-header.php, so not a plugin that WordPress loads) and resets users' passwords from request data, or downloads the Adminer database tool into the site: a planted admin panel (an emergency password-reset script left in the web root does the same and is reported too)"
        family = "WordPress backdoor"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://developer.wordpress.org/reference/functions/wp_set_password/"
        mitre_attack = "T1505.003"
    strings:
        $l = /(require|include)(_once)?[\s(]{1,4}[^;\n]{0,80}(wp-load|wp-blog-header)\.php/
        $p1 = /wp_set_password\s{0,3}\(\s{0,3}\$/ nocase
        $p2 = /wp_update_user\s{0,3}\([^;]{0,300}['"]user_pass['"]/ nocase
        $req = /\$_(POST|GET|REQUEST)\s{0,3}\[/
        $ad = /https?:\/\/[^'"\s]{1,120}adminer[^'"\s]{0,60}\.php/ nocase
        $w = /(file_put_contents|copy|fopen|curl_exec)\s{0,3}\(/ nocase
    condition:
        filesize < 256KB and $l and (($req and 1 of ($p*)) or ($ad and $w))
}

rule WSA_Php_Mailer_KnownKit
{
    meta:
        id = "WSA-PHP-138"
        description = "A stock bulk-mailer kit (Leaf PHP Mailer, Owl PHP Mailer): the password-gated mailers most often planted on compromised PHP hosts to send spam and phishing from the victim's address space"
        family = "Mass mailer"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1584/"
        mitre_attack = "T1505.003"
    strings:
        $n1 = "Leaf PHP Mailer" nocase
        $n2 = "leafmailer" nocase
        $n3 = "Owl PHP Mailer" nocase
        $n4 = "owlmailer" nocase
        $m = /[^\w>:$](mail|fsockopen)\s{0,3}\(|PHPMailer/ nocase
        $php = "<?" ascii
    condition:
        filesize < 2MB and $php and any of ($n*) and $m
}

rule WSA_Php_FileManager_KnownKit
{
    meta:
        id = "WSA-PHP-139"
        description = "A stock single-file PHP file manager (phpFileManager, Tiny File Manager and their re-branded copies) in a web root: browse, upload, edit and delete anywhere the web server can, some with a command box; dual-use, and among the tools attackers plant most after a compromise"
        family = "Dual-use file manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $n1 = "phpFileManager" nocase
        $n2 = "Tiny File Manager" nocase
        $n3 = "tinyfilemanager" nocase
        $up = /move_uploaded_file\s{0,3}\(/ nocase
        $ls = /scandir|opendir|readdir/ nocase
        $php = "<?" ascii
    condition:
        filesize < 5MB and $php and any of ($n*) and $up and $ls
}

rule WSA_Php_Stealer_PaymentHarvester
{
    meta:
        id = "WSA-PHP-176"
        description = "Server-side payment and request harvester planted in a shop's code: the card security code (CVV/CID) written into a text that leaves by mail(), a Telegram bot or a file, or the whole request serialized into a file named like an image (a stash fetched later over HTTP)"
        family = "Payment skimmer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1056/003/"
        mitre_attack = "T1505.003"
    strings:
        // a label naming the card security code, then a value: "cvv = ".$d13, "Security = ".$p->getCcCid()
        // (no payment gateway puts the code into text: it goes as a field, and PCI DSS forbids keeping it)
        $lab = /['"][^'"\n]{0,24}\b(cvv2?|cvc2?|ccv|security ?code)\b[^'"\n]{0,12}['"]\s{0,3}\.\s{0,3}\$/ nocase
        $cid = /['"]\s{0,3}\.\s{0,3}\$\w{1,30}\s{0,3}->\s{0,3}getCcCid\s{0,3}\(/ nocase
        $out1 = /[^\w>:$]mail\s{0,3}\(/ nocase
        $out2 = "api.telegram.org/bot" nocase
        $out3 = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        // file_put_contents('../media/catalog/product/5/1/x.jpg', base64_encode(serialize($_REQUEST)), FILE_APPEND)
        $stash = /(file_put_contents|fopen)\s{0,3}\(\s{0,3}([\w$()]{1,40}\s{0,3}\.\s{0,3})?['"][^'"\n]{1,200}\.(jpe?g|png|gif|ico|bmp|svg|css|woff2?|ttf)['"][^;]{0,300}\$_(REQUEST|POST|COOKIE|GET)/ nocase
    condition:
        filesize < 2MB and ((($lab or $cid) and any of ($out*)) or $stash)
}

rule WSA_Php_Phish_ResultCollector
{
    meta:
        id = "WSA-PHP-177"
        description = "Phishing kit result page: several secrets typed by the victim (password, PIN, card number, CVV, SSN) concatenated from the request into a message with the visitor's address and sent by mail(), a Telegram bot or a file; planted beside a fake login page"
        family = "Phishing kit"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1566/002/"
        mitre_attack = "T1505.003"
    strings:
        // "Password: ".$_POST['password'] -- labels of secrets, each followed by a request field
        $cred = /['"][^'"\n]{0,30}\b(pass(word)?|passwd|pin|ssn|social security|card ?number|cvv2?|cvc|csc|expiry|maiden)\b[^'"\n]{0,16}['"]\s{0,3}\.\s{0,3}\$_(POST|REQUEST|GET)\s{0,3}\[/ nocase
        $ip = /REMOTE_ADDR|HTTP_X_FORWARDED_FOR|HTTP_CLIENT_IP/ nocase
        $out1 = /[^\w>:$]mail\s{0,3}\(/ nocase
        $out2 = "api.telegram.org/bot" nocase
        $out3 = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
    condition:
        filesize < 32KB and #cred >= 2 and $ip and any of ($out*)
}

rule WSA_Php_Wordpress_AdminBackdoor
{
    meta:
        id = "WSA-PHP-180"
        description = "WordPress backdoor: a small page or snippet that creates a user (wp_create_user, wp_insert_user) and makes it an administrator, in a page that reads the request or cookies: an attacker's way back in after the shell is found"
        family = "CMS backdoor"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://developer.wordpress.org/reference/functions/wp_create_user/"
        mitre_attack = "T1505.003"
    strings:
        $new = /(wp_create_user|wp_insert_user)\s{0,3}\(/ nocase
        $admin = /set_role\s{0,3}\(\s{0,3}['"]administrator['"]|['"]role['"]\s{0,3}=>\s{0,3}['"]administrator['"]/ nocase
        $req = /\$_(GET|POST|COOKIE|REQUEST)\s{0,3}\[/
    condition:
        // (WordPress's own installer that makes the first administrator is a large page)
        filesize < 32KB and $new and $admin and $req
}
