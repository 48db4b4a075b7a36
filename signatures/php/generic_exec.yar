/*
  PHP: operating-system command execution of request data.
*/

rule WSA_Php_Generic_ExecRequest
{
    meta:
        id = "WSA-PHP-010"
        description = "system/passthru/shell_exec/exec/popen/proc_open/pcntl_exec or backticks whose argument takes request data within the same statement"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/ref.exec.php"
        mitre_attack = "T1505.003"
    strings:
        $x1 = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,10}[^;]{0,120}(\$_(GET|POST|REQUEST|COOKIE)\b|\$_SERVER\s{0,3}\[\s{0,3}['"](HTTP_|QUERY_STRING)|\$HTTP_(GET|POST|COOKIE)_VARS|php:\/\/input|getallheaders\s{0,3}\(|apache_request_headers)/ nocase
        // `$_GET[c]`  /  `{$_POST['c']}`
        $bt = /(=|\(|echo|print|return)\s{0,5}`\s{0,3}\{?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]`\n]{1,30}\]\s{0,3}\}?\s{0,3}`\s{0,3}[;).]/
        // $c = $_POST['cmd']; ... system($c)
        $in = /\$[a-zA-Z_]\w{0,30}\s{0,5}=\s{0,5}[^;]{0,40}(\$_(GET|POST|REQUEST|COOKIE)\b|php:\/\/input|getallheaders)/ nocase
        $sx = /[^\w>:$](system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s{0,10}\(\s{0,5}[@(]{0,3}\s{0,5}\$[a-zA-Z_]/ nocase
    condition:
        $x1 or $bt or (filesize < 4KB and $in and $sx)
}
