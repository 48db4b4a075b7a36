/*
  Server configuration a web user can drop into a folder to change what runs there: Apache
  .htaccess handler remaps and PHP per-folder settings (.user.ini, php.ini, php_value). IIS
  web.config handler and build-provider remaps live in aspx/web_config.yar. The agent always
  scans .htaccess, .user.ini, web.config and php*.ini, whatever the extension filter says.
*/

rule WSA_Gen_Htaccess_StaticExtensionAsScript
{
    meta:
        id = "WSA-GEN-010"
        description = ".htaccess maps an image, text or other static extension to the PHP or CGI handler (AddType/AddHandler), so an uploaded 'image' runs as code"
        family = "Handler remap"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://httpd.apache.org/docs/2.4/mod/mod_mime.html#addhandler"
        mitre_attack = "T1505.003"
    strings:
        // the handler or type, then (on the same line) a static extension in the list
        $add = /(^|\n)[ \t]{0,20}Add(Type|Handler)[ \t]{1,20}[^\n]{0,80}(php|phtml|cgi-script|x-httpd)[^\n]{0,200}[ \t]\.?(jpe?g|png|gif|bmp|ico|webp|svg|txt|html?|css|js|json|xml|log|pdf|zip|md|csv)([ \t\r]|\n|$)/ nocase
    condition:
        filesize < 256KB and $add
}

rule WSA_Gen_Htaccess_ForcedHandler
{
    meta:
        id = "WSA-GEN-011"
        description = ".htaccess forces the PHP or CGI handler on files by name (ForceType, or SetHandler inside <Files>/<FilesMatch> that names an image or text file)"
        family = "Handler remap"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://httpd.apache.org/docs/2.4/mod/core.html#sethandler"
        mitre_attack = "T1505.003"
    strings:
        $force = /(^|\n)[ \t]{0,20}ForceType[ \t]{1,20}[^\n]{0,40}(php|x-httpd|cgi)/ nocase
        // <Files ...jpg...> then SetHandler php within the block: two short-windowed strings and
        // a distance check, not one regex with nested free windows
        $fm = /<Files(Match)?[ \t]{1,20}[^>\n]{0,60}(jpe?g|png|gif|bmp|ico|webp|txt|html?|css|js|log)\b[^>\n]{0,40}>/ nocase
        $sh = /SetHandler[ \t]{1,20}[^\n]{0,60}(php|x-httpd|cgi-script)/ nocase
    condition:
        filesize < 256KB and ($force or (#fm < 256 and for any i in (1..#fm) : ($sh in (@fm[i]..@fm[i] + 400))))
}

rule WSA_Gen_Htaccess_ScriptLock
{
    meta:
        id = "WSA-GEN-014"
        description = ".htaccess denies every script extension, spelt in its mixed-case variants (php|Php|pHp|phP..), to all but chosen files: an intruder's lock on a web root that stops the owner's pages and other intruders' shells while its own stay reachable"
        family = "Site lock"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://httpd.apache.org/docs/2.4/mod/core.html#filesmatch"
        mitre_attack = "T1505.003"
    strings:
        $fm = "<FilesMatch" nocase
        $deny = /Deny[ \t]{1,8}from[ \t]{1,8}all|Require[ \t]{1,8}all[ \t]{1,8}denied/ nocase
        // (a site's own rule is case-blind or lower-case)
        $mc1 = "|pHp|"
        $mc2 = "|phP|"
        $mc3 = "|PhP|"
        $mc4 = "|pHP|"
        $mc5 = "|PHp|"
    condition:
        filesize < 256KB and $fm and $deny and 2 of ($mc*)
}

rule WSA_Gen_PhpIni_AutoPrependDisguised
{
    meta:
        id = "WSA-GEN-012"
        description = "auto_prepend_file / auto_append_file (.user.ini, php.ini or php_value in .htaccess) runs a file that is not a .php script, a stream wrapper or something in a temp folder before or after every page"
        family = "PHP auto_prepend"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/ini.core.php#ini.auto-prepend-file"
        mitre_attack = "T1505.003"
    strings:
        $odd = /auto_(prepend|append)_file[ \t]{0,10}=?[ \t]{0,10}["']?[^"'\r\n]{0,200}\.(jpe?g|png|gif|bmp|ico|webp|txt|html?|css|js|log|json|xml|dat|tmp|bak|inc)["']?[ \t\r]{0,10}(\n|$)/ nocase
        $wrapper = /auto_(prepend|append)_file[ \t]{0,10}=?[ \t]{0,10}["']?(php|data|phar|zip|expect|https?|ftp):/ nocase
        $tmp = /auto_(prepend|append)_file[ \t]{0,10}=?[ \t]{0,10}["']?(\/tmp\/|\/dev\/shm\/|\/var\/tmp\/)/ nocase
    condition:
        filesize < 256KB and any of them
}

rule WSA_Gen_PhpIni_AutoPrepend
{
    meta:
        id = "WSA-GEN-013"
        description = "auto_prepend_file / auto_append_file set in a per-folder .user.ini or in .htaccess (php_value): a file runs before or after every page of the folder. Security plugins use it too (e.g. a WAF loader): review"
        family = "PHP auto_prepend"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/configuration.file.per-user.php"
        mitre_attack = "T1505.003"
    strings:
        $ini = /(^|\n)[ \t]{0,20}auto_(prepend|append)_file[ \t]{0,10}=[ \t]{0,10}["']?[^"'\s;]/ nocase
        $htaccess = /(^|\n)[ \t]{0,20}php_(admin_)?value[ \t]{1,20}auto_(prepend|append)_file[ \t]{1,20}["']?[^"'\s]/ nocase
        $none = /auto_(prepend|append)_file[ \t]{0,10}=?[ \t]{0,10}["']?none["']?[ \t\r]{0,10}(\n|$)/ nocase
    condition:
        filesize < 256KB and (#ini + #htaccess) > #none
}
