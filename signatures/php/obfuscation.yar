/*
  PHP: encoded payload chains fed to eval/assert, and encoded names of dangerous functions.
*/

rule WSA_Php_Obfuscation_EvalDecodeChain : conceals
{
    meta:
        id = "WSA-PHP-020"
        description = "eval/assert applied directly to a decoder (base64_decode, gzinflate, gzuncompress, str_rot13, strrev, hex2bin, convert_uudecode ...) of anything but a literal, to a variable function call, or to nested decoders: packed payload executed at run time (one decoder of a literal is judged by its decoded layer)"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        $d1 = /[^\w>:$](eval|assert)\s{0,10}\(\s{0,5}@?\s{0,3}(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode|pack|unserialize|gzip_inflate|strtr|implode|join|stripslashes)\s{0,5}\(/ nocase
        // the same call on a literal: its payload is the decode stage's to judge (an encoded
        // page alone is no finding; what its decoded layer does is)
        $lit = /[^\w>:$](eval|assert)\s{0,10}\(\s{0,5}@?\s{0,3}((base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode)\s{0,5}\(\s{0,5}){1,4}['"]/ nocase
        // eval($x(...)), assert($x(...)) : the decoder name is held in a variable
        $d2 = /[^\w>:$](eval|assert)\s{0,10}\(\s{0,5}@?\s{0,3}\$\{?[a-zA-Z_]\w{0,30}\}?(\[[^\]\n]{1,20}\]){0,2}\s{0,3}\(/ nocase
        // nested decoders without eval: gzinflate(base64_decode(  /  str_rot13(base64_decode(
        $n1 = /(gzinflate|gzuncompress|gzdecode|str_rot13|strrev)\s{0,3}\(\s{0,3}(base64_decode|str_rot13|gzinflate|strrev)\s{0,3}\(/ nocase
        // eval('?>' . gzuncompress($s)): a payload decoded from a variable, which no layer shows
        $d7 = /[^\w>:$](eval|assert)\s{0,5}\(\s{0,5}['"][^'"\n]{0,20}['"]\s{0,3}\.\s{0,3}(gzuncompress|gzinflate|gzdecode|base64_decode|str_rot13|strrev)\s{0,3}\(\s{0,3}(stripslashes\s{0,3}\(\s{0,3})?\$/ nocase
        $ev = /[^\w>:$](eval|assert|create_function)\s{0,10}\(/ nocase
        // eval(${$x}[...]) , eval($a[$GLOBALS['x'][1]]) , eval(f($a, $b))
        $d3 = /[^\w>:$](eval|assert)\s{0,5}\(\s{0,5}\$\{/ nocase
        $d4 = /(eval|assert)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\[\s{0,3}\$GLOBALS\s{0,3}\[/ nocase
        $d5 = /[^\w>:$]eval\s{0,5}\(\s{0,5}@?[a-zA-Z_]\w{1,30}\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},\s{0,3}\$\w{1,20}\s{0,3}\)\s{0,3}\)/ nocase
        // create_function('', $code) / create_function('$a', 'assert($a)')
        $f1 = /create_function\s{0,5}\(\s{0,5}(''|""|null)\s{0,5},\s{0,5}\$/ nocase
        // the first argument a literal or a variable: two free windows in a row cost their product
        $f2 = /create_function\s{0,5}\(\s{0,5}(['"][^'"\n]{0,40}['"]|\$\w{1,20}|null)\s{0,5},\s{0,5}['"][^'"]{0,40}(assert|eval|system|passthru|shell_exec)\s{0,3}\(/ nocase
        // create_function('$'.'v', $t[18].$t[8]...) : body assembled from a character table
        // (the table's first element an argument itself, not text in a quoted body: phpQuery's
        // create_function('$m', 'return $m[1].$m[2]..'))
        $f3 = /(create_function|eval|assert)\s{0,3}\([^;]{0,30}[,(]\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]\s{0,2}\.\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]\s{0,2}\.\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]/ nocase
        // payload carried in EXIF fields of an image: preg_replace($exif['Make'], $exif['Model'], '')
        $f6 = "exif_read_data"
        $f7 = /(preg_replace|eval|assert|create_function)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\[/ nocase
        // hex-nibble decoder (chr(($h[..]<<4)+$h[..])) feeding eval
        $f5 = /<<\s{0,2}4\s{0,2}\)\s{0,2}\+/
        $ev2 = /[^\w>:$](eval|assert)\s{0,5}\(\s{0,3}\$/ nocase
        $f4 = /create_function\s{0,3}\([^;]{0,30},\s{0,3}\w{1,30}\s{0,3}\(\s{0,3}(base64_decode|gzinflate|str_rot13|gzuncompress)/ nocase
        // $b = gzinflate($a); eval($b);
        $d6 = /(gzinflate|gzuncompress|gzdecode|base64_decode|str_rot13|strrev)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\)\s{0,3};\s{0,5}@?\s{0,3}(eval|assert)\s{0,3}\(\s{0,3}\$/ nocase
    condition:
        // a dozen strings verify at every "eval(": files up to 1 MB here; beyond, the one-liner
        // shapes (WSA-PHP-118) and the rules on the decode stage's layers judge a packed payload
        filesize < 1MB and (#d1 > #lit or any of ($d2, $d3, $d4, $d5, $d6, $d7) or any of ($f1, $f2, $f3, $f4) or ($f5 and $ev2 and filesize < 100KB) or ($f6 and $f7 and filesize < 5KB) or ($n1 and $ev and filesize < 500KB))
}

rule WSA_Php_Obfuscation_EvalOwnDecoder : conceals
{
    meta:
        id = "WSA-PHP-184"
        description = "eval/assert of a decoder the page defines itself (an LZW or cipher function) applied to a long base64 literal, through base64_decode or a variable holding a decoder: the code exists only at run time, and no decoded layer can show it (a built-in decoder of a literal is judged by its layer; WSA-PHP-020 covers decoders of variables)"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        $own = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}@?\s{0,3}[A-Za-z_]\w{0,40}\s{0,3}\(\s{0,3}@?\s{0,3}(\$[A-Za-z_]\w{0,40}|base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin)\s{0,3}\(\s{0,3}['"][A-Za-z0-9+\/=\r\n]{300}/ nocase
        // the same shape with a built-in decoder outside: the decode stage unwraps it
        $builtin = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}@?\s{0,3}(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin|convert_uudecode|rawurldecode|urldecode)\s{0,3}\(\s{0,3}@?\s{0,3}(\$[A-Za-z_]\w{0,40}|base64_decode|gzinflate|gzuncompress|str_rot13|strrev|hex2bin)\s{0,3}\(\s{0,3}['"][A-Za-z0-9+\/=\r\n]{300}/ nocase
        $php = "<?" ascii
    condition:
        // (two checks at every "eval(": kept to the first size tier, as packed shells are)
        filesize < 300KB and $php and #own > #builtin
}

rule WSA_Php_Obfuscation_EncodedFunctionNames : conceals
{
    meta:
        id = "WSA-PHP-021"
        description = "names of eval/decoder/exec functions written as hex or octal escapes, rot13 or reversed strings: source hidden from reviewers and scanners"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/language.types.string.php#language.types.string.syntax.double"
        mitre_attack = "T1505.003"
    strings:
        // hex escapes
        $h1 = "\\x62\\x61\\x73\\x65\\x36\\x34" nocase    // base64
        $h2 = "\\x65\\x76\\x61\\x6c" nocase                // eval
        $h3 = "\\x61\\x73\\x73\\x65\\x72\\x74" nocase      // assert
        $h4 = "\\x67\\x7a\\x69\\x6e\\x66\\x6c" nocase      // gzinfl
        $h5 = "\\x73\\x79\\x73\\x74\\x65\\x6d" nocase      // system
        $h6 = "\\x73\\x74\\x72\\x5f\\x72\\x6f\\x74" nocase // str_rot
        $h7 = "\\x63\\x72\\x65\\x61\\x74\\x65\\x5f" nocase // create_
        $h8 = "\\x73\\x68\\x65\\x6c\\x6c\\x5f" nocase      // shell_
        $h9 = "\\x70\\x61\\x73\\x73\\x74\\x68\\x72\\x75" nocase // passthru
        // octal escapes
        $o1 = "\\142\\141\\163\\145\\66\\64"                // base64
        $o2 = "\\145\\166\\141\\154"                        // eval
        $o3 = "\\141\\163\\163\\145\\162\\164"              // assert
        $o4 = "\\147\\172\\151\\156\\146\\154"              // gzinfl
        $o5 = "\\163\\171\\163\\164\\145\\155"              // system
        // rot13 / reversed names as string literals
        $r1 = "onfr64_qrpbqr" nocase
        $r2 = "tmvasyngr" nocase
        $r3 = "edoced_46esab" nocase
        $r4 = "etalfnizg" nocase
        $r5 = "'tressa'"
        $r6 = "\"tressa\""
        $r7 = "'lave'"
        $r8 = "\"lave\""
        $r9 = "rqbprq_46rfno" nocase
        $r10 = "nffreg" nocase
        $r12 = "noitcnuf_etaerc" nocase
        $r13 = "cexe_llehs" nocase
        $r14 = "urhtssap" nocase
        $r15 = /['"](metsys|nepop_corp|cexe)['"]/ nocase
        $r11 = /strrev\s{0,3}\(\s{0,3}[^\w\s]{1,3}(esab|edoced|taerc|noitcnu|tressa|lave|metsys|etalfnizg)/ nocase
        // ${"\x47LOBALS"} style variable names, hex text of code, "$"."_POST" splitting
        $v1 = /\$\{\s{0,3}"[A-Za-z]{0,8}\\x[0-9a-fA-F]{2}/
        $t1 = "6576616c28" nocase            // eval(
        $t2 = "617373657274" nocase          // assert
        $t3 = "73797374656d28" nocase        // system(
        $t4 = "6261736536345f6465636f6465" nocase // base64_decode
        $t5 = "245f504f5354" nocase          // $_POST
        $t6 = "245f52455155455354" nocase    // $_REQUEST
        $t7 = "3c3f706870" nocase            // <?php
        $s1 = /['"]\$['"]\s{0,3}\.\s{0,3}['"]_(POST|GET|REQUEST|COOKIE)/
        $s2 = /['"]_P['"]\s{0,3}\.\s{0,3}['"]OST/
        // "b" . "a" . "s" . "e" : names spelled one character at a time
        $c1 = "\"b\" . \"a\" . \"s\" . \"e\""
        $c2 = "\"b\".\"a\".\"s\".\"e\""
        $c3 = "'b'.'a'.'s'.'e'"
        $c4 = "'b' . 'a' . 's' . 'e'"
        $c5 = "'a'.'s'.'s'.'e'.'r'.'t'"
        $c6 = "\"a\".\"s\".\"s\".\"e\".\"r\".\"t\""
        $c7 = "'e'.'v'.'a'.'l'"
        $c8 = "\"e\".\"v\".\"a\".\"l\""
        $c9 = "chr(99).chr(104).chr(114)" nocase
        $c10 = "chr(99) . chr(104) . chr(114)" nocase
        // names hidden by junk tokens removed with str_replace: str_r, create_, base64
        $j2 = /str_replace\s{0,3}\(\s{0,3}['"][^'"\n]{2,12}['"]\s{0,3},\s{0,3}(''|"")\s{0,3},\s{0,3}['"][^'"\n]{0,12}(s[^'"\n]{0,12}t[^'"\n]{0,12}r[^'"\n]{0,12}_[^'"\n]{0,12}r[^'"\n]{0,12}e|c[^'"\n]{0,12}r[^'"\n]{0,12}e[^'"\n]{0,12}a[^'"\n]{0,12}t[^'"\n]{0,12}e[^'"\n]{0,12}_|b[^'"\n]{0,12}a[^'"\n]{0,12}s[^'"\n]{0,12}e[^'"\n]{0,12}6[^'"\n]{0,12}4)/ nocase
        // (chr(63)^chr(96)) : characters produced by XOR of two chr() calls
        $x2 = /\(\s{0,2}chr\s{0,2}\(\s{0,2}\d{1,3}\s{0,2}\)\s{0,2}\^\s{0,2}chr\s{0,2}\(\s{0,2}\d{1,3}\s{0,2}\)\s{0,2}\)/ nocase
        // non-alphanumeric shells: $_[+""], $__++;$__++; , .=~($___{
        $n1 = "$_[+\"\"]"
        $n2 = "$__++;$__++;$__++;"
        $n3 = ".=~($___{"
        // "assert" split in two literals, or spelled one letter at a time
        $a1 = "'as'.'sert'" nocase
        $a2 = "\"as\".\"sert\"" nocase
        $a3 = "'ass'.'ert'" nocase
        $a4 = "\"ass\".\"ert\"" nocase
        $a5 = "'asse'.'rt'" nocase
        $a6 = "\"asse\".\"rt\"" nocase
        $a7 = ".\"sert\"" nocase
        $a8 = ".'sert'" nocase
        $a9 = "'s'.'s'.'e'.'r'.'t'"
        $a10 = "'_'.'P'.'O'.'S'.'T'"
        // $s{0}.$s{8}.$s{0}.$s{3} : names picked from a string with curly-brace offsets
        $i1 = /\$\w{1,20}\{\d{1,2}\}\.\$\w{1,20}\{\d{1,2}\}\.\$\w{1,20}\{\d{1,2}\}\.\$\w{1,20}\{\d{1,2}\}/
        // '$_G' . "ET['x']" : superglobal name split across literals
        $p1 = /['"]\$_(G|P|PO|POS|R|RE|REQ|C|CO)['"]/
        // XSLT / XPath calling PHP functions: zcg:function('assert', ...), php:functionString('system', ...)
        $p2 = /:function(String)?\s{0,3}\(\s{0,3}\\?['"](assert|system|passthru|exec|shell_exec|eval|create_function|popen)\\?['"]/ nocase
        // hex text of "http://" unpacked at run time
        $p3 = "687474703a2f2f" nocase
        $p4 = /pack\s{0,3}\(\s{0,3}['"]H\*|hex2bin/ nocase
        // $r("f", "", "bfafsfef6f4_...") : str_replace held in a variable, junk removed at run time
        $q1 = /\$\w{1,20}\s{0,2}\(\s{0,2}["'][^"'\n]{1,8}["']\s{0,2},\s{0,2}(""|'')\s{0,2},\s{0,2}["']/
        // $n.="\x73\x65"; ... $a($b($c($d($e)))); : names appended from escapes, nested variable calls
        $q2 = ".=\"\\x"
        $q3 = "))));"
        // "s"./*x*/"e"./*x*/"r" : comments wedged into string concatenations
        $k1 = /\.\s{0,2}\/\*[^\n]{0,20}\*\/\s{0,2}["']/
        // foreach (array('_POST') as $r) ... $$r : superglobal reached through its quoted name
        $k2 = /['"]_(POST|GET|REQUEST|COOKIE)['"]/
        $k3 = "$$"
        // ...and calls an element or a sink with it (register_globals emulation only assigns)
        $k4a = "]($"
        $k4b = "] ($"
        $k4c = "]( $"
        // or copies it whole into a variable for a callback ($b = $$a; call_user_func(.., $b['x']))
        $k4d = /=\s{0,2}\$\$\w{1,20}\s{0,2};/
        $k5 = /(eval|assert|system|passthru|shell_exec|popen|proc_open|create_function)\s{0,2}\(/ nocase
        // @include "\057home\057..." : include path hidden in escapes (typical injected loader line)
        $l1 = /@?(include|require)(_once)?\s{0,3}\(?\s{0,3}["']\\(x[0-9a-fA-F]{2}|[0-7]{3})/ nocase
        // $GLOBALS["\x61\156..."] : hex and octal escapes mixed in a superglobal key
        $l2 = /\$(GLOBALS|_SERVER|_COOKIE|_POST|_GET|_REQUEST)\s{0,2}\[\s{0,2}"\\x[0-9a-fA-F]{2}\\[0-7]{3}/
        // $_F=__FILE__;$_X='...' : byterun-style encoder stub
        $l3 = "$_F=__FILE__;"
        $l4 = "$_X="
        // a comment wedged between a sensitive function name and its parenthesis: eval/*x*/(
        $m1 = /(eval|assert|system|passthru|shell_exec|exec|move_uploaded_file|create_function|base64_decode|preg_replace|file_put_contents|call_user_func|array_map)\s{0,3}\/\*[^*\n]{0,30}\*\/\s{0,3}\(/ nocase
        // $GLOBALS['x'] = $tbl[82].$tbl[83].$tbl[83] : names picked out of a shuffled character table
        $g1 = /\$GLOBALS\s{0,2}\[\s{0,2}['"]\w{1,20}['"]\s{0,2}\]\s{0,2}=\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]\s{0,2}\.\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]\s{0,2}\.\s{0,2}\$\w{1,10}\s{0,2}\[\s{0,2}\d{1,3}\s{0,2}\]/
        // well-known encoder stubs: $OOO0O0O00=__FILE__ ; $GLOBALS['_123456_']=Array(base64_decode(... ; $x=$t[1].$t[7].$t[3]...
        $e1 = /\$O{1,3}0[O0]{4,12}\s{0,2}=\s{0,2}(__FILE__|urldecode)/
        $e2 = /\$GLOBALS\s{0,2}\[\s{0,2}['"]_\d{5,12}_['"]\s{0,2}\]\s{0,2}=\s{0,2}Array\s{0,2}\(\s{0,2}base64_decode/ nocase
        // foreach ([21,29,2,4] as $p) $name .= $table[$p]; : names picked out of a table by index lists
        $g2 = /foreach\s{0,2}\(\s{0,2}(array\s{0,2}\(|\[)\s{0,2}\d{1,3}(\s{0,2},\s{0,2}\d{1,3}){3,40}\s{0,2}[\])]\s{0,2}as\s{1,2}\$\w{1,20}\s{0,2}\)\s{0,2}\{?\s{0,8}\$\w{1,30}\s{0,2}\.=\s{0,2}\$\w{1,30}\s{0,2}\[\s{0,2}\$\w{1,20}\s{0,2}\]/ nocase
        // $t = "/mhol(x8v6fzu.5iryn*bq4..."; function f($a, $b, $c) { return ''.$a.$b.''.$c; }
        // $c1 = f($t[36], $t[41], ''); : names glued from characters of a shuffled table
        $g3 = /function\s{1,3}\w{1,40}\s{0,2}\(\s{0,2}\$\w{1,20}\s{0,2},\s{0,2}\$\w{1,20}\s{0,2},\s{0,2}\$\w{1,20}\s{0,2}\)\s{0,2}\{\s{0,4}return\s{1,3}[\s.'"]{0,12}\$\w{1,20}[\s.'"]{1,12}\$\w{1,20}[\s.'"]{1,12}\$\w{1,20}[\s.'"]{0,8};\s{0,4}\}/
        $g4a = "], $"
        $g4b = "],$"
        $g4c = "}, $"
        $g4d = "},$"
        // $z .= "Q21s"; $z .= "dWFW"; ... : a base64 payload appended four characters at a time, then run
        $q4 = /\$\w{1,20}\s{0,2}\.=\s{0,2}["'][A-Za-z0-9+\/=]{4,8}["']\s{0,2};/
        $q5 = /(eval|assert)\s{0,3}\(\s{0,3}\$/ nocase
        $e3 = /\$\w{1,20}\s?=\s?\$\w{1,10}\[\d{2,3}\]\.\$\w{1,10}\[\d{1,3}\]\.\$\w{1,10}\[\d{1,3}\]\.\$\w{1,10}\[\d{1,3}\]\.\$\w{1,10}\[\d{1,3}\]/
        // str_replace('`', '', 'a`s`s`e`r`t') : junk characters removed at run time
        $j1 = /str_replace\s{0,3}\(\s{0,3}['"][^'"\n]{1,6}['"]\s{0,3},\s{0,3}(''|"")\s{0,3},\s{0,3}['"][^'"\n]{0,12}(a[^'"\n]{0,6}s[^'"\n]{0,6}s[^'"\n]{0,6}e[^'"\n]{0,6}r[^'"\n]{0,6}t|e[^'"\n]{0,6}v[^'"\n]{0,6}a[^'"\n]{0,6}l|s[^'"\n]{0,6}y[^'"\n]{0,6}s[^'"\n]{0,6}t[^'"\n]{0,6}e[^'"\n]{0,6}m|b[^'"\n]{0,6}a[^'"\n]{0,6}s[^'"\n]{0,6}e[^'"\n]{0,6}6[^'"\n]{0,6}4)/ nocase
    condition:
        filesize < 2MB and (any of ($h*, $o*, $r*, $v*, $t*, $s*, $j*, $c*, $g1, $e*, $n*, $a*, $i1, $p1, $p2, $m1) or #q1 >= 2 or (#q2 >= 6 and $q3) or #k1 >= 4 or #g2 >= 2 or ($g3 and #g4a + #g4b + #g4c + #g4d >= 8) or (#q4 >= 64 and $q5) or (filesize < 2KB and $k2 and $k3 and (any of ($k4*) or $k5)) or $l1 or $l2 or ($l3 and $l4) or #x2 > 3 or ($p3 and $p4))
}

rule WSA_Php_Obfuscation_EncodedCodeInBlob : conceals
{
    meta:
        id = "WSA-PHP-022"
        description = "base64-encoded PHP source fragments (eval(, $_POST[, system(, <?php) inside string literals: a hidden second stage"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        $b1 = "eval($_POST" base64
        $b2 = "eval($_GET" base64
        $b3 = "eval($_REQUEST" base64
        $b4 = "shell_exec(" base64
        $b5 = "passthru(" base64
        $b6 = "system($_" base64
        $b7 = "eval(gzinflate(" base64
        $b8 = "eval(base64_decode(" base64
        $b9 = "@eval(" base64
        $b10 = "$_POST[" base64
        $b11 = "$_REQUEST[" base64
        $b12 = "move_uploaded_file(" base64
        $b13 = "proc_open(" base64
        $dec = /base64_decode|\\x62\\x61\\x73\\x65|str_rot13|\\142\\141\\163/ nocase
    condition:
        filesize < 3MB and $dec and (any of ($b1, $b2, $b3, $b6, $b7, $b8) or 2 of ($b4, $b5, $b9, $b10, $b11, $b12, $b13))
}

rule WSA_Php_Obfuscation_ChrChain : conceals
{
    meta:
        id = "WSA-PHP-023"
        description = "long chr()/concatenation chains or arrays of character codes assembled into code next to eval/assert/create_function or a variable-function call"
        family = "Encoded payload chain"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.chr.php"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /(chr\s{0,2}\(\s{0,2}\d{1,3}\s{0,2}\)\s{0,2}\.\s{0,2}){10}/ nocase
        // "preg_r".chr(101)."pl".chr(97) : literals interleaved with chr()
        $c2 = /['"]\s{0,2}\.\s{0,2}chr\s{0,2}\(\s{0,2}\d{2,3}\s{0,2}\)\s{0,2}\.\s{0,2}['"]/ nocase
        $pr = "preg_replace" nocase
        $ev = /[^\w>:$](eval|assert|create_function)\s{0,10}\(/ nocase
    condition:
        filesize < 1MB and (($c1 and $ev) or (#c2 > 15 and ($ev or $pr)))
}

rule WSA_Php_Obfuscation_BitwiseStrings : conceals
{
    meta:
        id = "WSA-PHP-024"
        description = "small PHP file made of string assignments combined with bitwise XOR/AND/OR of quoted strings and barewords ('}l3'&MF9, '$'^A), in any statement order: a generator that rebuilds function names and the payload at run time"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/language.operators.bitwise.php"
        mitre_attack = "T1505.003"
    strings:
        // the operator between two literals, not a quoted '|' used as an array key ('|' => ..)
        $op = /'\^'[^ \t\r\n,=\x5d]|'&'[^ \t\r\n,=\x5d]|'\|'[^ \t\r\n,=\x5d]/
        // statements ending in a literal, counted whether the next one follows at once, on the
        // next line or behind a goto (yakpro-po's shuffle): the same generator
        $v = /';[ \t\r\n]{0,4}[$\w]/
    condition:
        filesize < 8KB and #op >= 6 and #v >= 8
}

rule WSA_Php_Obfuscation_PhpInBase64 : conceals
{
    meta:
        id = "WSA-PHP-025"
        description = "base64 text that decodes to a PHP open tag (PD9waHA = '<?php') decoded and written to disk: dropper of a second-stage page (an encoded page that is only evaluated is judged by what its decoded layer does)"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.php.net/manual/en/function.eval.php"
        mitre_attack = "T1505.003"
    strings:
        $b1 = "PD9waHA" ascii
        $b2 = "PD9QSFA" ascii
        $d = "base64_decode" ascii nocase
        $w = /(fwrite|fputs|file_put_contents)\s{0,3}\(/ nocase
    condition:
        filesize < 500KB and 1 of ($b*) and $d and $w
}

rule WSA_Php_Obfuscation_CharArithmeticDecoder : conceals
{
    meta:
        id = "WSA-PHP-140"
        description = "A PHP page with its own character-arithmetic decoder (chr() of ord() shifted, rotated or XORed: ROT47, byte shifts, two-letter hex alphabets) that also evaluates code: the packer of a shell whose payload no standard decoder reads"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/function.chr.php"
        mitre_attack = "T1505.003"
    strings:
        // chr(ord($s[$i]) - 1), chr((ord(substr($s, $i, 1)) ^ $k)): bounded, one nesting level
        $d = /chr\s{0,3}\(\s{0,3}\(?\s{0,3}ord\s{0,3}\(([^;()\n]|\([^;()\n]{0,40}\)){0,40}\)\s{0,3}[-+^%]/ nocase
        $e = /[^\w>:$](eval|assert|create_function)\s{0,3}\(/ nocase
        // a packed page of any size: eval of the decoder's result on a literal, eval(Love("..
        $e2 = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}[A-Za-z_]\w{0,40}\s{0,3}\(\s{0,3}["']/ nocase
        $php = "<?" ascii
    condition:
        $php and $d and ((filesize < 64KB and $e) or (filesize < 5MB and $e2))
}

rule WSA_Php_Obfuscation_SuperglobalByName : conceals
{
    meta:
        id = "WSA-PHP-143"
        description = "A PHP page that reaches the request through a computed variable name (${\"_COOKIE\"}, ${\"_POST\"}, usually spelled in escapes or pieces and read on the fold layer) (the cookie-driven loaders of real-world compromises then call functions named by the request)"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/language.variables.variable.php"
        mitre_attack = "T1505.003"
    strings:
        // no application names an input array in a string: ${'_COOKIE'} is there to be spelled
        // some other way in the file
        $sg = /\$\{\s{0,3}["']_(COOKIE|POST|GET|REQUEST|FILES|SERVER)["']\s{0,3}\}/
        $php = "<?" ascii
    condition:
        filesize < 64KB and $php and $sg
}

rule WSA_Php_Obfuscation_AlphabetPicks : conceals
{
    meta:
        id = "WSA-PHP-145"
        description = "Function names spelled by picking single characters out of an alphabet string with the old brace offset syntax ($O00OO0{3}.$O00OO0{6}.$O00OO0{33}...): the signature of a packer family that wraps many PHP shells"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/language.types.string.php#language.types.string.substr"
        mitre_attack = "T1505.003"
    strings:
        // written without blanks, as the packer writes it ("}.$" is the atom)
        $p = /\}\.\$\w{1,30}\{\d{1,3}\}\.\$\w{1,30}\{\d{1,3}\}\.\$\w{1,30}\{\d{1,3}\}/
        // and with one blank around each dot, as hand-written droppers space it ("} . $")
        $p2 = /\} \. \$\w{1,30}\{\d{1,3}\} \. \$\w{1,30}\{\d{1,3}\} \. \$\w{1,30}\{\d{1,3}\}/
        $php = "<?" ascii
    condition:
        filesize < 5MB and $php and ($p or $p2)
}

rule WSA_Php_Obfuscation_SplitDecoderName : conceals
{
    meta:
        id = "WSA-PHP-174"
        description = "A decoder's name kept in two literal pieces, each assigned to a variable ($a = \"base\"; $b = \"64_decode\"), and a variable evaluated: the decoding call of a packed payload is spelled only at run time"
        family = "Encoded payload chain"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/functions.variable-functions.php"
        mitre_attack = "T1505.003"
    strings:
        // the head piece assigned, then the tail of a decoder's name on its own (no application
        // keeps that in a variable; the tail is the atom)
        $t = /=\s{0,3}["'](b|ba|bas|base|base6|base64|g|gz|gzi|gzin|gzun|str|str_|str_r)["']\s{0,3};\s{0,40}\$\w{1,30}\s{0,3}=\s{0,3}["'](a?s?e?64_decode|g?z?inflate|_rot13|uncompress)["']\s{0,3};/
        $ev = /[^\w>:$](eval|assert)\s{0,3}\(\s{0,3}[@(]{0,3}\s{0,3}\$[a-zA-Z_]/ nocase
        $php = "<?" ascii
    condition:
        filesize < 20MB and $php and $t and $ev
}
