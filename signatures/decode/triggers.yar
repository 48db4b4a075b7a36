/*
    Decode triggers: not findings. Each rule tells the decode stage (agent/decode/) that a
    decoder may have work in this file, and its string offsets say where. The scanner drops
    every match tagged `decode_trigger` from findings and alerts; `rules list` shows them apart.
    meta `decoder`: script-encoder | payload | fold | charset | flow | jspx | goto | gap. Keep them cheap: literal atoms only.
*/

rule WSA_Decode_ScriptEncoder : decode_trigger
{
    meta:
        id = "WSA-GEN-901"
        description = "Decode trigger: a Script Encoder block (VBScript.Encode / JScript.Encode)"
        family = "Decode trigger"
        severity = "low"
        decoder = "script-encoder"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.virusbulletin.com/virusbulletin/2006/01/inside-microsoft-script-encoder/"
        mitre_attack = "T1505.003"
    strings:
        $a = "#@~^"
    condition:
        $a
}

rule WSA_Decode_LiteralPayload : decode_trigger
{
    meta:
        id = "WSA-GEN-902"
        description = "Decode trigger: a decoding call that may take a literal payload"
        family = "Decode trigger"
        severity = "low"
        decoder = "payload"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/function.base64-decode.php"
        mitre_attack = "T1505.003"
    strings:
        $p1 = "base64_decode" nocase
        $p2 = "gzinflate" nocase
        $p3 = "gzuncompress" nocase
        $p4 = "gzdecode" nocase
        $p5 = "str_rot13" nocase
        $p6 = "strrev" nocase
        $p7 = "hex2bin" nocase
        $p8 = "FromBase64String" nocase
        $p9 = "getDecoder()" nocase
        $p10 = "decodeBuffer" nocase
        $p11 = "getMimeDecoder" nocase
        $p12 = "parseBase64Binary" nocase
        $p13 = "decodeBase64" nocase
        // every decoder the payload stage applies has a needle here (a test holds them in step)
        $p14 = "urldecode" nocase
        $p15 = "htmlspecialchars_decode" nocase
        $p16 = "html_entity_decode" nocase
        $p17 = "lzw_decompress" nocase
        $p18 = "convert_uudecode" nocase
    condition:
        any of them
}

rule WSA_Decode_FoldedStrings : decode_trigger
{
    meta:
        id = "WSA-GEN-903"
        description = "Decode trigger: code built from string pieces, char codes, escapes or comments"
        family = "Decode trigger"
        severity = "low"
        decoder = "fold"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.php.net/manual/en/language.operators.bitwise.php"
        mitre_attack = "T1505.003"
    strings:
        $c1 = "\"+\""
        $c2 = "\" + \""
        $c3 = "'+'"
        $c4 = "' + '"
        $c5 = "\".\""
        $c6 = "\" . \""
        $c7 = "'.'"
        $c8 = "' . '"
        $c9 = "\"&\""
        $c10 = "\" & \""
        $chr1 = ")&chr(" nocase
        $chr2 = ") & chr(" nocase
        $chr3 = ")&chrw(" nocase
        $chr4 = ").chr(" nocase
        $chr5 = ") . chr(" nocase
        $chr6 = ")+chr(" nocase
        $code = "fromCharCode" nocase
        $x1 = "'^'"
        $x2 = "\"^\""
        $x3 = "' ^ '"
        $x4 = "\" ^ \""
        // a literal XORed with a variable that holds the other one: '..'^$k
        $x5 = "'^$"
        $x6 = "' ^ $"
        $x7 = "\"^$"
        $x8 = "\" ^ $"
        $j1 = "join(array(" nocase
        $j2 = "join( array(" nocase
        $e1 = "\\x6"
        $e2 = "\\x7"
        $e3 = "\\u00"
        $e4 = "\\14"
        $e5 = "\\16"
        // the other octal escapes of letters and digits (\101 .. \137: capitals, `_`)
        $e6 = "\\10"
        $e7 = "\\11"
        $e8 = "\\12"
        $e9 = "\\13"
        $e10 = "\\15"
        $e11 = "\\17"
        $e12 = "\\x4"
        $e13 = "\\x5"
        // PHP char codes mapped through chr, and hex turned into bytes
        $m1 = "array_map('chr'" nocase
        $m2 = "array_map(\"chr\"" nocase
        $m3 = "pack('H*'" nocase
        $m4 = "pack(\"H*\"" nocase
        // hex spellings of the names a shell needs, as a page's own helper would decode them
        $h1 = "73797374656d" nocase
        $h2 = "7368656c6c5f65786563" nocase
        $h3 = "7061737374687275" nocase
        $h4 = "6d6f76655f75706c6f616465645f66696c65" nocase
        $h5 = "617373657274" nocase
        $h6 = "626173653634" nocase
        $h7 = "677a696e666c617465" nocase
        $h8 = "70726f635f6f70656e" nocase
        $h9 = "6372656174655f66756e6374696f6e" nocase
        $h10 = "66696c655f7075745f636f6e74656e7473" nocase
        $h11 = "7068705f756e616d65" nocase
        // a PHP open tag spelt in escapes, for a page to write out or evaluate: "\x3c\x3f\x70.."
        $t1 = "\\x3c\\x3f\\x70\\x68\\x70" nocase
        $t2 = "\\74\\77\\160\\150\\160"
        // a literal built by appending short base64-like literals, statement by statement
        $a = /\.=\s{0,3}("[A-Za-z0-9+\/=]{2,16}"|'[A-Za-z0-9+\/=]{2,16}');/
        // a goto obfuscator: code cut into labelled pieces, names glued from one-letter variables
        $g = ";goto " nocase
        // Java and C# strings made from char or byte arrays: new String(new byte[]{106,97,..})
        $ar1 = /new\s{1,4}(char|byte)\s{0,4}\[\s{0,4}\]\s{0,4}\{\s{0,4}('.'|\d{1,3})\s{0,4},/
        // functions called by their quoted names: call_user_func("fwrite", ..)
        $n1 = "call_user_func(\"" nocase
        $n2 = "call_user_func('" nocase
        $k1 = "/**/"
        // a comment wedged after a sink's or a decoder's name: eval/****/(
        $k3 = /(eval|assert|system|exec|passthru|shell_exec|base64_decode|gzinflate|gzuncompress|str_rot13|create_function|call_user_func|preg_replace)[ \t]{0,2}\/\*/ nocase
        $k2 = "*//*"
        // Select Case on a constant: only one branch can run, the others are decoys
        $s = /select case[ \t]{1,4}("[^"\r\n]{0,20}"|\d{1,6})[ \t]{0,4}[\r\n:]/ nocase
    condition:
        // (one split will do: the stage folds a page on three cut inside words, or on one that
        // glues a telling name back, `"cmd.ex" + "e"`; agent/decode/stage.py)
        #c1 + #c2 + #c3 + #c4 + #c5 + #c6 + #c7 + #c8 + #c9 + #c10 >= 1
        // a small page is folded on one split (`'sy'.'stem'`): the decode stage checks that
        // itself (agent/decode/stage.py), since a regex here would cost every large file
        or #chr1 + #chr2 + #chr3 + #chr4 + #chr5 + #chr6 >= 3
        or $code or $ar1 or any of ($x*) or any of ($j*) or any of ($k*) or $s or any of ($m*)
        or any of ($h*) or any of ($t*) or #g >= 16 or #a >= 24 or #n1 + #n2 >= 2
        or #e1 + #e2 + #e3 + #e4 + #e5 + #e6 + #e7 + #e8 + #e9 + #e10 + #e11 + #e12 + #e13 >= 8
}

rule WSA_Decode_DeclaredCharset : decode_trigger
{
    meta:
        id = "WSA-GEN-904"
        description = "Decode trigger: a page that declares an EBCDIC, UTF-16 or UTF-32 encoding, or starts with a UTF-16/32 byte-order mark (the container reads its code in that encoding)"
        family = "Decode trigger"
        severity = "low"
        decoder = "charset"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://tomcat.apache.org/tomcat-9.0-doc/config/jasper-howto.html"
        mitre_attack = "T1505.003"
    strings:
        // Java's names: Cp037, IBM273, x-IBM1047, ebcdic-cp-us, UTF-16BE, UnicodeBig, ...
        $d = /(pageEncoding|charset|encoding)[ \t]{0,3}=[ \t]{0,3}["']?(cp|ibm|x-ibm|ebcdic|ccsid|utf-?16|utf-?32|unicode)/ nocase
    condition:
        $d or uint16(0) == 0xFEFF or uint16(0) == 0xFFFE
}

rule WSA_Decode_RequestFlow : decode_trigger
{
    meta:
        id = "WSA-GEN-905"
        description = "Decode trigger: a PHP page that reads request data and calls a command, code or callback sink (the flow pass follows the request through variables, helpers and properties to the sink)"
        family = "Decode trigger"
        severity = "low"
        decoder = "flow"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://owasp.org/www-community/attacks/Command_Injection"
        mitre_attack = "T1505.003"
    strings:
        $r1 = "$_GET"
        $r2 = "$_POST"
        $r3 = "$_REQUEST"
        $r4 = "$_COOKIE"
        $r5 = "$_SERVER"
        $r6 = "$_FILES"
        $r7 = "php://input" nocase
        $r8 = "getallheaders" nocase
        $r9 = "filter_input" nocase
        $r10 = "_VARS"
        $r11 = "request_headers" nocase
        $r12 = "HTTP_"
        // the sink called (not "system" or "evaluate" in prose), with one space at most; a
        // small page is looked at however it is spaced (agent/decode/stage.py); a backtick is
        // one byte: too common for an atom
        $s1 = "system(" nocase
        $s2 = "exec(" nocase
        $s3 = "passthru(" nocase
        $s4 = "popen(" nocase
        $s5 = "proc_open(" nocase
        $s6 = "eval(" nocase
        $s7 = "assert(" nocase
        $s8 = "create_function(" nocase
        $s9 = "call_user_func" nocase
        $s10 = "eval (" nocase
        $s11 = "system (" nocase
        $s12 = "assert (" nocase
        // file writes are followed in a page of its own (a file manager's save and upload);
        // past a small page only up to the size such tools have, since applications write
        // files everywhere and their code is left out by the flow pass anyway
        $w1 = "file_put_contents(" nocase
        $w2 = "move_uploaded_file(" nocase
        $w3 = "copy(" nocase
        $w4 = "fopen(" nocase
    condition:
        any of ($r*) and (any of ($s*) or (filesize < 48KB and any of ($w*)))
}

rule WSA_Decode_JspDocument : decode_trigger
{
    meta:
        id = "WSA-GEN-906"
        description = "Decode trigger: a JSP document (JSPX) code element with a CDATA section or character references, which the XML parser removes or reads before Java sees the code"
        family = "Decode trigger"
        severity = "low"
        decoder = "jspx"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://jakarta.ee/specifications/pages/3.1/jakarta-server-pages-spec-3.1#jsp-documents"
        mitre_attack = "T1505.003"
    strings:
        $e1 = "<jsp:scriptlet"
        $e2 = "<jsp:declaration"
        $e3 = "<jsp:expression"
        $c1 = "<![CDATA["
        $c2 = "&#"
        $c3 = "&lt;"
        $c4 = "&quot;"
        $c5 = "&amp;"
    condition:
        any of ($e*) and any of ($c*)
}

rule WSA_Decode_GotoThreaded : decode_trigger
{
    meta:
        id = "WSA-GEN-907"
        description = "Decode trigger: PHP whose statements are chained by goto (yakpro-po-style obfuscators shuffle labelled statements), put back in the order they run"
        family = "Decode trigger"
        severity = "low"
        decoder = "goto"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/control-structures.goto.php"
        mitre_attack = "T1505.003"
    strings:
        $g = /goto[ \t\r\n]{1,8}[A-Za-z_\x80-\xff][\w\x80-\xff]{0,63}[ \t\r\n]{0,8};/
        $php = "<?"
    condition:
        // 5 MB: `goto` repeated to 20 MB cost 2.4 s of CPU in atom hits alone (budget 2 s), and
        // the layer is cut at the decode budget (4 MiB) anyway; goto-threaded pages are far smaller
        filesize < 5MB and $php and #g >= 4
}

rule WSA_Decode_SpacedCall : decode_trigger
{
    meta:
        id = "WSA-GEN-908"
        description = "Decode trigger: a sink's name with a run of blanks before its call's parenthesis (eval    (..)), closed up so rules that allow a few blanks see the call"
        family = "Decode trigger"
        severity = "low"
        decoder = "gap"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://www.php.net/manual/en/functions.user-defined.php"
        mitre_attack = "T1505.003"
    strings:
        $g = /(eval|assert|system|exec|passthru|shell_exec|popen|proc_open|include|require|Execute|ExecuteGlobal|CreateObject|getRuntime|base64_decode|gzinflate|call_user_func|create_function|preg_replace)[ \t]{4,64}\(/ nocase
    condition:
        $g
}

rule WSA_Decode_VbscriptSpelling : decode_trigger
{
    meta:
        id = "WSA-GEN-910"
        description = "Decode trigger: classic ASP that reads the request through .Item or continues a statement over lines ( _), restated in the plain spelling the rules are written for"
        family = "Decode trigger"
        severity = "low"
        decoder = "vbscript"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://learn.microsoft.com/en-us/previous-versions/iis/6.0-sdk/ms524948(v=vs.90)"
        mitre_attack = "T1505.003"
    strings:
        $t = "<%"
        $i = /request[ \t]{0,8}(\.[ \t]{0,8}(form|querystring|cookies|servervariables)[ \t]{0,8})?\.[ \t]{0,8}item\b/ nocase
        $c1 = " _\r\n"
        $c2 = " _\n"
    condition:
        $t and ($i or any of ($c*))
}

rule WSA_Decode_PhpSpelling : decode_trigger
{
    meta:
        id = "WSA-GEN-911"
        description = "Decode trigger: PHP that reads the request through $GLOBALS['_POST'], ${'_GET'}, $HTTP_POST_VARS or a made-up client header ($_SERVER['HTTP_X_CMD'], getallheaders()['X-Cmd']), calls a sink or decoder by its global name (\\system(..)) or opens an argument list with a comment (system(/**/..)), restated in the plain spelling the rules are written for"
        family = "Decode trigger"
        severity = "low"
        decoder = "php-spelling"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://www.php.net/manual/en/language.namespaces.fallback.php"
        mitre_attack = "T1505.003"
    strings:
        $t = "<?"
        $g = /\$GLOBALS\s{0,4}\[\s{0,4}['"]_(GET|POST|REQUEST|COOKIE|FILES)['"]/
        $b = /\$\{\s{0,4}['"]_(GET|POST|REQUEST|COOKIE|FILES)['"]/
        $v = /\$HTTP_(GET|POST|COOKIE|POST_FILES)_VARS/
        // (every client header: the ones applications read anyway are left out in Python)
        $s = /\$_SERVER\s{0,4}\[\s{0,4}['"]HTTP_/
        $h = /(getallheaders|apache_request_headers)\s{0,4}\(\s{0,4}\)\s{0,4}\[/ nocase
        // a sink or a decoder by its global name; a comment opening an argument list
        $n = /\\(assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|base64_decode|gzinflate|gzuncompress|str_rot13|create_function)\s{0,4}\(/ nocase
        // (the atom is `(/*`: a bare `/*` starts every doc comment; a sink's name before it)
        $a = /(assert|system|exec|passthru|popen|proc_open|eval|base64_decode|gzinflate|str_rot13|preg_replace)\s{0,4}\(\s{0,16}\/\*/ nocase
    condition:
        $t and ($g or $b or $v or $s or $h or $n or $a)
}

rule WSA_Decode_PhpVariableTable : decode_trigger
{
    meta:
        id = "WSA-GEN-912"
        description = "Decode trigger: PHP whose variables are named through a table, ${${\"GLOBALS\"}[\"kq\"]} or ${$GLOBALS['kq']}, as an obfuscator writes them: the names are looked up and written back"
        family = "Decode trigger"
        severity = "low"
        decoder = "varnames"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://www.php.net/manual/en/language.variables.variable.php"
        mitre_attack = "T1505.003"
    strings:
        $t = "<?"
        $l = /\$\s{0,64}\{\s{0,64}\$\s{0,64}(\{\s{0,64}["']GLOBALS["']\s{0,64}\}|GLOBALS)\s{0,64}\[/
    condition:
        $t and $l
}
