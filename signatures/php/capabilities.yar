/*
  PHP capability rules: request-controlled input reaching a sink through the usual indirection
  (a variable, a helper, a callback, a function name assembled at run time, a socket), written
  for what a shell must do rather than for one sample.
*/

rule WSA_Php_Exec_RequestViaVariable
{
    meta:
        id = "WSA-PHP-100"
        description = "small PHP file that copies request data into a variable and runs a variable through system/exec/shell_exec/passthru/popen/proc_open/pcntl_exec or backticks: command shell with one level of indirection"
        family = "Generic command shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/ref.exec.php"
        mitre_attack = "T1505.003"
    strings:
        // the value itself, or a ternary/trim/decode of it: casts and escaping break the match
        $in = /\$[a-zA-Z_]\w{0,30}\s{0,5}=\s{0,5}@?\s{0,3}((isset|empty)\s{0,3}\([^;?]{0,60}\?\s{0,3}@?|(trim|stripslashes|urldecode|rawurldecode|base64_decode|str_rot13|hex2bin|strrev)\s{0,3}\(\s{0,3}@?)?\s{0,3}(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input|getallheaders\s{0,3}\()/ nocase
        // shell quoting (PHP's own, or a panel's `quoteshellarg`): a fixed program is run
        $esc = /(escapeshellcmd|shell_?args?)\s{0,3}\(/ nocase
        $sk1 = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,5}\(\s{0,5}[@(]{0,3}\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,5}[,)\.]/ nocase
        $php = "<?" ascii
    condition:
        filesize < 6KB and $php and $in and $sk1 and not $esc
}

rule WSA_Php_Exec_HelperWrapper
{
    meta:
        id = "WSA-PHP-101"
        description = "PHP helper function that tries several command primitives in turn (function_exists checks over system/exec/shell_exec/passthru/popen/proc_open) and is called with request data: the run-anything helper of shells and droppers"
        family = "Generic command shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/ref.exec.php"
        mitre_attack = "T1505.003"
    strings:
        $f1 = /function_exists\s{0,3}\(\s{0,3}['"](system|passthru)['"]\s{0,3}\)/ nocase
        $f2 = /function_exists\s{0,3}\(\s{0,3}['"](shell_exec|exec)['"]\s{0,3}\)/ nocase
        $f3 = /function_exists\s{0,3}\(\s{0,3}['"](popen|proc_open)['"]\s{0,3}\)/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        $call = /\w{1,40}\s{0,3}\(\s{0,3}[a-z_]{0,20}\(?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
    condition:
        filesize < 500KB and 2 of ($f*) and $req and $call
}

rule WSA_Php_DynamicName_VariableCall
{
    meta:
        id = "WSA-PHP-102"
        description = "PHP builds the name of assert/system/eval-like functions from string pieces (concatenation, padding, a helper appending letters) in a short file and calls the variable as a function on request data"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        $p1 = /['"](ass|asse|asser|sser|ssert|sert|syst|syste|ystem|stem|passt|assthru|shell_|hell_exec|_exec|eva|crea|create_|ate_function|call_user|ser_func)['"]\s{0,3}[.;,)]/ nocase
        $p2 = /\.\s{0,3}['"](ert|rt|em|tem|ec|exec|thru|al|_func|on)['"]\s{0,3}[;.)]/ nocase
        $call = /\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\b/
        $call2 = /\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}@?\s{0,3}\$\{\s{0,3}["']_/
        $req = /\$_(GET|POST|REQUEST|COOKIE|SERVER)|\$\{\s{0,3}['"]_|php:\/\/input/ nocase
        $php = "<?" ascii
    condition:
        filesize < 3KB and $php and ($p1 and $p2) and ($call or $call2) and $req
}

rule WSA_Php_Callback_DangerousSink
{
    meta:
        id = "WSA-PHP-103"
        description = "request data reaching a code-running callback: yaml_parse with a tag callback, ob_start/array_map/usort... with assert/system held in a variable or string, mb_ereg_replace/preg_replace with an evaluating modifier"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/function.yaml-parse.php"
        mitre_attack = "T1505.003"
    strings:
        $y1 = /yaml_parse\s{0,3}\(/ nocase
        $y2 = /=>\s{0,3}['"](preg_replace|assert|system|eval|passthru|create_function)['"]/ nocase
        $o1 = /\$[a-zA-Z_]\w{0,20}\s{0,3}=\s{0,3}['"](system|assert|passthru|shell_exec|exec|popen)['"]\s{0,3};/ nocase
        $o2 = /(ob_start|array_map|array_filter|array_walk|usort|uasort|uksort|call_user_func|register_shutdown_function|iterator_apply|array_reduce)\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,20}\s{0,3}[,)]/ nocase
        $e1 = /mb_ereg_replace\s{0,3}\(/ nocase
        $e1e = "'e')"
        $e1f = "\"e\")"
        $e2 = /assert\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,20}\s{0,3}\)/ nocase
        $e3 = /\$[a-zA-Z_]\w{0,20}\s{0,3}=\s{0,3}['"](system|passthru|shell_exec|exec|phpinfo|eval)\s{0,3}\(/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE|SERVER)|php:\/\/input/ nocase
    condition:
        filesize < 4KB and (($y1 and ($y2 or $req)) or ($o1 and $o2) or ($e1 and ($e1e or $e1f) and $req) or ($e2 and $e3))
}

rule WSA_Php_RemoteCode_FetchAndEval
{
    meta:
        id = "WSA-PHP-104"
        description = "PHP fetches code from a URL or a socket (file_get_contents/curl/fsockopen/stream_socket_client) and evaluates or includes it: remote-controlled loader or eval-from-socket back-connect"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        // one optional blank at each point: every "eval(" in a file is a place to try this
        $f2 = /(eval|assert)[ \t]?\([ \t]?@?[ \t]?(file_get_contents|curl_exec|fgets|fread|stream_get_contents|socket_read)[ \t]?\(/ nocase
        // a fetched document run whole, after a closing tag, from a URL: eval("?>".file_get_contents(
        // "https://..")) (template engines run their cached local files the same way)
        // (laid out over lines, as a layout-minded packer or the fold layer leaves it)
        // ("?>" itself, or a call making it from a short literal: urldecode("%3f%3e"))
        // (or from where a decoded literal says: no template engine hides the file it runs)
        $f3 = /(eval|assert)\s{0,40}\(\s{0,40}@?\s{0,3}(['"]\?>['"]|\w{1,20}\s{0,3}\(\s{0,3}['"][^'"\r\n]{1,16}['"]\s{0,3}\))\s{0,40}\.\s{0,40}@?\s{0,3}file_get_contents\s{0,40}\(\s{0,40}((\w{1,20}\s{0,40}\(\s{0,40}){0,4}['"](https?|ftp):\/\/|@?\s{0,3}(base64_decode|str_rot13|strrev|hex2bin|gzinflate|gzuncompress|convert_uudecode|rawurldecode|urldecode)\s{0,40}\(\s{0,40}['"])/ nocase
        // the same call commented out on its line
        $f2c = /\/\/[^\n]{0,120}(eval|assert)[ \t]?\([ \t]?@?[ \t]?(file_get_contents|curl_exec|fgets|fread|stream_get_contents|socket_read)[ \t]?\(/ nocase
        $php = "<?" ascii
    condition:
        filesize < 2MB and $php and (#f2 > #f2c or $f3)
}

rule WSA_Php_RemoteCode_FetchThenEval
{
    meta:
        id = "WSA-PHP-120"
        description = "A small PHP page reads code from a URL or a socket into a variable and runs it: evaluates the variable, runs it whole after a closing tag, or writes it to a temporary file that it includes and deletes at once (a remote-code loader; the direct eval(file_get_contents(..)) form is WSA-PHP-104)"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        // (what was fetched may be decoded on the way: $c = base64_decode(file_get_contents($u)))
        $f1 = /\$[a-zA-Z_]\w{0,30}\s{0,3}=\s{0,3}@?\s{0,3}((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|urldecode|rawurldecode)\s{0,3}\(\s{0,3}@?\s{0,3}){0,2}(file_get_contents|curl_exec|fgets|fread|stream_get_contents|socket_read)\s{0,3}\(/ nocase
        // (the address passed through a decoder or two: file_get_contents(urldecode('https://..')))
        $u = /(file_get_contents|fopen)\s{0,3}\(\s{0,3}([a-z_]{1,20}\s{0,3}\(\s{0,3}){0,2}['"](https?|ftp):\/\// nocase
        $s1 = /(fsockopen|stream_socket_client|socket_connect)\s{0,3}\(/ nocase
        // curl only ever fetches from the network, whatever hides the address
        $net = /curl_(init|exec|setopt)\s{0,3}\(|CURLOPT_URL/ nocase
        $ev = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}[@(]{0,3}\s{0,3}\$[a-zA-Z_]/ nocase
        // a whole PHP document run after a closing tag: eval('?>' . $page), the page fetched by a
        // helper from a URL written in the file or by curl (a template engine runs local files)
        $ev2 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}['"][ \t]{0,3}\?>[ \t]{0,3}['"]\s{0,3}\.\s{0,3}\$(\{['"]?)?[a-zA-Z_$]/ nocase
        // a page stored from a URL and run from its file: eval('?>' . file_get_contents('/tmp/..'))
        $ev6 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}['"][ \t]{0,3}\?>[ \t]{0,3}['"]\s{0,3}\.\s{0,3}@?file_get_contents\s{0,3}\(/ nocase
        $st = /file_put_contents\s{0,3}\([^;]{1,80},\s{0,3}@?file_get_contents\s{0,3}\(\s{0,3}['"](https?|ftp):\/\// nocase
        // the closing tag spelt through a decoder or char codes: eval(urldecode('%3f%3e') . $page)
        $ev7 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}((raw)?urldecode\s{0,3}\(\s{0,3}['"]%3f%3e['"]\s{0,3}\)|hex2bin\s{0,3}\(\s{0,3}['"]3f3e['"]\s{0,3}\)|base64_decode\s{0,3}\(\s{0,3}['"]Pz4=?['"]\s{0,3}\)|chr\s{0,3}\(\s{0,3}63\s{0,3}\)\s{0,3}\.\s{0,3}chr\s{0,3}\(\s{0,3}62\s{0,3}\)|['"]\\(x3f|77)\\(x3e|76)['"])\s{0,3}\.\s{0,3}\$(\{['"]?)?[a-zA-Z_$]/ nocase
        // the same in one interpolated string: eval("?>$page") (a variable name in any script)
        $ev5 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}"\?>\s{0,3}\{?\$[a-zA-Z_\x80-\xff]/ nocase
        // the page decoded first (eval('?>' . base64_decode($page))): no template engine encodes its views
        $ev3 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}['"][ \t]{0,3}\?>[ \t]{0,3}['"]\s{0,3}\.\s{0,3}\(?\s{0,3}(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|urldecode|rawurldecode)\s{0,3}\(\s{0,3}\$(\{['"]?)?[a-zA-Z_$]/ nocase
        // or the page's own fetch helper: eval('?>' . get_remote($url))
        $ev4 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}['"][ \t]{0,3}\?>[ \t]{0,3}['"]\s{0,3}\.\s{0,3}@?[a-zA-Z_]\w{0,40}\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,40}\s{0,3}[).]/ nocase
        $url = /\w\s{0,3}\(\s{0,3}['"](https?|ftp):\/\/[^'"\s]{4,200}['"]/
        // the address kept in a variable (with a decoded page only: a template engine may name a
        // documentation URL), or decoded by the decode stage onto a line of its own
        $url2 = /=\s{0,3}['"](https?|ftp):\/\/[^'"\s]{4,200}['"]\s{0,3};/
        $url3 = /\n(https?|ftp):\/\/[^\s'"]{4,200}/
        // or assembled from pieces: $p = "https"; .. $p . "://" . $host
        $url4 = /=\s{0,3}["'](https?|ftp)["']\s{0,3};|["'][a-z]{0,5}:\/\/["']/
        $fetch = /(file_get_contents|curl_exec|stream_get_contents)\b/ nocase
        // a call given the address of a code file (a .php or .txt page, a raw paste): what
        // a loader behind a large login page fetches, whatever its helper is called
        $urlc = /\w\s{0,3}\(\s{0,3}['"]https?:\/\/([^'"\s]{4,200}\.(php\d?|phtml|txt)|(raw\.githubusercontent\.com|gist\.githubusercontent\.com|pastebin\.com\/raw|paste\.ee\/r)\/[^'"\s]{1,200})['"]/ nocase
        $fo = /fopen\s{0,3}\(\s{0,3}\$/ nocase
        // an address that names code (a .php/.txt file, a raw paste or repository file) kept in
        // a variable, fetched through that variable
        $url5 = /=\s{0,3}['"]https?:\/\/([^'"\s]{4,200}\.(php\d?|phtml|txt)|(raw\.githubusercontent\.com|gist\.githubusercontent\.com|pastebin\.com\/raw)\/[^'"\s]{1,200})['"]\s{0,3};/ nocase
        $fv = /file_get_contents\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,3}\)/ nocase
        $sgc = "stream_get_contents" nocase
        // a page joined to what a helper fetches from a written address: eval($ok . get('https://..'))
        $f5 = /(eval|assert)[ \t]?\([^;\n]{0,40}\.[ \t]?@?[a-zA-Z_]\w{0,40}[ \t]?\([ \t]?["'](https?|ftp):\/\// nocase
        // the fetched code written to a temporary file, included and deleted at once
        $t = /(tempnam|sys_get_temp_dir|tmpfile)\s{0,3}\(/ nocase
        $wf = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        $iu = /(include|require)(_once)?\s{0,3}\(?\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,3}\)?\s{0,3};\s{0,10}@?\s{0,3}unlink\s{0,3}\(\s{0,3}\$/ nocase
        $php = "<?" ascii
    condition:
        // small pages only, apart from the uncapped direct form above
        $php and (
            (filesize < 3KB and $f1 and $ev and ($u or $s1 or $net or ($url5 and $fv))) or
            (filesize < 8KB and ($ev2 or $ev5 or $ev7) and ($url or $url3 or $url4 or $net) and ($fetch or $net)) or
            (filesize < 64KB and ($ev2 or $ev5 or $ev7) and $urlc and ($fetch or $net)) or
            (filesize < 4KB and $ev6 and $st) or
            // (a tiny page streaming a URL kept in a variable; a template engine reads its file whole)
            (filesize < 1KB and $ev2 and $url2 and $fo and $sgc) or
            (filesize < 8KB and $f5) or
            // eval("?>$page") of a page fetched from a URL kept in a variable, or after a spelt tag
            (filesize < 8KB and ($ev5 or $ev7) and $url2 and $fetch) or
            (filesize < 8KB and ($ev3 or $ev4) and ($url or $url2 or $url3 or $url4 or $net) and ($fetch or $net)) or
            (filesize < 8KB and $t and $wf and $iu and ($fetch or $net or $u)) or
            // a code file's address in a variable, fetched, and the page run whole (2026-12-06)
            (filesize < 4KB and $ev2 and $f1 and $fv and $url5)
        )
}

rule WSA_Php_Com_ShellObject
{
    meta:
        id = "WSA-PHP-105"
        description = "PHP instantiates a Windows shell or account COM object (WScript.Shell/Shell.Application with request data, Shell.Users, WinNT ADSI) and runs or creates through it, also when the ProgID is split into pieces: command execution without the exec family"
        family = "Generic command shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/class.com.php"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /new\s{1,3}COM\s{0,3}\(\s{0,3}['"](WScript\.Shell|Shell\.Application|WScript\.Network)['"]/ nocase
        $c5 = /new\s{1,3}COM\s{0,3}\(\s{0,3}['"]Shell\.Users['"]/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE|SERVER)|php:\/\/input/ nocase
        $c2 = /new\s{1,3}COM\s{0,3}\(\s{0,3}['"][A-Za-z]{1,8}['"]\s{0,3}\./ nocase
        $c3 = /new\s{1,3}COM\s{0,3}\(\s{0,3}\$[a-zA-Z_]/ nocase
        $c4 = /['"]WinNT:\/\// nocase
        $x1 = /->\s{0,3}(exec|run|ShellExecute|create|changePassword|SetPassword)\s{0,3}\(/ nocase
        $n1 = /['"](WScr|Scri|ipt\.Sh|\.Shell|hell|Shell\.App)/ nocase
    condition:
        filesize < 500KB and $x1 and (($c1 and $req) or $c5 or (($c2 or $c3) and $n1) or $c4)
}

rule WSA_Php_MagicMethod_VariableCall
{
    meta:
        id = "WSA-PHP-106"
        description = "class whose magic method (__destruct, __wakeup, __toString, __get, __call, __invoke) calls a property or variable as a function on another property, or forwards any called name to call_user_func for a sink called as a method, in a small file that also reads request data: object-injection style backdoor"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/language.oop5.magic.php"
        mitre_attack = "T1505.003"
    strings:
        $mm = /function\s{1,3}__(destruct|wakeup|toString|get|set|call|callStatic|invoke|unserialize)\s{0,3}\(/ nocase
        $vc1 = /\(\s{0,3}\$this\s{0,3}->\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3}\)\s{0,3}\(\s{0,3}\$this\s{0,3}->/
        $vc2 = /\$[a-zA-Z_]\w{0,20}\s{0,3}=\s{0,3}\$this\s{0,3}->\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3};\s{0,10}\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}\$this\s{0,3}->/
        $vc3 = /call_user_func(_array)?\s{0,3}\(\s{0,3}\$this\s{0,3}->\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3},\s{0,3}\$this\s{0,3}->/ nocase
        // or evaluates a property, bare or through one call: eval(substr($this->c, 0))
        $vc4 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}([a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3})?\$this\s{0,3}->/ nocase
        // ...or a concatenation that holds one: eval('' . $c . "$this->name")
        $vc5 = /[^\w>:$](eval|assert)\s{0,3}\([^;)]{0,60}["'.]\s{0,3}\{?\$this\s{0,3}->/ nocase
        // a variable's function (not a method) on a property, bare or interpolated: @$f("$this->p")
        $vc6 = /[@=(\s]\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}["']?\{?\$this\s{0,3}->\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3}\}?["']?\s{0,3}\)/
        // __call/__callStatic handing the called name to call_user_func, then a sink called as
        // a method: A::system($_GET['c']) runs system
        $fw = /function\s{1,3}__call(Static)?\s{0,3}\(\s{0,3}\$(\w{1,20})[^{]{0,60}\{[^}]{0,200}call_user_func(_array)?\s{0,3}\(\s{0,3}\$/ nocase
        $sm = /(::|->)\s{0,3}(system|passthru|shell_exec|popen|proc_open|assert|pcntl_exec)\s{0,3}\(/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)|php:\/\/input/
    condition:
        filesize < 4KB and $mm and (any of ($vc*) or ($fw and $sm)) and $req
}

rule WSA_Php_Dropper_DownloadAndRun
{
    meta:
        id = "WSA-PHP-107"
        description = "PHP runs a shell download-and-execute line (wget/curl/fetch/lwp-download of a URL, then chmod +x, | sh, or perl/python of the file) through a command function or backticks: dropper for bots and miners"
        family = "Dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $x = /(wget|curl|fetch|lwp-download)\s{1,3}[^"'`\r\n]{0,100}(\|\s{0,3}((ba)?sh|perl|python\d?)\b|chmod\s{1,3}(\+x|7[0-7]{2})|;\s{0,3}(perl|python\d?|sh|bash)\s)/ nocase
        // the same command spread over string concatenation: 'curl -O '.$url.'x.txt;perl x.txt'
        $x2 = /(wget|curl|fetch|lwp-download)\s{1,3}[^\r\n]{0,120};\s{0,3}(perl|python\d?|sh|bash)\s{1,3}[\w.\/]/ nocase
        // ...or a download saved as a page the web server runs: wget https://.. -O x.php (the
        // output flag and the tool apart: one window from every "wget" cost 2.6 s on 300 KB of them)
        $x3 = /[ \t]-(O|o|-output)[ \t]{1,3}[^\s"'`;|]{1,120}\.(php\d?|phtml|asp|aspx|jsp)\b/
        $dl = /(wget|curl)[ \t]{1,3}\S/
        $f = /(system|passthru|shell_exec|exec|popen|proc_open)\s{0,3}\(\s{0,3}["'`$]/ nocase
        $b = /`\s{0,3}(wget|curl)\s/ nocase
        // an application's class installing a tool the vendor documents that way (a hosting
        // panel's `curl https://get.acme.sh | sh`), unless the request is in the file
        $app = /\bnamespace\s{1,3}[\w\\]{1,80}\s{0,3};|\b(private|protected)\s{1,3}(static\s{1,3})?(function\s|\$)/
        $req = /\$_(GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|php:\/\/input/
    condition:
        filesize < 256KB and ($x or $x2 or ($x3 and $dl)) and ($f or $b) and (not $app or $req)
}

rule WSA_Php_Laudanum_Shell
{
    meta:
        id = "WSA-PHP-108"
        description = "Laudanum penetration-test page: allowed-IP list gate followed by a command, file, proxy or host shell (the kit is used by attackers as-is)"
        family = "Laudanum"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://sourceforge.net/projects/laudanum/"
        mitre_attack = "T1505.003"
    strings:
        $n = "Laudanum" nocase
        $a = /\$allowedIPs\s{0,3}=/ nocase
        $s = /(proc_open|shell_exec|system|passthru|popen|fopen|file_get_contents|curl_exec)\s{0,3}\(/ nocase
        // the kit's own banner on every page (its WordPress plugin templates call through helpers)
        $kit = "Injectable Files used during a Penetration Test" nocase
    condition:
        filesize < 200KB and $n and ($a or $s or $kit)
}

rule WSA_Php_Tool_BruteForcer
{
    meta:
        id = "WSA-PHP-109"
        description = "PHP page that loops a user and password list against FTP, MySQL, SSH, cPanel or WordPress logins: brute-forcer planted next to web shells"
        family = "Attack tool"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1110/"
        mitre_attack = "T1505.003"
    strings:
        // a login tried: a client's login call, or credentials handed to curl (FTP, cPanel)
        $l1 = /(ftp_login|mysql_connect|mysqli_connect|ssh2_auth_password)\s{0,3}\(|CURLOPT_USERPWD/ nocase
        $l2 = /(cpanel|:2082|:2083|wp-login\.php)/ nocase
        $lr = /(ftp_login|ssh2_auth_password)\s{0,3}\(|CURLOPT_USERPWD/ nocase
        $w1 = /explode\s{0,3}\(\s{0,3}["']\\n["']\s{0,3},\s{0,3}\$_(POST|GET|REQUEST)/ nocase
        // ...or a list split from a variable, the request read elsewhere, the page naming itself
        $w1v = /explode\s{0,3}\(\s{0,3}["']\\n["']\s{0,3},\s{0,3}\$\w{1,30}\s{0,3}\)/ nocase
        $req = /\$_(POST|GET|REQUEST)\s{0,3}\[/
        $w2 = /(foreach|while|for)\s{0,3}\([^)\r\n]{0,80}(pass|user|word)/ nocase
        $w3 = /(brute|crack)/ nocase
    condition:
        filesize < 200KB and $l1 and $w2 and (($w1 and ($l2 or $w3)) or
            // (a small page trying remote logins: an installer's own database check and a
            // "brute force" remark in its comments are not that)
            (filesize < 64KB and $w1v and $req and $w3 and $lr))
}

rule WSA_Php_Tool_UserEnumeration
{
    meta:
        id = "WSA-PHP-181"
        description = "PHP page that walks user ids through posix_getpwuid over a numeric range of thousands to list the server's accounts: a recon tool planted next to web shells (the account names feed symlink and configuration grabbing)"
        family = "Attack tool"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1087/001/"
        mitre_attack = "T1505.003"
    strings:
        $p = /posix_getpwuid\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}\)/ nocase
        // a loop or a range over thousands of ids
        $loop = /for\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}=\s{0,3}\d{1,5}\s{0,3};\s{0,3}\$\w{1,30}\s{0,3}<=?\s{0,3}\d{4,7}\s{0,3};|range\s{0,3}\(\s{0,3}\d{1,5}\s{0,3},\s{0,3}\d{4,7}\s{0,3}\)/ nocase
    condition:
        filesize < 64KB and $p and $loop
}

rule WSA_Php_Config_HandlerWriter
{
    meta:
        id = "WSA-PHP-182"
        description = "PHP page that writes an .htaccess making the server run an image, text or made-up extension as PHP or CGI (AddType application/x-httpd-php .jpg, AddHandler cgi-script .cin with Options ExecCGI): the drop that lets an uploaded picture or a CGI script run as a shell"
        family = "Config backdoor"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://httpd.apache.org/docs/2.4/mod/mod_mime.html#addhandler"
        mitre_attack = "T1505.003"
    strings:
        $ht = ".htaccess" nocase
        $w = /(fopen|file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        // a data or made-up extension mapped to a script handler (a PHP version switcher maps
        // .php; this maps pictures, text, numbers)
        $map = /(AddType|AddHandler)\s{1,8}(application\/x-httpd-(php|cgi)[\w-]{0,16}|cgi-script|php\d?-script)(\s{1,8}\.\w{1,8}){0,8}\s{1,8}\.(\d{1,5}|jpe?g|png|gif|ico|bmp|txt|cin|html?|css|js|zip|pdf|xml|json|bak|log)\b/ nocase
        $cgi = /Options\s[^\r\n]{0,60}ExecCGI/ nocase
        $cgih = /AddHandler\s{1,8}cgi-script/ nocase
    condition:
        filesize < 128KB and $ht and $w and ($map or ($cgi and $cgih))
}

rule WSA_Php_Tamper_HtaccessScriptLock
{
    meta:
        id = "WSA-PHP-188"
        description = "PHP page that writes an .htaccess denying every script extension, spelt in its mixed-case variants (php|Php|pHp|phP..), to all but chosen files: the lock an intruder puts on a web root so that the owner's pages and other intruders' shells stop running while its own stay reachable"
        family = "Site lock"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://httpd.apache.org/docs/2.4/mod/core.html#filesmatch"
        mitre_attack = "T1505.003"
    strings:
        $ht = ".htaccess" nocase
        $w = /(fopen|file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        $fm = "<FilesMatch" nocase
        $deny = /Deny\s{1,8}from\s{1,8}all|Require\s{1,8}all\s{1,8}denied/ nocase
        // mixed-case spellings, one per alternative: a site's own rule is case-blind or lower-case
        $mc1 = "|pHp|"
        $mc2 = "|phP|"
        $mc3 = "|PhP|"
        $mc4 = "|pHP|"
        $mc5 = "|PHp|"
    condition:
        filesize < 512KB and $ht and $w and $fm and $deny and 2 of ($mc*)
}

rule WSA_Php_Tool_NetworkScanner
{
    meta:
        id = "WSA-PHP-175"
        description = "PHP page that opens sockets (fsockopen, socket_connect, stream_socket_client) across an address or port range whose both ends the request gives (start and end IP, first and last port): network scanner planted next to web shells to map the internal network"
        family = "Attack tool"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1046/"
        mitre_attack = "T1505.003"
    strings:
        $conn = /(fsockopen|socket_connect|stream_socket_client)\s{0,3}\(/ nocase
        // a range boundary read from the request: start_ip, endport, ip_from, port_max ...
        $lo = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[\s{0,3}['"]((start|begin|from|first|min|low)[_-]?(ip|port|host|addr)s?|(ip|port|host|addr)s?[_-]?(start|begin|from|first|min|low))['"]/ nocase
        $hi = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[\s{0,3}['"]((end|stop|to|last|max|high)[_-]?(ip|port|host|addr)s?|(ip|port|host|addr)s?[_-]?(end|stop|to|last|max|high))['"]/ nocase
    condition:
        filesize < 500KB and $conn and $lo and $hi
}

rule WSA_Php_SelfDecode_OwnSource
{
    meta:
        id = "WSA-PHP-110"
        description = "PHP file that reads its own source (file(__FILE__), file_get_contents(__FILE__)) and rebuilds characters from numbers or whitespace counts (chr(hexdec/bindec ...), substr_count) before calling the result: payload hidden in invisible characters or trailing whitespace"
        family = "Self-decoding stager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/language.constants.magic.php"
        mitre_attack = "T1505.003"
    strings:
        $self = /(file|file_get_contents|fopen)\s{0,3}\(\s{0,3}__FILE__\s{0,3}\)/ nocase
        $d1 = /chr\s{0,3}\(\s{0,3}(hexdec|bindec|octdec|base_convert)\s{0,3}\(/ nocase
        $d2 = /substr_count\s{0,3}\(/ nocase
        $d3 = /\$[a-zA-Z_]\w{0,20}\s{0,3}=\s{0,3}chr\s{0,3}\(\s{0,3}\$/ nocase
    condition:
        filesize < 100KB and $self and 2 of ($d*)
}

rule WSA_Php_Dropper_PasteToWebRoot
{
    meta:
        id = "WSA-PHP-111"
        description = "PHP downloads text from a paste or raw-file host (pastebin/hastebin raw, paste.ee, raw.githubusercontent, transfer.sh ...) and writes it into the web root or a .php/.html file, or a tiny page that writes what it fetched from any host into a script file it names: shell and defacement dropper"
        family = "Dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $u = /https?:\/\/(pastebin\.com\/raw|hastebin\.com\/raw|paste\.ee\/r\/|ghostbin\.[a-z]{2,4}\/|rentry\.(co|org)\/[^'"\s]{1,40}\/raw|raw\.githubusercontent\.com\/|transfer\.sh\/|0x0\.st\/|controlc\.com\/|pastie\.org\/)/ nocase
        $w = /(fwrite|fputs|file_put_contents)\s{0,3}\(|copy\s{0,3}\(\s{0,3}['"]https?:/ nocase
        $t1 = "DOCUMENT_ROOT"
        $t2 = /\.(php\d?|phtml|html?)['"]/ nocase
        // an updater checks what it fetched against the release's checksums; a dropper does not
        $ck = /md5_file|sha1_file|hash_file|hash_equals|\bmd5\s{0,3}\(|\bsha1\s{0,3}\(|checksum/ nocase
        // any host, in a tiny page: fetched text written to a script file it names
        $net = /curl_exec\s{0,3}\(|(file_get_contents|copy)\s{0,3}\(\s{0,3}['"]https?:\/\// nocase
        // (what is written is a variable: the page's own generated config is written as a string)
        $wp = /file_put_contents\s{0,3}\(\s{0,3}(__DIR__\s{0,3}\.\s{0,3})?['"][^'"\r\n]{0,120}\.(php\d?|phtml)['"]\s{0,3},\s{0,3}\$\w{1,30}\s{0,3}\)|copy\s{0,3}\(\s{0,3}['"]https?:\/\/[^'"\r\n]{1,200}['"]\s{0,3},\s{0,3}(__DIR__\s{0,3}\.\s{0,3})?['"][^'"\r\n]{0,120}\.(php\d?|phtml)['"]/ nocase
    condition:
        // a small page, or the paste fetched and the write close together (an application that lists
        // themes on a raw host and writes its own files elsewhere is no dropper)
        (filesize < 200KB and $u and $w and any of ($t*) and (filesize < 8KB or (#u < 64 and #w < 256 and not $ck and
            for any i in (1..#u) : (for any j in (1..#w) : (@w[j] > @u[i] - 600 and @w[j] < @u[i] + 600))))) or
        (filesize < 4KB and $net and $wp)
}

rule WSA_Php_WriteThenInclude
{
    meta:
        id = "WSA-PHP-112"
        description = "PHP writes a PHP open tag and request-derived or fetched text into a file and then includes or requires that file (a small page, or any page that includes the file and deletes it at once): eval without eval"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/function.include.php"
        mitre_attack = "T1505.003"
    strings:
        // the bare open tag as a whole string, alone or followed by a variable: "<?php\n" . $code
        $w = /,\s{0,3}["']<\?(php)?\s{0,2}(\\r)?(\\n)?\s{0,2}["']\s{0,3}(\)|\.\s{0,3}(\$|[a-zA-Z_]\w{0,30}\s{0,3}\())/ nocase
        $wf = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        $i = /(include|require)(_once)?\s{0,3}\(?\s{0,3}(['"][^'"\r\n]{1,80}['"]|\$[a-zA-Z_]\w{0,30})\s{0,3}\)?\s{0,3};/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_|php:\/\/input/ nocase
        // a temporary file included and deleted at once: the code runs and leaves nothing behind
        $t = /tempnam\s{0,3}\(/ nocase
        $iu = /(include|require)(_once)?\s{0,3}\(?\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,3}\)?\s{0,3};\s{0,10}@?\s{0,3}unlink\s{0,3}\(\s{0,3}\$/ nocase
        // the open tag and a variable in one interpolated string ("<?php\n$code\n?>"), the file
        // included and deleted at once (a quoted, interpolated path too): fetched or request code
        $w2 = /(fwrite|fputs|file_put_contents)\s{0,3}\([^;,()\n]{1,80},\s{0,3}"<\?(php)?(\s|\\n|\\r){1,4}\{?\$/ nocase
        $iu2 = /(include|require)(_once)?\s{0,3}\(?\s{0,3}(\$[a-zA-Z_]\w{0,30}|"[^"\n]{1,80}"|'[^'\n]{1,80}')\s{0,3}\)?\s{0,3};\s{0,10}@?\s{0,3}unlink\s{0,3}\(/ nocase
        $fetch = /(file_get_contents|curl_exec|stream_get_contents)\s{0,3}\(/ nocase
        // request data (decoded or not) written to a temporary file that a tiny page includes,
        // however it names the file (include basename($f) after a path change)
        $wq = /(file_put_contents|fwrite|fputs)\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3},\s{0,3}@?\s{0,3}((base64_decode|gzinflate|gzuncompress|str_rot13|hex2bin|urldecode|rawurldecode)\s{0,3}\(\s{0,3}){0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $tmp = /tempnam\s{0,3}\(|sys_get_temp_dir\s{0,3}\(|tmpfile\s{0,3}\(/ nocase
        $i2 = /\b(include|require)(_once)?(\s{1,3}|\s{0,3}\(\s{0,3})[$a-zA-Z_]/ nocase
    condition:
        (filesize < 4KB and $w and $wf and $i and $req) or
        // (an include after the write: a page's own includes come first)
        (filesize < 4KB and $wq and $tmp and $i2 and @i2[#i2] > @wq[1]) or
        (filesize < 2MB and $w and $wf and $t and $iu and $req) or
        (filesize < 2MB and $w2 and $iu2 and ($req or $fetch))
}

rule WSA_Php_UnderscoreVariableCall
{
    meta:
        id = "WSA-PHP-113"
        description = "PHP calls a variable named only with underscores ($_(...), $__(...), @$___(...)) as a function: the signature of name-building one-liners (XOR/increment tricks, decoded function names)"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        $c1 = "$_("
        $c2 = "$__("
        $c3 = "$___("
        $c4 = "$____("
        $c5 = /\$_{1,4}\s{1,3}\(/
        $c6 = /\$_{1,4}\s{0,3}\[[^\]\r\n]{1,20}\]\s{0,3}\(/
        // the same text escaped inside a regular expression ('/\$_(GET|POST)/')
        $e1 = "\\$_("
        $php = "<?"
    condition:
        filesize < 100KB and $php and (#c1 > #e1 or any of ($c2, $c3, $c4, $c5, $c6))
}

rule WSA_Php_StrReplaceBuiltEval
{
    meta:
        id = "WSA-PHP-114"
        description = "small PHP file that strips marker words out of a string with a chain of str_replace calls and evaluates the result: code hidden behind junk tokens"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/function.str-replace.php"
        mitre_attack = "T1505.003"
    strings:
        $sr = /str_replace\s{0,3}\(\s{0,3}["'][^"'\r\n]{2,40}["']\s{0,3},/ nocase
        $ev = /[^\w>:$](eval|assert|create_function)\s{0,3}\(\s{0,3}@?\s{0,3}\$[a-zA-Z_]/ nocase
    condition:
        filesize < 4KB and #sr >= 4 and $ev
}

rule WSA_Php_Loader_LdPreload
{
    meta:
        id = "WSA-PHP-122"
        description = "PHP writes a file and starts a program with LD_PRELOAD set (export LD_PRELOAD=./x.so in a script it runs, or putenv(\"LD_PRELOAD=..\") then mail()/error_log() to spawn sendmail): native code loaded into a system binary, the disable_functions bypass and the miner/bot droppers built on it"
        family = "Native payload loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://man7.org/linux/man-pages/man8/ld.so.8.html"
        mitre_attack = "T1505.003"
    strings:
        $ld = "LD_PRELOAD" ascii
        $put = /(file_put_contents|fwrite|fputs|move_uploaded_file)\s{0,3}\(/ nocase
        $run = /[^\w>:$](system|exec|passthru|shell_exec|popen|proc_open)\s{0,3}\(/ nocase
        $env = /putenv\s{0,3}\(\s{0,3}["']LD_PRELOAD\s{0,3}=/ nocase
        $child = /[^\w>:$](mail|error_log|mb_send_mail|imap_mail)\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        // or a page that only sets it and starts a child: the library was planted beside it
        filesize < 1MB and $php and (($ld and $put and ($run or ($env and $child))) or ($env and $child))
}

rule WSA_Php_SeoRelay_RemotePage
{
    meta:
        id = "WSA-PHP-123"
        description = "A small PHP page that fetches a page from a hard-coded remote address with its own host, path or query appended and prints it as its own: the doorway/SEO-spam relay planted on compromised sites (remote content served under the victim's domain)"
        family = "SEO spam relay"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        // the remote base kept in a variable: $Remote_server = "http://203.0.113.9/";
        $base = /\$\w{1,30}\s{0,3}=\s{0,3}["']https?:\/\/[^"'\s\/]{4,80}[^"'\s]{0,80}["']\s{0,3};/
        $self = /\$_SERVER\s{0,3}\[\s{0,3}["']?(PHP_SELF|QUERY_STRING|REQUEST_URI)["']?\s{0,3}\]/
        $host = /\$_SERVER\s{0,3}\[\s{0,3}["']?(HTTP_HOST|SERVER_NAME)["']?\s{0,3}\]/
        $fetch = /(file_get_contents|curl_init|fopen)\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}[.,)]/ nocase
        $echo = /(echo|print)\s{1,3}\$\w{1,30}\s{0,3}[;.]/ nocase
        $php = "<?" ascii
    condition:
        filesize < 16KB and $php and $base and $self and $host and $fetch and $echo
}

rule WSA_Php_Writer_RequestNamedFile
{
    meta:
        id = "WSA-PHP-124"
        description = "A small PHP page that takes a folder, a file name and a body from the request into variables and writes the body to that path (fopen($dir.'/'.$name,'w') + fwrite): a remote publisher for planted pages and shells"
        family = "File writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/function.fwrite.php"
        mitre_attack = "T1505.003"
    strings:
        $req = /\$\w{1,30}\s{0,3}=\s{0,3}(@\s{0,3})?((stripslashes|trim|urldecode|base64_decode)\s{0,3}\(\s{0,3})?\$_(REQUEST|POST|GET)\s{0,3}\[/ nocase
        $open = /fopen\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}\.\s{0,3}(["'][\/\\]{1,2}["']\s{0,3}\.\s{0,3})?\$\w{1,30}\s{0,3},\s{0,3}["'][wa]b?\+?["']/ nocase
        $write = /(fwrite|fputs)\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3},[^;]{0,60}\$\w/ nocase
        $php = "<?" ascii
    condition:
        filesize < 16KB and $php and #req >= 3 and $open and $write
}

rule WSA_Php_Flooder_Udp
{
    meta:
        id = "WSA-PHP-125"
        description = "PHP UDP flooder: a request-chosen host hit through fsockopen('udp://'...) in a loop that outlives the request (set_time_limit(0) / ignore_user_abort): a DDoS tool planted next to web shells"
        family = "DDoS tool"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/function.fsockopen.php"
        mitre_attack = "T1505.003"
    strings:
        $udp = /fsockopen\s{0,3}\(\s{0,3}["']udp:\/\/["']\s{0,3}\.\s{0,3}\$/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        $write = /(fwrite|fputs)\s{0,3}\(/ nocase
        $t1 = /set_time_limit\s{0,3}\(\s{0,3}0\s{0,3}\)/ nocase
        $t2 = /ignore_user_abort\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        filesize < 64KB and $php and $udp and $req and $write and ($t1 or $t2)
}

rule WSA_Php_Dropper_EmbeddedShell
{
    meta:
        id = "WSA-PHP-126"
        description = "PHP writes out a PHP page carried in a string literal whose code runs commands, evaluates or saves uploads from the request (move_uploaded_file of $_FILES, eval/system of $_POST...): a dropper planting a web shell"
        family = "Dropper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $lit1 = /'<\?php[^'\r\n]{0,600}(move_uploaded_file\s{0,3}\(\s{0,3}\$_FILES|(eval|assert|system|passthru|shell_exec)\s{0,3}\(\s{0,3}(base64_decode\s{0,3}\(\s{0,3})?\$_(POST|GET|REQUEST|COOKIE))/ nocase
        $lit2 = /"<\?php[^"\r\n]{0,600}(move_uploaded_file\s{0,3}\(\s{0,3}\\?\$_FILES|(eval|assert|system|passthru|shell_exec)\s{0,3}\(\s{0,3}(base64_decode\s{0,3}\(\s{0,3})?\\\$_(POST|GET|REQUEST|COOKIE))/ nocase
        $w = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
    condition:
        filesize < 512KB and ($lit1 or $lit2) and $w
}

rule WSA_Php_Downloader_RequestUrlToPath
{
    meta:
        id = "WSA-PHP-127"
        description = "small PHP page that fetches a URL taken from the request (curl, file_get_contents, copy) and saves the answer under a file name also taken from the request: a remote-file dropper"
        family = "Dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        // two request values held in variables: $u = trim($_REQUEST['name']); $f = $_REQUEST['file'];
        $in = /\$[a-zA-Z_]\w{0,30}\s{0,3}=\s{0,3}(isset\s{0,3}\([^;?]{0,60}\?\s{0,3})?@?\s{0,3}((trim|urldecode|base64_decode|stripslashes)\s{0,3}\(\s{0,3})?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        // the URL is the request's: a scheme glued to a variable, or the request value itself
        $fetch = /[^\w>:$](curl_init|file_get_contents|fopen|copy)\s{0,3}\(\s{0,3}(["']https?:\/\/["']\s{0,3}\.\s{0,3}\$[a-zA-Z_]|\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[)/ nocase
        $put = /[^\w>:$](file_put_contents|copy)\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,3},\s{0,3}\$/ nocase
    condition:
        filesize < 8KB and #in >= 2 and $fetch and $put
}

rule WSA_Php_Recon_RequestDirectoryListing
{
    meta:
        id = "WSA-PHP-128"
        description = "tiny PHP page that lists any directory the request names (opendir/scandir of a request value, directly or through a variable assigned just before) with sizes or permissions: a directory browser dropped to explore the server"
        family = "Reconnaissance page"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1083/"
        mitre_attack = "T1505.003"
    strings:
        $in = /\$\w{1,30}\s{0,3}=\s{0,3}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        $d1 = /(opendir|scandir|dir)\s{0,3}\(\s{0,3}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $d2 = /(opendir|scandir)\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}\)/ nocase
        $r = /readdir|is_dir|filesize|fileperms|scandir/ nocase
        $php = "<?"
    condition:
        filesize < 3KB and $php and $r and ($d1 or (#in < 32 and #d2 < 32 and
            for any i in (1..#in) : (for any j in (1..#d2) : (@d2[j] > @in[i] and @d2[j] - @in[i] < 300))))
}

rule WSA_Php_Backdoor_DecodedRequestPayload
{
    meta:
        id = "WSA-PHP-129"
        description = "PHP decodes request or cookie data into a structure (unserialize/json_decode of base64 or a XOR helper) and evaluates one of its fields: a keyed payload backdoor (the code comes in the request, a key field gates it)"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $u = /(unserialize|json_decode)\s{0,3}\([^;]{0,160}(base64_decode|str_rot13|gzinflate|gzuncompress|hex2bin)\s{0,3}\(/ nocase
        $ev = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}@?\s{0,3}\$[a-zA-Z_]\w{0,30}\s{0,3}\[\s{0,3}['"]\w{1,30}['"]\s{0,3}\]\s{0,3}\)/ nocase
        $req = /\$_(COOKIE|REQUEST|POST|GET)\b/
        $php = "<?"
    condition:
        filesize < 64KB and $php and $u and $ev and $req
}

rule WSA_Php_Persistence_RestoreOrReroute
{
    meta:
        id = "WSA-PHP-130"
        description = "PHP page that keeps a planted script alive: renames a quarantined copy (name.php.suspected, the suffix hosting scanners give) back to .php, or rewrites .htaccess to route the site's pages to a PHP script with a query (doorway/backdoor persistence)"
        family = "Persistence helper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $q = /rename\s{0,3}\([^;\n]{0,120}\.suspected["']/ nocase
        $ht = ".htaccess" nocase
        // the rule written by the page itself: every page name sent to one script with a query
        $rw = /RewriteRule\s{1,8}[^\n"']{1,120}\s{1,8}[\w.\/-]{1,80}\.php\?[^\n"']{1,120}\$1/
        $wr = /(fwrite|fputs|file_put_contents)\s{0,3}\(/ nocase
        $c = /chmod\s{0,3}\([^;\n]{1,80},\s{0,3}0?777\s{0,3}\)/ nocase
        $i = /ignore_user_abort\s{0,3}\(/ nocase
        $php = "<?"
    condition:
        filesize < 64KB and $php and ($q or ($ht and $rw and $wr and ($c or $i)))
}

rule WSA_Php_Probe_FixedReconCommand
{
    meta:
        id = "WSA-PHP-131"
        description = "tiny PHP page whose work is running a fixed reconnaissance command (id, whoami, uname -a, ls, pwd, dir, ipconfig/ifconfig, hostname, cat /etc/passwd, net user) through system/exec/shell_exec/passthru/popen/proc_open or backticks: the probe dropped to test whether command execution works before a full shell follows"
        family = "Command execution probe"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        // the command as the call's literal first argument: proc_open('id', ..), popen("ls", 'r')
        $d = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open)\s{0,4}\(\s{0,4}["'](id|whoami|uname( -a)?|ls( -l?a?l?)?|pwd|dir|ipconfig( \/all)?|ifconfig|hostname|cat \/etc\/passwd|net user)(\\n|\s{0,2}2>&1)?["']\s{0,4}[,)]/ nocase
        // or held in a variable first: $command = 'id'; passthru($command);
        $v = /\$\w{1,32}\s{0,4}=\s{0,4}["'](id|whoami|uname( -a)?|ls( -l?a?l?)?|pwd|dir|ipconfig( \/all)?|ifconfig|hostname|cat \/etc\/passwd|net user)(\\n(id|whoami|pwd|ls|uname -a)){0,3}(\\n)?["']\s{0,4};/ nocase
        $s = /[^\w>:$](system|passthru|shell_exec|exec|popen|proc_open)\s{0,4}\(\s{0,4}\$\w{1,32}\s{0,4}[,)]/ nocase
        $b = /(echo|print|=)\s{0,4}`(id|whoami|uname -a|ls -la|pwd|ifconfig|cat \/etc\/passwd)`/
        $php = "<?"
    condition:
        filesize < 2KB and $php and ($d or ($v and $s) or $b)
}

rule WSA_Php_Probe_HostReport
{
    meta:
        id = "WSA-PHP-133"
        description = "A small PHP page that reports the host to whoever loads it: the kernel and host name (php_uname) together with safe_mode or the disabled functions, the questions an attacker asks of a freshly compromised server before choosing a shell or an exploit (a probe dropped and polled by mass-exploitation kits)"
        family = "Recon probe"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1082/"
        mitre_attack = "T1505.003"
    strings:
        // the whole uname, no argument: applications that ask want one field (php_uname('s'))
        $u = /[^\w>:$]php_uname\s{0,3}\(\s{0,3}\)/ nocase
        $s1 = /ini_get\s{0,3}\(\s{0,3}['"](safe_mode|disable_functions)['"]/ nocase
        $s2 = /['"]safe_mode['"]/ nocase
        $php = "<?" ascii
    condition:
        filesize < 16KB and $php and $u and ($s1 or $s2)
}

rule WSA_Php_Seo_Cloaker
{
    meta:
        id = "WSA-PHP-134"
        description = "A PHP page that tells search engines from people (the Referer or User-Agent compared with google/bing/yahoo/yandex, a pipe-separated list of engines, or a list of crawler names) and then redirects to, prints or includes another page, or serves crawlers a whole other document inline: the cloaking doorway of SEO-spam and traffic-redirect campaigns planted on compromised sites"
        family = "SEO cloaking doorway"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1608/006/"
        mitre_attack = "T1505.003"
    strings:
        $ref = /HTTP_REFERER[^\n]{0,100}(google|yahoo|bing|yandex|baidu)/ nocase
        $list = /(google|yahoo|bing|yandex|baidu|msn|aol|rambler|sogou)\.?\|(google|yahoo|bing|yandex|baidu|msn|aol|rambler|sogou|bot|crawl|slurp|spider)/ nocase
        // a list of crawler names as strings, compared with the User-Agent
        $bots = /["'](Googlebot|bingbot|YandexBot|Baiduspider|AdsBot-Google|Google-InspectionTool)["']\s{0,3},/ nocase
        $ua = "HTTP_USER_AGENT" ascii
        // or it closes PHP under the crawler test and serves a whole other document inline
        $inline = /(googlebot|bingbot|google-inspectiontool)["'][^;{\n]{0,40}\)\s{0,3}\)?\s{0,3}\{\s{0,3}\?>\s{0,20}(<\?php[^>\n]{0,300}\?>\s{0,20})?<(!doctype|html)/ nocase
        $botcmp = /(stripos|strpos|stristr|strstr|preg_match)\s{0,3}\([^;]{0,80}["'][^"'\n]{0,20}(Googlebot|bingbot|Google-InspectionTool|Google-Site-Verification|YandexBot|Baiduspider)/ nocase
        // or the page served to crawlers is included from elsewhere
        $inc = /[^\w>:$](include|require)(_once)?\b|readfile\s{0,3}\(|curl_exec/ nocase
        // a fetch from an address the page builds (pieces, a variable)
        $net = /curl_exec|file_get_contents\s{0,3}\(\s{0,3}\$|fsockopen/ nocase
        // a redirect to a remote address built from variables
        $redir = /header\s{0,3}\(\s{0,3}["']Location:\s{0,3}https?:\/\/[^"'\n]{0,200}\$/ nocase
        $remote = /(file_get_contents|curl_init|fopen|file)\s{0,3}\(\s{0,3}["']https?:\/\// nocase
        // the page's own fetch helper called on a remote address the request completes
        $helper = /[a-z_]\w{0,40}\s{0,3}\(\s{0,3}["']https?:\/\/[^"'\s]{1,200}\?["']\s{0,3}\.\s{0,3}\$/ nocase
        $php = "<?" ascii
    condition:
        filesize < 1MB and $php and (($ref or $list) and ($redir or $remote or $net) or
            // (an include alone only in a small page: an application's user class lists crawler
            // names to leave them out of its online users and requires its own files)
            ($bots and $ua and ($redir or $remote or (filesize < 20KB and $inc))) or
            ($inline and $ua) or
            (filesize < 64KB and $botcmp and $ua and ($redir or $remote or ($helper and $net))))
}

rule WSA_Php_Loader_DecryptThenEval
{
    meta:
        id = "WSA-PHP-135"
        description = "A PHP page that decrypts code with a cipher (openssl_decrypt, mcrypt_decrypt) and runs it (eval, assert, create_function): a loader whose shell is encrypted so that no plain-text or base64 signature can see it; applications decrypt data, not code"
        family = "Encrypted loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.openssl-decrypt.php"
        mitre_attack = "T1505.003"
    strings:
        $d = /(openssl_decrypt|mcrypt_decrypt)\s{0,3}\(/ nocase
        $e = /[^\w>:$](eval|assert|create_function)\s{0,3}\(/ nocase
        // the decryption run directly, at any size (a megabyte of ciphertext in the call)
        $de = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}@?\s{0,3}(openssl_decrypt|mcrypt_decrypt|sodium_crypto_secretbox_open)\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        // (the run near one of the first decryptions: a framework's core decrypts its cookies
        // in one place and evaluates its config in another)
        $php and ($de or (filesize < 64KB and $d and $e and for any i in (1..16) : ($e in (@d[i] - 1024 .. @d[i] + 1024))))
}

rule WSA_Php_Exec_ReflectionByName
{
    meta:
        id = "WSA-PHP-136"
        description = "A command or code function reached through reflection by its name (new ReflectionFunction('passthru')->invoke(...)): the call never appears as system(...) or eval(...) in the text"
        family = "Generic command shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/class.reflectionfunction.php"
        mitre_attack = "T1505.003"
    strings:
        $r = /new\s{1,3}ReflectionFunction\s{0,3}\(\s{0,3}['"](system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|assert|create_function)['"]\s{0,3}\)/ nocase
    condition:
        filesize < 5MB and $r
}

rule WSA_Php_Backdoor_AdminCreator
{
    meta:
        id = "WSA-PHP-137"
        description = "A standalone PHP file that boots Magento (app/Mage.php) and creates a back-office user with a role, the drop-in admin creator left on shops after a compromise (the WordPress form is WSA-PHP-047)"
        family = "CMS admin backdoor"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1136/"
        mitre_attack = "T1505.003"
    strings:
        $boot = "app/Mage.php" ascii
        $user = /Mage::getModel\s{0,3}\(\s{0,3}['"]admin\/user['"]\s{0,3}\)/ nocase
        $role = /(setRoleIds|setRoleId|Mage::getModel\s{0,3}\(\s{0,3}['"]admin\/roles?['"])/ nocase
    condition:
        filesize < 32KB and $boot and $user and $role
}

rule WSA_Php_RemoteCode_HiddenUrl
{
    meta:
        id = "WSA-PHP-141"
        description = "A PHP page that writes a web address in hex, base64 or rot13 (68747470.., aHR0cHM6Ly.., uggcf://..) and fetches, runs, includes or redirects to it: the remote loaders and redirectors of real-world compromises hide where their code comes from; an application has no reason to hide its own URLs"
        family = "Remote code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1027/"
        mitre_attack = "T1505.003"
    strings:
        // "http://" / "https://" as hex, as base64 (its first 6 or 7 characters do not depend on
        // what follows) and as rot13, at the start of a string literal
        $u1 = /["'](68747470733a2f2f|687474703a2f2f|aHR0cHM6Ly|aHR0cDovL|uggcf?:\/\/)/ nocase
        // or written backwards, for strrev: "war/..//:sptth"
        $u2 = /\/\/:s?ptth["']/ nocase
        $use = /file_get_contents|curl_exec|curl_init|fopen|stream_get_contents|[^\w>:$]file\s{0,3}\(|[^\w>:$](eval|assert)\s{0,3}\(|[^\w>:$](include|require)(_once)?\b|header\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        filesize < 5MB and $php and ($u1 or $u2) and $use
}

rule WSA_Php_Loader_ArchiveInclude
{
    meta:
        id = "WSA-PHP-142"
        description = "A tiny PHP page whose only work is to include code from inside an archive through a stream wrapper (phar://, zip://, compress.zlib://): the shell is kept in a .zip, .phar or .gz next to it where no scanner of .php files looks"
        family = "Archive loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/wrappers.php"
        mitre_attack = "T1505.003"
    strings:
        // a phar that is not named .phar (a .zip, an image, a log), or named at run time; zip://
        // and compressed streams are never how an application ships its code (a phar-packed
        // application's stub, require 'phar://app.phar/index.php', is not matched)
        $w1 = /phar:\/\/[^"'\s\/]{0,80}\.(zip|gz|tar|jpe?g|png|gif|ico|txt|tmp|log|dat|bak)\b/ nocase
        $w2 = /phar:\/\/(%s|\$|["']\s{0,3}\.)/ nocase
        // a path joined at run time that names a .phar archive in the same expression is an
        // application's own packaged plugin ('phar://' . INCLUDE_DIR . '/plugins/audit.phar/..')
        $app = /phar:\/\/["']\s{0,3}\.[^;\r\n]{0,80}\.phar\//
        $w3 = /(zip|compress\.zlib|compress\.bzip2):\/\// nocase
        $i = /[^\w>:$](include|require)(_once)?\b/ nocase
        $php = "<?" ascii
    condition:
        filesize < 1KB and $php and ($w1 or $w3 or #w2 > #app) and $i
}

rule WSA_Php_Tamper_SecurityPlugin
{
    meta:
        id = "WSA-PHP-144"
        description = "A PHP page that renames, deletes or empties the folder or main file of a WordPress security plugin (Wordfence, Sucuri, iThemes Security, WP Cerber, All In One WP Security, MalCare): malware switching off what would find it"
        family = "Defence evasion"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1562/001/"
        mitre_attack = "T1505.003"
    strings:
        $p = /plugins\/(wordfence|sucuri-scanner|better-wp-security|ithemes-security-pro|wp-cerber|all-in-one-wp-security-and-firewall|malcare-security|wordfence-login-security)\b/ nocase
        $act = /[^\w>:$](rename|unlink|rmdir|file_put_contents|chmod)\s{0,3}\([^;\n]{0,120}(wordfence|sucuri|better-wp-security|ithemes|cerber|all-in-one-wp-security|malcare)/ nocase
        // in a small page, the path kept in a variable first
        $op = /[^\w>:$](rename|unlink|rmdir)\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        // (a dropped tool is small; the cap keeps a page of repeated calls cheap)
        filesize < 256KB and $php and $p and ($act or (filesize < 16KB and $op))
}

rule WSA_Php_Loader_TempFileInclude
{
    meta:
        id = "WSA-PHP-146"
        description = "PHP writes fetched or request-supplied code into an anonymous temporary file (tmpfile) and includes it through the stream's own path (stream_get_meta_data(..)['uri']): eval without eval, and nothing left on disk when the request ends"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.stream-get-meta-data.php"
        mitre_attack = "T1505.003"
    strings:
        $m = /stream_get_meta_data\s{0,3}\(/ nocase
        $u = /\[\s{0,3}['"]uri['"]\s{0,3}\]/ nocase
        $t = /tmpfile\s{0,3}\(/ nocase
        // the include takes the stream's path, or a variable (that path kept in it)
        $inc = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}(stream_get_meta_data\s{0,3}\([^;]{1,80}\)\s{0,3}\[\s{0,3}['"]uri['"]|\$\w{1,40}\s{0,3}\[\s{0,3}['"]uri['"]|\$\w{1,40}\s{0,3}\)?\s{0,3};)/ nocase
        $fetch = /curl_exec|file_get_contents\s{0,3}\(\s{0,3}['"$]|stream_get_contents|fsockopen/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE|FILES)\b|php:\/\/input/ nocase
        $php = "<?" ascii
    condition:
        // the include next to the stream's path (a library that has a temp-file helper in one
        // place and includes its own modules in another is no loader); next to one of the
        // first paths, since a loop over every pair would cost the product of their counts
        filesize < 256KB and $php and $m and $u and $t and ($fetch or $req) and
        for any i in (1..16) : ($inc in (@u[i] - 1024 .. @u[i] + 1024))
}

rule WSA_Php_Backdoor_WpAdminBySql
{
    meta:
        id = "WSA-PHP-147"
        description = "PHP inserts a WordPress administrator with raw SQL: a row in the users table and the serialized administrator capability (or user level 10) in usermeta. WordPress and its plugins create users through wp_insert_user and roles through the API; a raw insert of the capability is a backdoor account planted by a dropped page"
        family = "Backdoor account creator"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://developer.wordpress.org/reference/functions/wp_insert_user/"
        mitre_attack = "T1505.003"
    strings:
        $ins = /INSERT\s{1,3}INTO\s{1,3}[^;\n]{0,60}usermeta/ nocase
        // a:1:{s:13:"administrator";b:1;} (its quotes escaped inside a PHP string too; the
        // flag may be any truthy value: b:1, i:1, s:1:"1")
        $cap = /s:13:\\{0,2}["']administrator\\{0,2}["'];(b:1|i:1|s:1:\\{0,2}["']1\\{0,2}["']);/ nocase
        $lvl = /user_level['"]?\s{0,3},\s{0,3}['"]?10\b/ nocase
        $insu = /INSERT\s{1,3}INTO\s{1,3}[^;\n]{0,60}users[`'"]?\s{0,3}\([^)]{0,200}user_pass/ nocase
        $php = "<?" ascii
    condition:
        filesize < 64KB and $php and $ins and $insu and ($cap or $lvl)
}

rule WSA_Php_Persistence_CrontabDropper
{
    meta:
        id = "WSA-PHP-148"
        description = "PHP appends a line to the user's crontab through a shell ((crontab -l; echo ..) | crontab -) that downloads with wget or curl: a page that re-plants its files every minute after they are cleaned"
        family = "Dropper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1053/003/"
        mitre_attack = "T1505.003"
    strings:
        $l = /crontab\s{1,3}-l/ nocase
        $p = /\|\s{0,3}crontab\s{1,3}-["'\s)]/ nocase
        $d = /(wget|curl)[ \t]{1,3}[^;\n'"]{0,120}(https?:|\$\w|['"]\s{0,3}\.)/ nocase
        $x = /shell_exec|passthru|proc_open|popen\s{0,3}\(|[^\w>:$.](system|exec)\s{0,3}\(/ nocase
        $php = "<?" ascii
    condition:
        filesize < 256KB and $php and $l and $p and $d and $x
}

rule WSA_Php_Bypass_ImapProxyCommand
{
    meta:
        id = "WSA-PHP-149"
        description = "PHP opens an IMAP mailbox whose server name carries an ssh -oProxyCommand: imap_open runs that command through rsh/ssh, a known way around disable_functions"
        family = "disable_functions bypass"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.imap-open.php"
        mitre_attack = "T1505.003"
    strings:
        $i = /imap_open\s{0,3}\(/ nocase
        $p = "ProxyCommand" nocase
        $php = "<?" ascii
    condition:
        filesize < 1MB and $php and $i and $p
}

rule WSA_Php_Backdoor_WpAutoLogin
{
    meta:
        id = "WSA-PHP-150"
        description = "A WordPress page or plugin that logs the visitor in (wp_set_auth_cookie) as an existing or hard-wired user when a request value is present, with no password, nonce or signature checked: a login backdoor (single sign-on and magic-link plugins verify a token first)"
        family = "Backdoor account creator"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://developer.wordpress.org/reference/functions/wp_set_auth_cookie/"
        mitre_attack = "T1505.003"
    strings:
        $c = /wp_set_auth_cookie\s{0,3}\(/ nocase
        $u = /get_user_by\s{0,3}\(|get_users\s{0,3}\(|username_exists\s{0,3}\(|email_exists\s{0,3}\(/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        // what a genuine login link checks first
        $v = /wp_check_password|wp_authenticate|wp_verify_nonce|check_admin_referer|hash_equals|hash_hmac|openssl_verify|password_verify|wp_validate_auth_cookie|get_transient|verify_token|validate_token|jwt/ nocase
        $php = "<?" ascii
    condition:
        filesize < 16KB and $php and $c and $u and $req and not $v
}

rule WSA_Php_Backdoor_WpAdminOnInit
{
    meta:
        id = "WSA-PHP-151"
        description = "A WordPress hook on every request (init, wp_loaded, admin_init, plugins_loaded) that creates a user with a password written in the page and makes it an administrator: a backdoor account re-created whenever it is deleted"
        family = "Backdoor account creator"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://developer.wordpress.org/reference/functions/wp_create_user/"
        mitre_attack = "T1505.003"
    strings:
        $h = /add_action\s{0,3}\(\s{0,3}['"](init|wp_loaded|admin_init|plugins_loaded|wp_head|wp_footer)['"]/ nocase
        $cu = /wp_create_user\s{0,3}\(\s{0,3}(\$\w{1,30}|['"][^'"\n]{1,40}['"])\s{0,3},\s{0,3}(\$\w{1,30}|['"][^'"\n]{1,60}['"])/ nocase
        $lit = /\$\w{0,20}(pass|pwd)\w{0,20}\s{0,3}=\s{0,3}['"][^'"\n]{3,60}['"]\s{0,3};|wp_create_user\s{0,3}\(\s{0,3}['"][^'"\n]{1,40}['"]\s{0,3},\s{0,3}['"]/ nocase
        $r = /set_role\s{0,3}\(\s{0,3}['"]administrator['"]|['"]role['"]\s{0,3}=>\s{0,3}['"]administrator['"]/ nocase
        $php = "<?" ascii
    condition:
        filesize < 32KB and $php and $h and $cu and $lit and $r
}

rule WSA_Php_Loader_WriteIncludeDelete
{
    meta:
        id = "WSA-PHP-152"
        description = "PHP writes code it was handed (a string opening with <?php followed by a variable, then deleted after the include; or request data itself) to a temporary file and includes that file: eval without eval, leaving nothing on disk. Template engines compile to files too, but keep them in their cache folder and never delete what they include"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.tempnam.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        // "<?php {$code}", '<?php ' . $code, "<?php\n$code"
        $code = /["']<\?(php)?(\s|\\n|\\x20|\\40){0,4}(\{\$|\$\w|["']\s{0,3}\.\s{0,3}\$)/ nocase
        $w = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        // or a writer held in a variable, handed the path and the code: $f($tmp, "<?php " . $c)
        $w2 = /\$\w{1,40}\s{0,3}\(\s{0,3}\$\w{1,40}\s{0,3},\s{0,3}["']<\?php/ nocase
        $inc = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}\$\w{1,40}\s{0,3}\)?\s{0,3}[;)]/ nocase
        $del = /unlink\s{0,3}\(\s{0,3}\$\w{1,40}\s{0,3}\)/ nocase
        $tmp = /tempnam|sys_get_temp_dir|tmpfile|upload_tmp_dir|['"]\/tmp\/|\/dev\/shm/ nocase
        // the request written as it came
        $reqw = /(file_put_contents|fwrite|fputs)\s{0,3}\(\s{0,3}\$\w{1,40}\s{0,3},\s{0,3}[^;]{0,40}(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|php:\/\/input)/ nocase
    condition:
        filesize < 256KB and $php and ($w or $w2) and $inc and $tmp and (($code and $del) or $reqw)
}

rule WSA_Php_Dropper_RemoteCodeInclude
{
    meta:
        id = "WSA-PHP-153"
        description = "small PHP page that fetches code from a URL (file_get_contents/curl/copy of an http address, or curl/wget in a shell command) into a temporary file and includes it: a stager that pulls the real shell at run time"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $url = /['"](https?:\/\/|\/\/)?[\w.-]{3,64}\.[a-z]{2,10}\/[^'"\s]{0,200}\.(php\d?|txt|phtml|inc|jpg|png|gif)['"]/ nocase
        $f1 = /(file_get_contents|curl_exec|fopen|copy|readfile|stream_get_contents)\s{0,3}\(/ nocase
        $f2 = /(curl|wget)\s[^'"\n]{0,40}(-[kLsSO]|\$|\{)/
        $w = /(file_put_contents|fwrite|fputs|copy)\s{0,3}\(/ nocase
        $inc = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}(\$\w{1,40}|\$GLOBALS\s{0,3}\[)/ nocase
        $tmp = /tempnam|sys_get_temp_dir|['"]\/tmp\/|\/dev\/shm|\/var\/tmp/ nocase
        // curl fetches only from the network, whatever builds the address ("https://" . $host .
        // $path in pieces)
        $net = /curl_(init|exec|setopt)\s{0,3}\(/ nocase
    condition:
        filesize < 12KB and $php and ($url or $net) and ($f1 or $f2) and $w and $inc and $tmp
}

rule WSA_Php_Tunnel_ConnectForwardVerbs
{
    meta:
        id = "WSA-PHP-154"
        description = "PHP HTTP-to-TCP tunnel: a page that opens a socket (fsockopen/stream_socket_client/socket_connect) and dispatches tunnel verbs (CONNECT, FORWARD, READ, DISCONNECT) read from the request body: reGeorg-style tunnels and their rewrites, whatever their headers or banners"
        family = "HTTP tunnel"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $s = /fsockopen|stream_socket_client|socket_connect|socket_create/ nocase
        $v1 = /(case|==)\s{0,3}['"]CONNECT['"]/
        $v2 = /(case|==)\s{0,3}['"]DISCONNECT['"]/
        $v3 = /(case|==)\s{0,3}['"]FORWARD['"]/
        $v4 = /(case|==)\s{0,3}['"]READ['"]/
        $req = /php:\/\/input|\$_(POST|GET|REQUEST|COOKIE|SERVER)|getallheaders|apache_request_headers/ nocase
    condition:
        filesize < 200KB and $php and $s and 3 of ($v*) and $req
}

rule WSA_Php_Obfuscation_NonAlphanumeric : conceals
{
    meta:
        id = "WSA-PHP-155"
        description = "PHP written without letters or digits: names and strings built from empty arrays, XOR and concatenation ([]^[], [][[]], ([].[])[..]), the PHP counterpart of JSFuck. No application writes code this way"
        family = "Non-alphanumeric PHP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/language.operators.bitwise.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $a = /\(\[\]\^\[\[?\]\]?\)/
        $b = "[][[]]" ascii
        $c = "([].[])" ascii
    condition:
        filesize < 2MB and $php and #a > 20 and (#b > 5 or #c > 5)
}

rule WSA_Php_Eval_RegexEvalModifierCall
{
    meta:
        id = "WSA-PHP-156"
        description = "a function held in a variable (or built at run time) called with a regular expression that carries the e modifier: preg_replace('/.+/e', $code, ..) evaluates its replacement as PHP, the name kept out of sight"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        // a regular expression with the e modifier as a call's first argument...
        $x1 = /\('[\/#~][^'\n]{0,120}[\/#~][imsxuADSUXJ]{0,8}e[imsxuADSUXJ]{0,8}'\s{0,3},/
        $x2 = /\("[\/#~][^"\n]{0,120}[\/#~][imsxuADSUXJ]{0,8}e[imsxuADSUXJ]{0,8}"\s{0,3},/
        // ...where the call is not preg_replace/preg_filter named in plain sight (legacy code)
        $n1 = /preg_(replace|filter)\s{0,3}\('[\/#~][^'\n]{0,120}[\/#~][imsxuADSUXJ]{0,8}e[imsxuADSUXJ]{0,8}'\s{0,3},/ nocase
        $n2 = /preg_(replace|filter)\s{0,3}\("[\/#~][^"\n]{0,120}[\/#~][imsxuADSUXJ]{0,8}e[imsxuADSUXJ]{0,8}"\s{0,3},/ nocase
    condition:
        filesize < 512KB and $php and #x1 + #x2 > #n1 + #n2
}

rule WSA_Php_Exfil_MessengerCredentials
{
    meta:
        id = "WSA-PHP-157"
        description = "PHP sends what it captures to a chat bot (the Telegram or Discord bot API): a login hook's password, a request's cookie, or the planted file's own address. Credential and cookie stealers and implant beacons report to attackers this way"
        family = "Credential exfiltration"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1567/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $bot = /api\.telegram\.org\/bot|discord(app)?\.com\/api\/webhooks/ nocase
        // a login password, a cookie handed over in the request, a page reporting its own URL
        $c1 = /\$_(POST|REQUEST)\s{0,3}\[\s{0,3}['"](pwd|pass|passwd|password|log_pass|user_pass)['"]/ nocase
        $c2 = /add_action\s{0,3}\(\s{0,3}['"](wp_login|wp_authenticate|authenticate)['"]/ nocase
        $c3 = /\$_(GET|POST|REQUEST)\s{0,3}\[\s{0,3}['"](c|cookie|cookies)['"]\s{0,3}\]/ nocase
        $ck = "cookie" nocase
        $c4 = /\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_HOST['"]\s{0,3}\]\s{0,3}\.\s{0,3}\$_SERVER\s{0,3}\[\s{0,3}['"](REQUEST_URI|PHP_SELF|SCRIPT_NAME)['"]/ nocase
    condition:
        filesize < 64KB and $php and $bot and ($c1 or $c2 or $c4 or ($c3 and $ck))
}

rule WSA_Php_Include_RequestAsCode
{
    meta:
        id = "WSA-PHP-158"
        description = "PHP includes the request itself as code: the request body (php://input), a data: URL built from request data, or the temporary file of an upload: eval without eval"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/wrappers.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $i1 = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}['"]php:\/\/input['"]/ nocase
        $i2 = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}['"]data:(\/\/)?[\w\/+.-]{0,40}(;base64)?,[^'"\n]{0,40}['"]\s{0,3}\.\s{0,3}[^;]{0,40}\$_(GET|POST|REQUEST|COOKIE|SERVER)/ nocase
        $i3 = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]tmp_name['"]/ nocase
    condition:
        filesize < 2MB and $php and any of ($i*)
}

rule WSA_Php_Exec_NativeCallFFI
{
    meta:
        id = "WSA-PHP-159"
        description = "PHP declares a C library's command function (system, popen, execve, execl) through FFI and calls it: command execution that disable_functions does not stop"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/class.ffi.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $d = /FFI\s{0,3}::\s{0,3}cdef\s{0,3}\(\s{0,3}["'][^"']{0,300}\b(system|popen|execve|execl|execvp)\s{0,3}\(/ nocase
        $c = /->\s{0,3}(system|popen|execve|execl|execvp)\s{0,3}\(/ nocase
    condition:
        filesize < 1MB and $php and $d and $c
}

rule WSA_Php_Exec_SendmailArguments
{
    meta:
        id = "WSA-PHP-160"
        description = "PHP passes sendmail options taken with request data to mail()/mb_send_mail(): -X writes a log file the request names (a PHP file planted through the mail log), -C/-O QueueDirectory read or write files, -be runs expansions"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.mail.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $m = /[^\w>:$](mail|mb_send_mail)\s{0,3}\(/ nocase
        // a sendmail option literal that the request completes: `'-X' . $_GET['log']`
        $o = /['"]\s{0,3}-(X|C|OQueueDirectory=|O\s{1,2}QueueDirectory=|be)[^'"\n]{0,80}['"]\s{0,3}\.\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/
    condition:
        filesize < 1MB and $php and $m and $o
}

rule WSA_Php_Include_ImageFile
{
    meta:
        id = "WSA-PHP-161"
        description = "PHP includes a file named as an image or icon (.jpg, .png, .gif, .ico, .bmp, .webp): code hidden where a scanner skips by name and an admin sees a picture. Applications include .php files, and show images with <img>"
        family = "Hidden code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1036/008/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $i = /[^\w>:$\/](include|require)(_once)?[\s(]\s{0,3}\(?\s{0,3}[^;\n]{0,80}\.(jpe?g|png|gif|ico|bmp|webp)['"]\s{0,3}\)?\s{0,3};/ nocase
    condition:
        filesize < 1MB and $php and $i
}

rule WSA_Php_Obfuscation_JunkLiteralAssignments : conceals
{
    meta:
        id = "WSA-PHP-162"
        description = "PHP that assigns long runs of random letters to the same few variables again and again (decoys named after decoding functions, $str_rot13, $b64x ...) around a small decoder: the padding of a commercial-grade PHP obfuscator"
        family = "Obfuscated PHP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/language.variables.basics.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $j = /\$\w{1,20}\s{0,2}=\s{0,2}'[A-Za-z]{80,}';/
    condition:
        filesize < 4MB and $php and #j > 30
}

rule WSA_Php_Loader_PayloadAfterHaltCompiler
{
    meta:
        id = "WSA-PHP-163"
        description = "PHP reads its own file past __halt_compiler() (__COMPILER_HALT_OFFSET__), decodes what follows and includes or evaluates it: a packed shell riding as data after the code. Phar stubs read past the halt too, through Phar::mapPhar, and are not judged here"
        family = "Packed PHP loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.halt-compiler.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        // the offset passed to a read of the file (fseek, file_get_contents), not a name in a list
        $off = /[,(]\s{0,3}__COMPILER_HALT_OFFSET__\s{0,3}[,)]/ nocase
        $run = /[^\w>:$](include|require)(_once)?\s{0,3}\(?\s{0,3}\$|[^\w>:$](eval|assert)\s{0,3}\(/ nocase
        $phar = /Phar\s{0,3}::|PharData|Phar::mapPhar/ nocase
    condition:
        filesize < 4MB and $php and $off and $run and not $phar
}

rule WSA_Php_Loader_PropertyPickedNames
{
    meta:
        id = "WSA-PHP-164"
        description = "a PHP class that builds function names from single picks of its own array properties ($this->a[1].$this->a[2]..), and decodes its data with a character-difference cipher (chr of ord(x) - ord(key)): a WordPress-infecting loader family hiding under random class names"
        family = "Obfuscated PHP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $pick = /\$this\s{0,2}->\s{0,2}\w{1,30}\[\d\]\s{0,3}\.\s{0,3}\$this\s{0,2}->\s{0,2}\w{1,30}\[\d\]\s{0,3}\.\s{0,3}\$this\s{0,2}->\s{0,2}\w{1,30}\[\d\]/
        $diff = /ord\s{0,2}\(\s{0,2}\$\w{1,30}\s{0,2}\[[^\]\n]{1,40}\]\s{0,2}\)\s{0,3}[-+^]\s{0,3}ord\s{0,2}\(/ nocase
    condition:
        filesize < 1MB and $php and $pick and $diff
}


rule WSA_Php_Bypass_MemoryCorruption
{
    meta:
        id = "WSA-PHP-167"
        description = "PHP page that reads its own process map (/proc/self/maps or /proc/self/mem) and parses ELF structures (program headers, the dynamic section, symbol tables) to find native functions: the use-after-free and heap exploits that run shell code or call system() past disable_functions"
        family = "disable_functions bypass"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/ini.core.php#ini.disable-functions"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $m = /\/proc\/self\/(maps|mem)/
        // ELF parsing: the magic as an integer, segment and dynamic-section tags, the C handlers
        $e1 = /0x464c457f|PT_DYNAMIC|PT_LOAD|DT_SYMTAB|DT_STRTAB|DT_JMPREL|zif_system|basic_functions/
        // ...and raw memory read as integers: bytes shifted in one by one, or 64-bit (un)packing
        $e2 = /<<=?\s{0,3}8\s{0,3};?\s{0,40}\$\w{1,20}\s{0,3}\|=\s{0,3}ord\s{0,3}\(|ord\s{0,3}\([^;\n]{0,60}<<\s{0,3}(8|\(\s{0,3}8)|pack\s{0,3}\(\s{0,3}["'][QPJ]["']/ nocase
        // ...or the handler of a command function named as a C symbol, the target a heap leak
        // (no /proc read) overwrites a closure's handler with
        $zif = /zif_(system|exec|passthru|shell_exec|popen|proc_open)\b/ nocase
    condition:
        filesize < 300KB and $php and $e2 and (($m and $e1) or $zif)
}

rule WSA_Php_Tunnel_SessionSocketRelay
{
    meta:
        id = "WSA-PHP-168"
        description = "PHP HTTP-to-TCP tunnel of any verb set: a non-blocking socket whose data is passed through $_SESSION between requests, read and written on the request's behalf (Tunna and its rewrites)"
        family = "HTTP tunnel"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $s = /socket_connect\s{0,3}\(|fsockopen\s{0,3}\(|stream_socket_client\s{0,3}\(/ nocase
        $nb = /socket_set_nonblock\s{0,3}\(|stream_set_blocking\s{0,3}\([^;)]{0,40},\s{0,3}(0|false)\s{0,3}\)/ nocase
        // (or the stream functions on fsockopen's stream)
        $rd = /socket_read\s{0,3}\(|socket_recv\s{0,3}\(|fread\s{0,3}\(/ nocase
        // (a stream written with what the page holds, not a fixed command like an SMTP QUIT)
        $wr = /socket_write\s{0,3}\(|socket_send\s{0,3}\(|fwrite\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3},\s{0,3}[@$]/ nocase
        $ss = /\$_SESSION\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}(\.=|=)/
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|php:\/\/input|getallheaders\s{0,3}\(|apache_request_headers/ nocase
    condition:
        filesize < 100KB and $php and $s and $nb and $rd and $wr and $ss and $req
}

rule WSA_Php_Generic_CapabilityMix
{
    meta:
        id = "WSA-PHP-171"
        description = "A PHP page that reads the request and holds many of the capability families a web shell combines (commands, code evaluation, file writes, file reads, folder listing, sockets, databases, decoders, permissions, system reconnaissance, outbound fetches, mail, no time limit, silenced errors, uploads, its own path): under 20 KB six of the sixteen; up to 1 MB seven of the nine no application page combines (commands, eval, sockets, permissions, reconnaissance, no time limit, silenced errors, uploads, its own path). Each threshold is the lowest count at which the benign sets flag at most 1 file in 10,000 (3 and 0 of 39,044 benign PHP files)"
        family = "Generic web-shell manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $req = /\$_(GET|POST|REQUEST|COOKIE)\b|php:\/\/input/
        $c01 = /[^\w>:$](system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s{0,3}\(/ nocase
        $c02 = /[^\w>:$](eval|assert|create_function)\s{0,3}\(/ nocase
        $c03 = /(fwrite|file_put_contents|move_uploaded_file|rename|unlink|rmdir)\s{0,3}\(/ nocase
        $c04 = /(readfile|fread|file_get_contents|highlight_file|show_source)\s{0,3}\(/ nocase
        $c05 = /(opendir|scandir|readdir|glob)\s{0,3}\(/ nocase
        $c06 = /fsockopen|socket_create|stream_socket_client|stream_socket_server/ nocase
        $c07 = /mysqli?_connect|new\s{1,3}(mysqli|PDO)\b|pg_connect|mssql_connect|oci_connect/ nocase
        $c08 = /base64_decode|gzinflate|str_rot13|gzuncompress|hex2bin|convert_uudecode/ nocase
        $c09 = /(chmod|chown|fileperms|posix_getpwuid|is_writable)\s{0,3}\(/ nocase
        $c10 = /php_uname|getmyuid|get_current_user|disk_free_space|ini_get\s{0,3}\(\s{0,3}['"](disable_functions|safe_mode|open_basedir)/ nocase
        $c11 = /curl_exec|(file_get_contents|fopen)\s{0,3}\(\s{0,3}['"]https?:\/\// nocase
        $c12 = /[^\w>:$]mail\s{0,3}\(/ nocase
        $c13 = /set_time_limit\s{0,3}\(\s{0,3}0|ignore_user_abort/ nocase
        $c14 = /error_reporting\s{0,3}\(\s{0,3}0\s{0,3}\)|ini_set\s{0,3}\(\s{0,3}['"]display_errors['"]\s{0,3},\s{0,3}['"]?0/ nocase
        $c15 = "$_FILES" ascii
        $c16 = /__FILE__|SCRIPT_FILENAME/
        // an application's installer (it checks the server, creates the database and writes its
        // configuration) guards itself with a lock file against a second run
        $lock = /install(ed)?[._]lock/ nocase
    condition:
        $php and $req and ((filesize < 20KB and 6 of ($c*) and not $lock) or (filesize < 1MB and 7 of ($c01, $c02, $c06, $c09, $c10, $c13, $c14, $c15, $c16)))
}

rule WSA_Php_Tunnel_HttpRelay
{
    meta:
        id = "WSA-PHP-179"
        description = "A small PHP page that reads its own raw request body (php://input) and posts it on to an address built from request values (curl, a stream context or a raw socket), printing the answer, or opens a raw socket to the host the body names and relays the rest of the body: an HTTP tunnel (pystinger-like, SOCKS-like) that turns the server into a pivot"
        family = "Tunnel"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $body = "php://input" nocase
        $fwd = /CURLOPT_POSTFIELDS|['"]content['"]\s{0,3}=>|fwrite\s{0,3}\(\s{0,3}\$fp/ nocase
        $req = /\$_(POST|GET|REQUEST)\s{0,3}\[|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_X/
        $out = /curl_init|stream_context_create|fsockopen/ nocase
        $back = /print_r|echo|print/ nocase
        // an application's controller (a messaging platform's callback posting on to its API)
        $cls = /\bclass\s{1,8}\w|\$this\s{0,4}->/
        // or a raw socket to the host the body itself names, the rest of the body copied into it
        // and its answer printed (a SOCKS-like relay)
        $sv = /stream_socket_client\s{0,3}\(\s{0,3}["'](tcp|udp):\/\/\$|fsockopen\s{0,3}\(\s{0,3}\$/ nocase
        $cp = /stream_copy_to_stream\s{0,3}\(|fwrite\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},\s{0,3}(fread\s{0,3}\(|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input)/ nocase
        $bk = /(echo|print)\s{0,3}\(?\s{0,3}stream_get_contents\s{0,3}\(|fpassthru\s{0,3}\(/ nocase
    condition:
        filesize < 20KB and $php and $body and (($fwd and $req and $out and $back and not $cls) or (filesize < 8KB and $sv and $cp and $bk))
}

rule WSA_Php_Beacon_UploaderMailsOwnAddress
{
    meta:
        id = "WSA-PHP-185"
        description = "A PHP page that saves uploads (copy or move_uploaded_file of $_FILES) and mails someone its own address (the host and the script's path or request URI): a planted uploader reporting where it was dropped"
        family = "Uploader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $mail = /[^\w>:$]mail\s{0,3}\(/ nocase
        $host = /\$_SERVER\s{0,3}\[\s{0,3}['"](HTTP_HOST|SERVER_NAME)['"]/
        $path = /\$_SERVER\s{0,3}\[\s{0,3}['"](REQUEST_URI|PHP_SELF|SCRIPT_NAME|SCRIPT_FILENAME)['"]/
        $up = /(copy|move_uploaded_file)\s{0,3}\(\s{0,3}\$_FILES/ nocase
    condition:
        filesize < 64KB and $php and $mail and $host and $path and $up
}

rule WSA_Php_Wordpress_HookWritesRemotePage
{
    meta:
        id = "WSA-PHP-186"
        description = "A WordPress hook that runs on every request (init, wp_loaded, wp_head, template_redirect, after_setup_theme) fetches text from a web address and writes it into the site (ABSPATH, DOCUMENT_ROOT): a theme or plugin planted to keep re-creating spam or shell pages"
        family = "Persistence"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://developer.wordpress.org/reference/functions/add_action/"
        mitre_attack = "T1505.003"
    strings:
        $hook = /add_action\s{0,3}\(\s{0,3}['"](init|wp_loaded|wp_head|wp_footer|template_redirect|after_setup_theme|plugins_loaded)['"]/
        $get = /(file_get_contents|wp_remote_retrieve_body|curl_exec)\s{0,3}\(\s{0,3}['"]?(https?:\/\/|\$)/ nocase
        $url = /['"]https?:\/\/[^'"\s]{4,200}['"]/
        $put = /(file_put_contents|fwrite)\s{0,3}\(/ nocase
        $root = /ABSPATH|\$_SERVER\s{0,3}\[\s{0,3}['"]DOCUMENT_ROOT['"]/
    condition:
        filesize < 512KB and $hook and $get and $url and $put and $root
}

rule WSA_Php_Persistence_CoreFileInjector
{
    meta:
        id = "WSA-PHP-187"
        description = "PHP page that reads a CMS core file (a WordPress wp-includes file, wp-settings.php, wp-load.php, wp-blog-header.php; Joomla's includes/defines.php or framework.php), edits it with a pattern and writes it back with an include or require line in a string: it plants a loader in code every request runs, so the backdoor survives the shell's removal"
        family = "Persistence injector"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $core = /['"][^'"\r\n]{0,80}(wp-includes\/[\w.-]{1,40}\.php|wp-settings\.php|wp-load\.php|wp-blog-header\.php|wp-cron\.php|wp-login\.php|includes\/defines\.php|includes\/framework\.php)['"]/ nocase
        // read, edited, written: a plugin that only loads wp-load.php or writes its own drop-in
        // does not edit a file it read
        $rd = /(file_get_contents|[^\w>:$]file)\s{0,3}\(\s{0,3}\$\w{1,40}/ nocase
        $mod = /(preg_replace|str_replace|substr_replace|str_ireplace)\s{0,3}\(/ nocase
        $put = /(file_put_contents|fwrite|fputs)\s{0,3}\(/ nocase
        // an include statement inside a string literal (escaped tabs and line breaks before it)
        $inj = /['"][^'"\r\n]{0,80}(\\[nrt]|[ \t;{}>])@?(include|require)(_once)?[ \t]{0,3}(\\?["'(]|\$)/ nocase
        $php = "<?" ascii
    condition:
        filesize < 200KB and $php and $core and $rd and $mod and $put and $inj
}

rule WSA_Php_Tool_DatabaseConsole
{
    meta:
        id = "WSA-PHP-189"
        description = "Small PHP page that connects to a database server the request names (host, user, password from the request) and runs the SQL the request gives: a database console planted next to shells to dump or alter any reachable database"
        family = "Attack tool"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $c = /(mysqli_connect|mysql_connect|mysqli_real_connect|new\s{1,3}mysqli|new\s{1,3}PDO|pg_connect|mssql_connect|sqlsrv_connect|oci_connect)\s{0,3}\(\s{0,3}[^;]{0,60}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $q = /(mysqli_query|mysql_query|mysqli_multi_query|pg_query|mssql_query|sqlsrv_query|oci_parse|->\s{0,3}(query|exec|prepare|multi_query))\s{0,3}\(\s{0,3}([^;,]{0,40},\s{0,3})?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
    condition:
        filesize < 16KB and $c and $q
}

rule WSA_Php_SeoRelay_RawHostPage
{
    meta:
        id = "WSA-PHP-190"
        description = "A tiny PHP page whose work is to print a page fetched from a raw code or paste host (raw.githubusercontent.com, gist, pastebin raw ..) or a remote .php/.txt/.html file: defacement or SEO content the intruder changes at will, served under the site's name"
        family = "SEO spam relay"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        // printed at once: echo file_get_contents("https://raw.githubusercontent.com/..")
        $f1 = /(echo|print)\s{0,3}\(?\s{0,3}@?\s{0,3}(file_get_contents|implode\s{0,3}\(\s{0,3}['"]{2}\s{0,3},\s{0,3}file)\s{0,3}\(\s{0,3}['"]https?:\/\/((raw|gist)\.githubusercontent\.com|pastebin\.com\/raw|paste\.ee\/r|rentry\.(co|org)|[^'"\s]{4,200}\.(php\d?|txt|html?)['"])/ nocase
        // or kept in a variable first: $p = file_get_contents('https://../x.php'); echo $p;
        $f2 = /\$\w{1,30}\s{0,3}=\s{0,3}@?\s{0,3}file_get_contents\s{0,3}\(\s{0,3}['"]https?:\/\/((raw|gist)\.githubusercontent\.com|pastebin\.com\/raw|paste\.ee\/r|rentry\.(co|org)|[^'"\s]{4,200}\.(php\d?|txt|html?)['"])/ nocase
        $echo = /(echo|print)\s{0,3}\(?\s{0,3}\$\w{1,30}\s{0,3}\)?\s{0,3};/ nocase
        $php = "<?" ascii
    condition:
        filesize < 1KB and $php and ($f1 or ($f2 and $echo))
}

rule WSA_Php_Loader_XorThenEval
{
    meta:
        id = "WSA-PHP-191"
        description = "A small PHP page that deciphers request data with its own XOR loop (each byte XORed with a key's, appended to a string) and evaluates the result held in a variable: a loader whose code arrives in the request, enciphered so that no signature on the traffic sees it (Godzilla-like). A page that only unpacks a literal of its own is encoding, which the decode stage judges by what it unpacks"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://attack.mitre.org/techniques/T1027/"
        mitre_attack = "T1505.003"
    strings:
        // $o .= $d[$i] ^ $k[$i % 3];  /  $o .= chr(ord($d[$i]) ^ ord($k[..]))
        $x = /\.=\s{0,3}\$\w{1,20}\s{0,3}(\[[^\]\r\n]{1,30}\]|\{[^}\r\n]{1,30}\})\s{0,3}\^\s{0,3}\$\w{1,20}\s{0,3}(\[[^\]\r\n]{1,40}\]|\{[^}\r\n]{1,40}\})/
        $x2 = /\.=\s{0,3}chr\s{0,3}\(\s{0,3}ord\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}(\[[^\]\r\n]{1,30}\]|\{[^}\r\n]{1,30}\})\s{0,3}\)\s{0,3}\^/ nocase
        $ev = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}@?\s{0,3}\$\w{1,30}\s{0,3}\)/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\b|php:\/\/input|getallheaders\s{0,3}\(|\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_/
        $php = "<?" ascii
    condition:
        filesize < 16KB and $php and ($x or $x2) and $ev and $req
}
