/*
  PHP: code evaluation of request data (eval, assert, create_function, preg_replace /e,
  request data used as a callable). Trait rules: input and sink within a bounded window.
*/

rule WSA_Php_Generic_EvalRequest
{
    meta:
        id = "WSA-PHP-001"
        description = "eval/assert/create_function whose argument takes request data ($_GET/$_POST/$_REQUEST/$_COOKIE, headers, php://input) within the same statement"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/"
        mitre_attack = "T1505.003"
    strings:
        // The request read right inside the call, after an optional '...'. prefix, or inside one or two
        // decoder calls. Fixed shapes instead of a free window: a file of repeated "eval(" stays cheap.
        $e1 = /[^\w>:$](eval|assert|create_function)\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2}(['"][^'"\r\n]{0,12}['"]\s{0,2}\.\s{0,2}|\w{1,20}\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2})?\\?(\$_(GET|POST|REQUEST|COOKIE)\b|\$_SERVER\s{0,3}\[\s{0,3}['"]?(HTTP_|QUERY_STRING)|\$HTTP_(GET|POST|COOKIE)_VARS|\$GLOBALS\s{0,3}\[\s{0,3}['"]_(POST|GET|REQUEST|COOKIE)|getenv\s{0,3}\(\s{0,3}['"]?HTTP_|php:\/\/input|getallheaders\s{0,3}\(|apache_request_headers|filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        $e1u = /[^\w>:$](eval|assert|create_function)\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2}(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|stripslashes|stripcslashes|urldecode|rawurldecode|trim|hex2bin|strrev|htmlspecialchars_decode|file_get_contents)\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2}((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|stripslashes|stripcslashes|urldecode|rawurldecode|trim|hex2bin|strrev|htmlspecialchars_decode|file_get_contents)\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2})?(\$_(GET|POST|REQUEST|COOKIE)\b|\$_SERVER\s{0,3}\[\s{0,3}['"]?(HTTP_|QUERY_STRING)|\$HTTP_(GET|POST|COOKIE)_VARS|\$GLOBALS\s{0,3}\[\s{0,3}['"]_(POST|GET|REQUEST|COOKIE)|getenv\s{0,3}\(\s{0,3}['"]?HTTP_|php:\/\/input|getallheaders\s{0,3}\(|apache_request_headers|filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
    condition:
        // bounded windows, but a dozen alternatives tried at every "eval(": files up to 1 MB
        // here, the fixed one-liner shapes (WSA-PHP-118) beyond
        filesize < 1MB and ($e1 or $e1u)
}

rule WSA_Php_Generic_RequestOneLiner
{
    meta:
        id = "WSA-PHP-118"
        description = "eval/assert/system/exec/passthru/shell_exec/popen/proc_open/pcntl_exec called directly on request data ($_GET[..], or through one decoder such as base64_decode), or a request-named function called on request data, in a file of any size (a padded one-liner): fixed shapes, cheap on large files"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        // at the start of a statement or an expression (not quoted in a comment or a string)
        $a = /([;{}=(,]|<\?php|<\?|\n)[ \t]{0,8}@?[ \t]{0,3}(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $b = /([;{}=(,]|<\?php|<\?|\n)[ \t]{0,8}@?[ \t]{0,3}(eval|assert|system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)\s{0,3}\(\s{0,3}@?(base64_decode|gzinflate|str_rot13|stripslashes|hex2bin|urldecode|trim)\s{0,3}\(\s{0,3}@?(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|\$_SERVER\s{0,3}\[\s{0,3}['"]?HTTP_)/ nocase
        // $_GET['f']($_POST['x']): the request names the function
        $c = /\$_(GET|POST|REQUEST|COOKIE)\[['"]?\w{1,20}['"]?\] ?\( ?@?\$_(GET|POST|REQUEST|COOKIE)\[/
    condition:
        any of them
}

rule WSA_Php_Generic_EvalRequestVariable
{
    meta:
        id = "WSA-PHP-115"
        description = "eval/assert of a variable in a small page that just put request data in a variable, or in a page that offers a code text box (the argument is not the request itself: WSA-PHP-001 covers that)"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        // request data placed in a variable, then evaluated: $x = $_POST['a']; ... eval($x)
        $in = /=\s{0,5}[@(]{0,2}\s{0,2}(\w{1,20}\s{0,3}\(\s{0,3}[@(]{0,2}\s{0,2})?(\$_(GET|POST|REQUEST|COOKIE)\b|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input|getallheaders|filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        // the variable itself, glued or indexed (a method's result, `eval($o->hook())`, is other code)
        $ev = /[^\w>:$](eval|assert)\s{0,10}\(\s{0,5}[@(]{0,3}\s{0,5}\$[a-zA-Z_]\w{0,40}\s{0,3}[).;\[,]/ nocase
        // eval of a variable in a page that offers a code text box
        $req = /\$_(GET|POST|REQUEST|COOKIE)|HTTP_(POST|GET)_VARS|filter_input\s{0,3}\(\s{0,3}INPUT_/ nocase
        $ta = "<textarea" nocase
    condition:
        // small pages only, apart from WSA-PHP-001: large files do not pay for these strings
        (filesize < 4KB and $in and $ev) or (filesize < 300KB and $req and #ev < 64 and #ta < 64 and
            for any i in (1..#ev) : (for any j in (1..#ta) : (@ev[i] - @ta[j] < 3072 and @ta[j] - @ev[i] < 3072)))
}

rule WSA_Php_Generic_RequestAsCallable
{
    meta:
        id = "WSA-PHP-002"
        description = "request data used as a function name or include path, or passed to a computed callee: $_GET['f']($_POST['x']), (expr)($_GET['a']), call_user_func/array_map/usort with a request-supplied callback, or a dangerous callback string applied to request data"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        // $_GET['f'](...)  /  @$_POST[x]($_POST[y])
        // what follows the parenthesis is an argument (not prose in a comment: "via $_GET['url'] (see..")
        // (with an argument: a forum dispatching $_POST['item']() after an in_array check
        // passes nothing an attacker wrote)
        $call1 = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\s{0,3}\[[^\]\n]{1,40}\]\s{0,80}\(\s{0,80}([$@'"(]|\.\.\.\s{0,3}\$|\w{1,30}\s{0,3}\()/
        // $f($_POST['x'])  -- variable function applied to request data
        // (also printed or returned: echo $p1($_GET['cmd'] . ' 2>&1'))
        $call2 = /([;{}@=(,!.]|echo\s|print\s|return\s)\s{0,5}@?\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE|FILES)\s{0,3}\[/
        // $$b($_REQUEST['p']): a variable variable's function on request data
        $call6 = /\$\$[a-zA-Z_]\w{0,20}\s{0,3}\(\s{0,3}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE|FILES)\s{0,3}\[/
        // $a = $_GET['a']; $f($a);  -- request value handed straight to a variable function
        // a closure defined in the file: $f($_POST[..]) is then most likely that local helper
        // (or a method made a closure: $v = Closure::fromCallable([$page, 'render']))
        $closure = /\$[a-zA-Z_]\w{0,20}\s{0,3}=\s{0,3}((static\s{1,3})?(function|fn)\s{0,3}\(|Closure\s{0,3}::\s{0,3}fromCallable\s{0,3}\(\s{0,3}(\[|array\s{0,3}\()\s{0,3}\$)/ nocase
        $call5 = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,20}\]\s{0,3};\s{0,5}\$\w{1,20}\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\)/
        // include/require of a request-chosen file (remote or local file inclusion backdoor)
        $inc = /(include|require)(_once)?\s{0,3}\(?\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // (the file a bare variable or one with a suffix: a forum's require_once($sourcedir .
        // '/Subs-Post.php') after reading a message number joins a folder before the name)
        $inc2 = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,20}\]\s{0,3};\s{0,5}(include|require)(_once)?\s{0,3}\(?\s{0,3}\$\w{1,30}\s{0,3}(\)|;|\.\s{0,3}['"]\.)/ nocase
        // one to three decoders between the variable function and the request: $f(urldecode(urldecode($_REQUEST[..])))
        // a computed callee applied to request data: (substr($m,0,3).substr($m,4))($_GET['a']),
        // f("php".$q)($_GET[2]); a cast, (int)($_GET['id']), ends in a letter and is not one
        $call4 = /([^a-zA-Z \t(]|\$\w{1,20}|['"])\s{0,3}\)\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        // (an array element only under a number, a variable or a short key: a forum's function
        // table, $smcFunc['htmlspecialchars'](trim($_REQUEST[..])), names what it calls)
        $call3 = /(\$\w{1,20}|\[\s{0,3}(\d{1,3}|\$\w{1,20}|['"]\w{1,3}['"])\s{0,3}\])\s{0,3}\(\s{0,3}((stripslashes|base64_decode|trim|urldecode|rawurldecode|str_rot13|hex2bin)\s{0,3}\(\s{0,3}){1,3}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // the same element called on the request's data itself: $GLOBALS['a']($_GET[1]), $a[0]($_POST['x'])
        $call7 = /\[\s{0,3}(\d{1,3}|['"]\w{1,3}['"])\s{0,3}\]\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        // callback taken from the request
        $cb1 = /(call_user_func(_array)?|array_map|register_shutdown_function|register_tick_function|forward_static_call(_array)?|ob_start|set_error_handler|set_exception_handler|spl_autoload_register)\s{0,80}\(\s{0,5}@?\s{0,3}\$_(GET|POST|REQUEST|COOKIE|SERVER)/ nocase
        // a callback taken as a later argument: preg_replace_callback, array_filter, usort, ...
        $cb2 = /(preg_replace_callback|mb_ereg_replace_callback|array_filter|array_walk(_recursive)?|usort|uasort|uksort|iterator_apply|array_reduce)\s{0,3}\(([^;,()]{1,120}|[^;,()]{0,40}\([^;()]{0,80}\)[^;,()]{0,40}),\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}[,)]/ nocase
        $cb3 = /header_register_callback\s{0,3}\(\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $cb4 = /FILTER_CALLBACK\s{0,3},\s{0,3}(array\s{0,3}\(|\[)\s{0,3}['"]options['"]\s{0,3}=>\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        // windows after each request read: files up to 2 MB here, WSA-PHP-118 beyond
        filesize < 2MB and ($call1 or ($call2 and not $closure) or $call3 or $call4 or $call5 or $call6 or $call7 or $inc or $inc2 or any of ($cb*))
}

rule WSA_Php_Generic_CallbackByName
{
    meta:
        id = "WSA-PHP-116"
        description = "a dangerous function (assert, eval, system, exec, ...) passed by name as a callback (call_user_func, array_map, usort, preg_replace_callback, ...) in a page that reads request data, an array element called on decoded request data ($tbl[3](decode($_GET[p]))), or a variable callback applied to request data in a tiny page"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.php.net/manual/en/language.types.callable.php"
        mitre_attack = "T1505.003"
    strings:
        // dangerous function named as a string callback
        $cb2 = /(call_user_func(_array)?|array_map|array_filter|array_walk(_recursive)?|usort|uasort|uksort|array_reduce|register_shutdown_function|register_tick_function|forward_static_call(_array)?|iterator_apply|preg_replace_callback|mb_ereg_replace_callback|ob_start|filter_var)\s{0,5}\([^;]{0,120}['"](assert|eval|system|passthru|shell_exec|exec|popen|proc_open|create_function|pcntl_exec)['"]/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE|SERVER)|php:\/\/input|getallheaders|filter_input\s{0,3}\(\s{0,3}INPUT_/ nocase
        // call_user_func with a string-built function name next to request data
        // a callback in a variable applied to request data (call_user_func, array_map), or the
        // request value itself as the comparison or filter callback (usort($a, $_GET['f'])):
        // not an expression that merely starts with one (`$_GET['o'] == 'asc' ? .. : ..`)
        // (the callee also computed from a variable, trim($a); the arguments also wrapped,
        // array($_POST['a']))
        $cb3 = /(call_user_func(_array)?|array_map)\s{0,5}\(\s{0,5}(\$[a-zA-Z_]\w{0,20}|\w{1,20}\s{0,3}\(\s{0,3}\$[a-zA-Z_]\w{0,20}\s{0,3}\))\s{0,3},\s{0,5}((array\s{0,3}\(|\[)\s{0,3})?(\$_(GET|POST|REQUEST|COOKIE)|\[?\s{0,3}filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        // a closure made from a variable or a named sink: Closure::fromCallable($a)->__invoke(..)
        $cb5 = /Closure\s{0,3}::\s{0,3}fromCallable\s{0,3}\(\s{0,3}(\$[a-zA-Z_]\w{0,20}|['"](assert|system|passthru|shell_exec|exec|popen|proc_open)['"])/ nocase
        $cb4 = /(usort|uasort|uksort|array_filter|array_walk)\s{0,5}\(\s{0,5}\$[a-zA-Z_]\w{0,20}\s{0,3},\s{0,5}(\$_(GET|POST|REQUEST|COOKIE)(\s{0,3}\[[^\]\n]{1,30}\])?\s{0,3}[,)]|\[?\s{0,3}filter_input\s{0,3}\(\s{0,3}INPUT_)/ nocase
        // $tbl[3](decode($_GET['p'])) : array element called on transformed request data
        // (the key a number, a variable or a short string, as WSA-PHP-002's $call3)
        $call4 = /\[\s{0,3}(\d{1,3}|\$\w{1,20}|['"]\w{1,3}['"])\s{0,3}\]\s{0,3}\(\s{0,3}\w{1,20}\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/
    condition:
        // apart from WSA-PHP-002 and capped: a bounded window per hit is what costs in a large file
        filesize < 1MB and ($call4 or ($cb2 and $req) or (filesize < 3KB and ($cb3 or $cb4 or ($cb5 and $req))))
}

rule WSA_Php_Generic_PregReplaceEval
{
    meta:
        id = "WSA-PHP-003"
        description = "preg_replace with the /e modifier (code evaluation) fed by request data or a decode chain"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/reference.pcre.pattern.modifiers.php"
        mitre_attack = "T1505.003"
    strings:
        // the /e pattern and, right after the comma, request data or a decoder (no free window)
        $p1 = /preg_replace\s{0,3}\(\s{0,3}['"][^'"\n]{0,60}[\/#|!~@][imsxuADSUX]{0,3}e[imsxuADSUX]{0,3}['"]\s{0,3},\s{0,3}@?(\$_(GET|POST|REQUEST|COOKIE)|(base64_decode|gzinflate|gzuncompress|str_rot13|stripslashes|urldecode|str_replace)\s{0,3}\(|chr\s{0,3}\(|['"]\\x[0-9a-fA-F]{2}|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input)/ nocase
        // ... or request data as the subject, with the code in the replacement string
        $p2 = /preg_replace\s{0,3}\(\s{0,3}['"][^'"\n]{0,60}[\/#|!~@][imsxuADSUX]{0,3}e[imsxuADSUX]{0,3}['"]\s{0,3},\s{0,3}('[^'\r\n]{0,40}'|"[^"\r\n]{0,40}")\s{0,3},\s{0,3}@?\$_(GET|POST|REQUEST|COOKIE)/ nocase
    condition:
        filesize < 5MB and ($p1 or $p2)
}

rule WSA_Php_Generic_SmallCallbackBackdoor
{
    meta:
        id = "WSA-PHP-004"
        description = "tiny PHP file (< 2 KB) that reads request data and hands it to a rarely used callback sink (register_shutdown_function, register_tick_function, array_intersect_ukey, ReflectionFunction::invokeArgs, SQLite createFunction, mb_ereg_replace ...), extract()s the request (or parse_str()s it, into variables or into an array whose element it calls), or evals/execs a variable"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/language.types.callable.php"
        mitre_attack = "T1505.003"
    strings:
        $req = /\$_(GET|POST|REQUEST|COOKIE)|\$_SERVER\s{0,2}\[\s{0,2}['"]HTTP_|array_values\s{0,2}\(\s{0,2}\$_SERVER|HTTP_(POST|GET)_VARS|php:\/\/input|filter_input\s{0,3}\(\s{0,3}INPUT_/ nocase
        $s1 = /(register_shutdown_function|register_tick_function|uksort|array_udiff|array_uintersect|array_intersect_ukey|array_diff_ukey|forward_static_call|ReflectionFunction|createFunction|mb_ereg_replace|create_function|iterator_apply|array_reduce|invokeArgs)\s{0,3}\(/ nocase
        // an application's own shutdown or tick handler: a closure, a method pair, or a named
        // function with no arguments for it (a sink named with arguments is still a sink)
        $s1b = /register_(shutdown|tick)_function\s{0,3}\(\s{0,3}(\[|array\s{0,3}\(|function\s{0,3}\(|fn\s{0,3}\(|['"][a-z_]\w{0,40}['"]\s{0,3}\))/ nocase
        $s2 = /extract\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // parse_str of the request with no result array: every parameter becomes a variable
        $s2b = /parse_str\s{0,3}\(\s{0,3}(\$_SERVER\s{0,3}\[\s{0,3}['"]QUERY_STRING['"]\s{0,3}\]|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input['"]\s{0,3}\)|\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\])\s{0,3}\)/ nocase
        // the whole request copied, then extract()ed (taking it apart into variables,
        // `['f' => $f] = $_POST`, is the flow layer's to follow)
        $s2d = /\$\w{1,20}\s{0,3}=\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3};/
        $s2e = /extract\s{0,3}\(\s{0,3}\$\w/ nocase
        // or into an array whose element the page then calls: $p['f']($p['a'])
        $s2c = /parse_str\s{0,3}\(\s{0,3}(\$_SERVER\s{0,3}\[\s{0,3}['"]QUERY_STRING['"]\s{0,3}\]|file_get_contents\s{0,3}\(\s{0,3}['"]php:\/\/input['"]\s{0,3}\)|\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\])\s{0,3},\s{0,3}\$/ nocase
        $call1 = "\"](" ascii
        $call2 = "'](" ascii
        // array_map with a callback held in a variable (array_map('stripslashes', $_POST) is normal)
        // or a callback built at run time: variable, function result, escapes, concatenation
        $s4 = /array_map\s{0,3}\(\s{0,3}(\$[a-zA-Z_]|[a-zA-Z_]\w{0,30}\s{0,3}\(|['"][^'",)\n]{0,30}(\\x[0-9a-fA-F]|\\[0-7]{2}|['"]\s{0,3}\.))/ nocase
        $s5 = /array_walk\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},\s{0,3}\$/ nocase
        $s3 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}[@$]/ nocase
        $s6 = /[^\w>:$](system|passthru|shell_exec|popen|proc_open)\s{0,3}\(\s{0,3}[@$]/ nocase
        // the same calls quoted inside a doc comment
        $s3d = / \*[^\n]{0,150}[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}[@$]/ nocase
        $s6d = / \*[^\n]{0,150}[^\w>:$](system|passthru|shell_exec|popen|proc_open)\s{0,3}\(\s{0,3}[@$]/ nocase
        // arguments quoted for the shell: the page builds a fixed command line (a hosting
        // panel's log download); unquoted request data is the flow layer's to find
        $qa = /[^\w>:$](escapeshellarg|\w{1,16}shellarg)\s{0,3}\(/ nocase
    condition:
        filesize < 2KB and ($req or $s2b or $s2c) and (#s1 > #s1b or any of ($s2, $s2b, $s4, $s5) or ($s2c and any of ($call*)) or ($s2d and $s2e) or #s3 > #s3d or (#s6 > #s6d and not $qa))
}

rule WSA_Php_Generic_TinyDynamicCode
{
    meta:
        id = "WSA-PHP-005"
        description = "very small PHP file (< 1 KB) that reads request data and contains a dynamic-code primitive (assert, eval(, create_function, preg_replace/preg_filter, call_user_func, Reflection, usort, ob_start, ${...}, chr(), ereg): the typical one-line backdoor and its evasive variants"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        $req = /\$_(GET|POST|REQUEST|COOKIE|FILES)|\$_SERVER\s{0,2}\[\s{0,2}['"]HTTP_|_PO|HTTP_(POST|GET)_VARS|php:\/\/input/
        $s1 = /[^\w>]assert/ nocase
        $s2 = "create_function" nocase
        $s3 = /preg_(replace|filter)\s{0,3}\(\s{0,3}(\$|["'][^"'\n]{0,40}(e|\\x65|\\145)["'])/ nocase
        $s4 = /call_user_func(_array)?\s{0,3}\(\s{0,3}(['"]?(assert|eval|system|passthru|shell_exec|exec|create_function)|\$_|\$\w{1,20}\s{0,3},\s{0,3}\$_)/ nocase
        $s5 = "Reflection" nocase
        $s6 = "usort" nocase
        // chr of a number: a name spelled in char codes (chr($c) over a table is ordinary)
        $s7 = /chr\s{0,3}\(\s{0,3}(\d|0x)/ nocase
        // an output buffer with a callback (ob_start('assert')); a bare ob_start() is everywhere
        $s8 = /ob_start\s{0,3}\(\s{0,3}['"$]/ nocase
        $s9 = "${"
        $s10 = /eval\s{0,3}\(\s{0,3}["$@(]/ nocase
        $s11 = "\"p\".\"r\""
        $s12 = /ereg(i)?(_replace)?\s{0,3}\(/ nocase
        $s13 = /array_filter|uasort|array_walk|forward_static_call|array_udiff|array_intersect|iterator_apply|ReflectionClass/ nocase
        // payload parked in the session, called later
        $s14 = /\$_SESSION\s{0,2}\[[^\]\n]{1,20}\]\s{0,2}=\s{0,2}(base64_decode\s{0,2}\()?\$_(COOKIE|POST|GET|REQUEST)/ nocase
        $s15 = /\$\w{1,10}\s{0,2}\(\s{0,2}\$_SESSION/
        // ${$x}[a](${$x}[b]) : variable-variable superglobal called as a function
        $v1 = "](${"
        $v2 = "}(${"
        // ("#"^"|").("."^"~") : names XOR-ed together from punctuation
        $x1 = "\"^\""
        $php = "<?"
    condition:
        (filesize < 2KB and $php and (1 of ($v*) or #x1 >= 4)) or
        filesize < 1KB and (($req and any of ($s*)) or $s14 or $s15 or ($s9 and ($s1 or $s10)))
}

rule WSA_Php_Generic_PasswordGate
{
    meta:
        id = "WSA-PHP-006"
        description = "request parameter, header or cookie compared with a hard-coded MD5/SHA1/crypt hash (md5($_COOKIE['x']) == '...'): the password gate of a backdoor injected into an otherwise normal file"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $g = /(md5|sha1|crypt)\s{0,3}\(\s{0,3}@?\$_(COOKIE|GET|POST|REQUEST|SERVER)\s{0,3}\[[^\]\n]{1,30}\][^)\n]{0,10}\)\s{0,3}[!=]==?\s{0,3}['"][0-9a-zA-Z.\/]{13,64}['"]/ nocase
        // ...but not the Referer, which a browser sets: a forum checks where a page was opened from
        $gref = /(md5|sha1|crypt)\s{0,3}\(\s{0,3}@?\$_SERVER\s{0,3}\[\s{0,3}['"]HTTP_REFERER['"]\s{0,3}\][^)\n]{0,10}\)\s{0,3}[!=]==?\s{0,3}['"][0-9a-zA-Z.\/]{13,64}['"]/ nocase
        $h = /\$_(REQUEST|GET|POST|COOKIE)\s{0,2}\[[^\]\n]{1,20}\]\s{0,2}===?\s{0,2}['"][0-9a-f]{32}['"]/
    condition:
        filesize < 2MB and (#g > #gref or $h)
}

rule WSA_Php_Generic_SinkAsCallable
{
    meta:
        id = "WSA-PHP-165"
        description = "PHP takes a command or code sink as a value and runs request data through it: a first-class callable (`$r = shell_exec(...)`, PHP 8.1), or a function picked by position from get_defined_functions(): neither spells the call"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/functions.first_class_callable_syntax.php"
        mitre_attack = "T1505.003"
    strings:
        $fc = /[=(,]\s{0,3}\\?(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|assert|create_function|call_user_func|include_file|file_put_contents)\s{0,3}\(\s{0,3}\.\.\.\s{0,3}\)/ nocase
        // the same written in a doc comment (" * Shorthand for new Callback(create_function(...), ...)")
        $fcd = / \*[^\n]{0,150}[=(,]\s{0,3}\\?(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|assert|create_function|call_user_func|include_file|file_put_contents)\s{0,3}\(\s{0,3}\.\.\.\s{0,3}\)/ nocase
        $gd = /get_defined_functions\s{0,3}\(\s{0,3}\)/ nocase
        // an element of a table called: $f[(int)$_GET['i']](..)
        $ix = /\]\((\s{0,3}@?\$|\.\.\.)/
        $req = /\$_(GET|POST|REQUEST|COOKIE|SERVER)\s{0,3}\[|php:\/\/input|getallheaders/ nocase
    condition:
        $req and ((filesize < 200KB and #fc > #fcd) or (filesize < 20KB and $gd and $ix))
}

rule WSA_Php_Loader_StreamWrapperInclude
{
    meta:
        id = "WSA-PHP-166"
        description = "PHP registers its own stream wrapper and includes a path of that scheme on a page that reads the request: code served from memory (the request) to include, no file, no eval"
        family = "Remote code loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.stream-wrapper-register.php"
        mitre_attack = "T1505.003"
    strings:
        $reg = /stream_wrapper_register\s{0,3}\(/ nocase
        // a whole constant path of the scheme: what runs is not chosen by a name (a template
        // engine includes `'tpl://' . $name`), it is what the wrapper itself serves
        $inc = /(include|require)(_once)?\s{0,3}\(?\s{0,3}['"][a-z][a-z0-9]{0,15}:\/\/[^'"\n$]{0,40}['"]\s{0,3}\)?\s{0,3};/ nocase
        $std = /(include|require)(_once)?\s{0,3}\(?\s{0,3}['"](https?|ftp|php|file|phar|data|zip|vfs):\/\// nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|php:\/\/input|getallheaders/ nocase
    condition:
        filesize < 100KB and $reg and $req and #inc > #std
}

rule WSA_Php_Generic_CallbackNamedByCall
{
    meta:
        id = "WSA-PHP-172"
        description = "PHP names a callback by calling a function on a string literal (call_user_func_array(decode('xhhfsw'), array($_POST['a']))) and hands it request data: the callee's name is computed by the page's own cipher, a shape no application needs"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.call-user-func-array.php"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $cb = /(call_user_func(_array)?|array_map|register_shutdown_function|register_tick_function|forward_static_call(_array)?)\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3}\(\s{0,3}['"][^'"\n]{3,60}['"]\s{0,3}\)\s{0,3},/ nocase
        // ...not a translation or a framework's own getter (`__('..')`, `config('..')`)
        $own = /(call_user_func(_array)?|array_map)\s{0,3}\(\s{0,3}(__|_e|_x|esc_\w{1,10}|config|env|app|get_option|array_get|data_get|value)\s{0,3}\(/ nocase
        $req = /\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|php:\/\/input/ nocase
    condition:
        filesize < 8KB and $php and $cb and $req and not $own
}
