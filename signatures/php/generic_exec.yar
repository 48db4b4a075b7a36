/*
  PHP: operating-system command execution of request data.
*/

rule WSA_Php_Generic_ExecRequest
{
    meta:
        id = "WSA-PHP-010"
        description = "system/passthru/shell_exec/exec/popen/proc_open/pcntl_exec or backticks whose argument takes request data within the same statement, a shell started by proc_open whose input is request data; WScript.Shell or IIS/WinNT COM objects"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/ref.exec.php"
        mitre_attack = "T1505.003"
    strings:
        $x1 = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[^;]{0,60}(\$(_(GET|POST|REQUEST|COOKIE)\b|_SERVER\s{0,3}\[\s{0,3}['"]?(HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO)|HTTP_(GET|POST|COOKIE)_VARS|GLOBALS\s{0,3}\[\s{0,3}['"]_(POST|GET|REQUEST|COOKIE))|getenv\s{0,3}\(\s{0,3}['"]?HTTP_|php:\/\/input|getallheaders\s{0,3}\(|apache_request_headers|filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        // the same call quoted in a doc comment (" * ... passthru($_GET['cmd']) ...") is not code
        $xd = / \*[^\n]{0,150}[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[^;\n]{0,120}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // `$_GET[c]`  /  `{$_POST['c']}` (a statement of its own too: the flow layer's restatement)
        $bt = /(=|\(|;|echo|print|return)\s{0,5}@?\s{0,3}`\s{0,3}\{?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]`\n]{1,30}\]\s{0,3}\}?\s{0,3}`\s{0,3}[;).?]/
        // a shell started with proc_open whose standard input is fed request data
        $psh = /proc_open\s{0,3}\(\s{0,3}['"]((\/usr)?\/bin\/)?(ba|da|z)?sh['" ]|proc_open\s{0,3}\(\s{0,3}['"](cmd(\.exe)?|powershell(\.exe)?)['" ]/ nocase
        $pin = /(fwrite|fputs)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\[\s{0,3}0\s{0,3}\]\s{0,3},\s{0,3}[^;]{0,40}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // COM objects that run commands on Windows
        $com = /new\s{1,3}COM\s{0,3}\(\s{0,3}['"](WScript\.Shell|Shell\.Application|WScript\.Network)/ nocase
        $com2 = /new\s{1,3}COM\s{0,3}\(\s{0,3}['"](IIS:\/\/|WinNT:\/\/)/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)|HTTP_(POST|GET)_VARS|filter_input\s{0,3}\(\s{0,3}INPUT_/ nocase
        // A fixed program the page chose runs with request data as its arguments (a hosting
        // panel's `exec(HESTIA_CMD . "v-list-user " . $_POST['user'])`): the command starts
        // with a constant and a literal word, or its first variable is a shell-quoted request
        // value. Not when that word is a launcher that runs the rest (sh -c, env, sudo, ...),
        // nor when the statement holds a shell separator or an escape (`. " | sh"`, `"\n"`).
        $fx = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[A-Z][A-Z0-9_]{2,30}\s{0,3}\.\s{0,10}['"][a-z][\w.\/-]{1,40}[ '"][^;|&`\\]{0,1200}\)\s{0,10};/ nocase
        $fq = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[^;$]{0,40}(escapeshellarg|quote_?shell_?arg)\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $fl = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[A-Z][A-Z0-9_]{2,30}\s{0,3}\.\s{0,10}['"](sh|bash|zsh|dash|ksh|cmd|cmd\.exe|powershell|pwsh|env|sudo|su|nohup|xargs|busybox|timeout|nice|ionice|setsid|stdbuf|chroot|exec|eval|python[0-9.]{0,4}|perl|php|ruby|node|lua|awk|find)[ '"]/ nocase
    condition:
        // a free window after every sink name costs in proportion to the file: pages up to
        // 300 KB here; WSA-PHP-118 finds the one-liner shapes at any size
        filesize < 300KB and (
            // a call with request data that is not a fixed program with quoted/argument data
            (#x1 > #xd and for any i in (1..#x1) : (
                not (for any j in (1..#fx) : (@fx[j] == @x1[i] and
                        not for any k in (1..#fl) : (@fl[k] == @x1[i]))) and
                not (for any j in (1..#fq) : (@fq[j] == @x1[i]))))
            or $bt or ($com and $req) or $com2 or ($psh and $pin))
}

rule WSA_Php_Generic_ExecRequestVariable
{
    meta:
        id = "WSA-PHP-117"
        description = "system/passthru/shell_exec/popen/proc_open/pcntl_exec of a variable in a tiny page that put request data in a variable, or in a page with a command box (a form or a cmd-like parameter); WSA-PHP-010 covers request data in the call itself"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/ref.exec.php"
        mitre_attack = "T1505.003"
    strings:
        // $c = $_POST['cmd']; ... system($c)
        $in = /=\s{0,5}[@(]{0,2}\s{0,2}(\w{1,20}\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2})?(\$_(GET|POST|REQUEST|COOKIE)\b|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input|getallheaders|filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        $sx = /[^\w>:$](system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,5}[@("]{0,3}\s{0,5}\$[a-zA-Z_]/ nocase
        $sd = / \*[^\n]{0,150}[^\w>:$](system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,5}[@("]{0,3}\s{0,5}\$[a-zA-Z_]/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)|HTTP_(POST|GET)_VARS|filter_input\s{0,3}\(\s{0,3}INPUT_/ nocase
        // page traits of a command box: a form field or a cmd-like parameter
        $ui1 = /<(form|textarea|input)/ nocase
        $ui3 = /\$_(POST|GET|REQUEST)\s{0,2}\[\s{0,2}['"]?(cmd|command|comd|exec|execute|shell|c)['"]?\s{0,2}\]/ nocase
        // arguments quoted for the shell: the page builds a fixed command line (a hosting
        // panel's log download); unquoted request data is the flow layer's to find
        $qa = /[^\w>:$](escapeshellarg|\w{1,16}shellarg)\s{0,3}\(/ nocase
    condition:
        // small pages only, apart from WSA-PHP-010: large files do not pay for these strings
        (filesize < 4KB and $in and $sx and not $qa) or (filesize < 120KB and #sx > #sd and $req and ($ui1 or $ui3))
}

rule WSA_Php_ReverseShell_Socket
{
    meta:
        id = "WSA-PHP-011"
        description = "PHP reverse/bind shell: a socket (fsockopen, stream_socket_client, socket_create) wired to /bin/sh or cmd.exe through proc_open/popen/system/exec"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /(fsockopen|stream_socket_client|stream_socket_server|socket_create|socket_connect)\s{0,3}\(/ nocase
        $s2 = /\/bin\/(ba)?sh|cmd\.exe/
        $e = /[^\w>:$](proc_open|popen|shell_exec|system|passthru|exec)\s{0,3}\(/ nocase
        // commands read back from the socket and run
        $g = /(fgets|fread|socket_read)\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $x = /[^\w>:$](shell_exec|system|passthru)\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $sr = /socket_read\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $po = /proc_open\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
    condition:
        filesize < 100KB and $s1 and (($s2 and $e) or (filesize < 30KB and $g and $x) or (filesize < 30KB and $sr and $po))
}

rule WSA_Php_Tunnel_ReGeorg
{
    meta:
        id = "WSA-PHP-012"
        description = "reGeorg-style HTTP tunnel in PHP: socket relayed through X-CMD/X-STATUS request headers, or the 'Georg says' banner"
        family = "reGeorg"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/sensepost/reGeorg"
        mitre_attack = "T1505.003"
    strings:
        $a = "Georg says" ascii
        $b = /X-(CMD|STATUS|ERROR)/
        $c = /fsockopen|socket_create|stream_socket_client/ nocase
        $d = /apache_request_headers|getallheaders|HTTP_X_CMD/
        $php = "<?" ascii
    condition:
        filesize < 200KB and $php and ($a or ($b and $c and $d))
}

rule WSA_Php_Exec_FallbackChain
{
    meta:
        id = "WSA-PHP-119"
        description = "PHP command runner that tries one execution function after another (exec, shell_exec, system, passthru, popen, proc_open) on the same variable command, each behind an availability check: a web-shell helper built to get round disable_functions"
        family = "Generic command execution of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/ini.core.php#ini.disable-functions"
        mitre_attack = "T1505.003"
    strings:
        // each sink called on a variable (the command), not on a literal
        $s1 = /[^\w>:$]exec\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $s2 = /[^\w>:$]shell_exec\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $s3 = /[^\w>:$]system\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $s4 = /[^\w>:$]passthru\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $s5 = /[^\w>:$]popen\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $s6 = /[^\w>:$]proc_open\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        // function_exists('exec') / is_callable("system") / a helper such as enabled("exec")
        $c1 = /(function_exists|is_callable)\s{0,3}\(\s{0,3}['"](exec|shell_exec|system|passthru|popen|proc_open)['"]/ nocase
        // (its name whole: yara reports a match at each start inside a name, so a bare
        // `[a-z_]\w*` counted one call as several)
        $c2 = /[^\w$>:][a-z_]\w{0,20}\s{0,3}\(\s{0,3}['"](exec|shell_exec|system|passthru|popen|proc_open)['"]\s{0,3}\)/ nocase
    condition:
        filesize < 256KB and 3 of ($s*) and (#c1 >= 2 or #c2 >= 3)
}

rule WSA_Php_Backdoor_IrcBot
{
    meta:
        id = "WSA-PHP-121"
        description = "PHP IRC bot left running in the web server: it opens a socket to an IRC server (NICK, USER, JOIN, PRIVMSG), detaches from the request (set_time_limit(0) / ignore_user_abort) and waits for commands: a remote-controlled backdoor (flooding, command execution, mail)"
        family = "IRC bot"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1071/"
        mitre_attack = "T1505.003"
    strings:
        $nick = /["']NICK[ \t]/
        $user = /["']USER[ \t]/
        $join = /["']JOIN[ \t]/
        $msg = "PRIVMSG" ascii
        $sock = /(fsockopen|stream_socket_client|socket_connect)[ \t]{0,3}\(/ nocase
        $live1 = /set_time_limit[ \t]{0,3}\([ \t]{0,3}0[ \t]{0,3}\)/ nocase
        $live2 = "ignore_user_abort" nocase
    condition:
        filesize < 512KB and $nick and $user and $join and $msg and $sock and any of ($live*)
}

rule WSA_Php_ReverseShell_CommandLine
{
    meta:
        id = "WSA-PHP-169"
        description = "PHP hands a reverse-shell command line to a command function or backticks (bash -i >& /dev/tcp/.., nc -e, a mkfifo relay, socat exec:, an interpreter's socket one-liner): a reverse shell with no socket code of its own, also with a placeholder host"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $x = /([^\w>:$](system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s{0,3}\(|`)[^;`]{0,200}(\/dev\/(tcp|udp)\/|\bnc(at)?\s[^;`]{0,80}\s-[ce]\s|mkfifo\s[^;`]{0,80}\|\s{0,3}(nc|ncat|telnet)\s|socat\s[^;`]{0,80}exec:|import\s{1,3}socket\s{0,3},\s{0,3}subprocess|use\s{1,3}Socket\s{0,3};|Net\.Sockets\.TCPClient)/ nocase
    condition:
        filesize < 500KB and $php and $x
}

rule WSA_Php_Staging_WebRootArchive
{
    meta:
        id = "WSA-PHP-170"
        description = "A small PHP page whose command packs the web root or home folders into an archive (tar, zip -r, 7z a) for download: data staged for exfiltration by a planted page"
        family = "Data-theft page"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1560/001/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $x = /[^\w>:$](system|exec|shell_exec|passthru|popen|proc_open)\s{0,3}\(\s{0,3}["'][^"'\n]{0,40}(tar\s{1,3}-?[a-z]{0,6}[cr][a-z]{0,6}\s|zip\s{1,3}-[a-z]{0,4}r|7z\s{1,3}a\s)[^"'\n]{0,200}(\/var\/www|\/home\/|public_html|htdocs|wwwroot)/ nocase
    condition:
        filesize < 4KB and $php and $x
}

rule WSA_Php_Shell_CommandFromSocket
{
    meta:
        id = "WSA-PHP-178"
        description = "A small procedural PHP page that opens a socket (bound, listening or connected out, TCP or UDP), reads from it and runs what it read as a command: a bind or back-connect shell that needs no HTTP request once started"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $s = /(socket_create|socket_bind|socket_listen|socket_accept|fsockopen|stream_socket_server|stream_socket_client|stream_socket_accept)\s{0,3}\(/ nocase
        $r = /(socket_recv|socket_recvfrom|socket_read|stream_socket_recvfrom|fread|fgets)\s{0,3}\(\s{0,3}\$/ nocase
        $x = /[^\w>:$](shell_exec|system|passthru|exec|popen|proc_open)\s{0,3}\(\s{0,3}\$/ nocase
        // a class's transport (a mailer's socket or process stream) is not a page's own loop
        $class = /\$this\s{0,3}->/
    condition:
        filesize < 20KB and $php and $s and $r and $x and not $class
}

rule WSA_Php_Loader_EvalFromSocket
{
    meta:
        id = "WSA-PHP-173"
        description = "PHP connects out (stream_socket_client, fsockopen, socket_create/connect; the name may sit in a string) and evaluates what it reads back: the staged back-connect of exploit kits (Meterpreter's PHP stager reads a length, then the code, then evals it)"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1059/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        // called, or named alone in a string to be called through a variable (not a list of names)
        $s = /(stream_socket_client|fsockopen|socket_connect|socket_create)\s{0,3}\(|=\s{0,3}['"](stream_socket_client|fsockopen|socket_create)['"]/ nocase
        $r = /(fread|fgets|socket_read|socket_recv|stream_get_contents)\s{0,3}\(\s{0,3}\$\w{1,20}/ nocase
        $e = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}(\$\w{1,20}|base64_decode\s{0,3}\(\s{0,3}\$\w{1,20}|gzinflate\s{0,3}\(\s{0,3}\$\w{1,20})\s{0,3}\)|create_function\s{0,3}\(\s{0,3}['"]['"]\s{0,3},\s{0,3}\$\w{1,20}/ nocase
    condition:
        filesize < 20KB and $php and $s and $r and $e
}
