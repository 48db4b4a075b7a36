/*
  PHP: uploaders and writers that store client-chosen content under a client-chosen name.
*/

rule WSA_Php_Uploader_ClientNamedFile
{
    meta:
        id = "WSA-PHP-040"
        description = "small PHP uploader/dropper: move_uploaded_file/copy of $_FILES tmp_name to the client-supplied file name, or file_put_contents/fwrite/SplFileObject of request data to a request-supplied path"
        family = "Uploader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://owasp.org/www-community/vulnerabilities/Unrestricted_File_Upload"
        mitre_attack = "T1505.003"
    strings:
        $u1 = /(move_uploaded_file|copy)\s{0,5}\(\s{0,5}\$(_FILES|HTTP_POST_FILES)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]tmp_name['"]\s{0,3}\](\s{0,3}\[[^\]\n]{1,12}\])?\s{0,5},[^;]{0,100}\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]name['"]\s{0,3}\](\s{0,3}\[[^\]\n]{1,12}\])?\s{0,5}\)/ nocase
        $u2 = /copy\s{0,3}\(\s{0,3}\$HTTP_POST_FILES/ nocase
        // the request body streamed into a file (a PUT uploader): read from php://input,
        // written through another handle
        $pb1 = /fopen\s{0,3}\(\s{0,3}['"]php:\/\/input['"]/ nocase
        $pb2 = /fopen\s{0,3}\([^;,]{1,80},\s{0,3}['"][wax]b?\+?['"]/ nocase
        $pb3 = /(fputs|fwrite|stream_copy_to_stream)\s{0,3}\(/ nocase
        // ...under a name the request gives (a webhook logging its body to a fixed file is not)
        $pb4 = /\$_SERVER\s{0,3}\[\s{0,3}['"](REQUEST_URI|PATH_INFO|QUERY_STRING|HTTP_\w{1,30})['"]|\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/
        // the upload stored where another request field says
        $u5 = /(move_uploaded_file|copy)\s{0,5}\(\s{0,5}\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]tmp_name['"]\s{0,3}\]\s{0,5},\s{0,5}[^;]{0,60}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        // the upload's bytes written under the client's name without move_uploaded_file
        $u3 = /file_put_contents\s{0,3}\(\s{0,3}\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]name['"]\s{0,3}\]\s{0,3},\s{0,3}file_get_contents\s{0,3}\(\s{0,3}\$_FILES/ nocase
        // the upload's temporary file passed to a function held in a variable or an array
        // (`$f[3]($_FILES['f']['tmp_name'], ..)`): move_uploaded_file with its name hidden
        $u4 = /\$\w{1,30}(\s{0,3}\[[^\]\n]{1,12}\])?\s{0,3}\(\s{0,3}\$_FILES\s{0,3}\[[^\]\n]{1,30}\]\s{0,3}\[\s{0,3}['"]tmp_name['"]/ nocase
        // an archive the request names, unpacked into the web folder
        $z1 = /->\s{0,3}open\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $z2 = /->\s{0,3}extractTo\s{0,3}\(/ nocase
        // or an uploaded archive unpacked where the request says
        $z3 = /->\s{0,3}open\s{0,3}\(\s{0,3}\$_FILES\s{0,3}\[/ nocase
        $z4 = /->\s{0,3}extractTo\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $w1 = /(file_put_contents|fopen)\s{0,5}\(\s{0,5}[^;,]{0,60}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^;]{0,120}(\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[|php:\/\/input)/ nocase
        // the same with request headers (`$_SERVER['HTTP_X']`), the name before the comma and
        // the body after it (a page cache keyed by Host has the header in its name only)
        $w1h = /file_put_contents\s{0,5}\(\s{0,5}[^;,]{0,60}\$_(GET|POST|REQUEST|COOKIE|SERVER\s{0,3}\[\s{0,3}['"]HTTP_)[^;,]{0,60},\s{0,5}[^;,]{0,60}(\$_(GET|POST|REQUEST|COOKIE|SERVER\s{0,3}\[\s{0,3}['"]HTTP_)|php:\/\/input)/ nocase
        // a file copied from a path the request gives to another it gives (as the flow pass
        // writes `$t = $_FILES['f']['tmp_name']; .. copy($t, $n)`)
        $w1c = /[^\w>:$]copy\s{0,5}\(\s{0,5}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^;]{0,120},\s{0,5}[^;,]{0,60}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[/ nocase
        $w2 = /fwrite\s{0,5}\(\s{0,5}fopen\s{0,5}\(\s{0,5}[^;]{0,60}\$_(GET|POST|REQUEST)/ nocase
        // fopen($_POST['f'], 'w') then fwrite($h, $_POST['c'])
        $w5 = /fopen\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3},\s{0,3}['"][wa]/ nocase
        // (the handle may be written as a request read by the flow pass, the text passed
        // through one string function: `fwrite($h, stripslashes($_POST['c']))`)
        $w6 = /(fwrite|fputs)\s{0,3}\(\s{0,3}\$\w{1,20}(\s{0,3}\[\s{0,3}['"]\w{1,30}['"]\s{0,3}\])?\s{0,3},\s{0,3}([a-z_]{1,20}\s{0,3}\(\s{0,3})?\$_(GET|POST|REQUEST|COOKIE)/ nocase
        // the same through SplFileObject: new SplFileObject($_GET['n'], 'w') then ->fwrite(..)
        $w8 = /new\s{1,3}\\?SplFileObject\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3},\s{0,3}['"][wax]/ nocase
        $w9 = /->\s{0,3}fwrite\s{0,3}\([^;]{0,40}\$_(GET|POST|REQUEST|COOKIE)/ nocase
        $w7 = /file_put_contents\s{0,3}\(\s{0,3}\$_(GET|POST|REQUEST|COOKIE)\s{0,3}\[[^\]\n]{1,30}\]\s{0,3},\s{0,3}(base64_decode|gzinflate|file_get_contents|hex2bin|urldecode|str_rot13)\s{0,3}\(/ nocase
        // upload or remote download saved under a script extension
        $x1 = /move_uploaded_file\s{0,3}\([^;]{0,80}\.(php\d?|phtml|pht|asp|aspx|jsp)["']\s{0,3}\)/ nocase
        $x2 = /copy\s{0,3}\(\s{0,3}["']https?:\/\/[^"'\n]{1,200}["']\s{0,3},\s{0,3}["'][^"'\n]{0,80}\.php\d?["']/ nocase
        // tiny remote dropper: fetch http://.../x.txt and store it as a .php file
        $r1 = /['"]https?:\/\/[^'"\n]{1,200}\.(txt|jpg|gif|png|php)['"]/ nocase
        $r2 = /['"][^'"\n]{0,80}\.php['"]/
        $r3 = /(file_put_contents|fwrite|fputs|copy)\s{0,3}\(/ nocase
        $r4 = /(file_get_contents|curl_exec|fopen|copy)\s{0,3}\(/ nocase
        // $r = $_REQUEST; file_put_contents($r['n'], $r['b'])  /  chmod($p, 0777) of a request path
        $a1 = /=\s{0,3}\$_(REQUEST|POST|GET|COOKIE)\s{0,3};/
        $a2 = /(file_put_contents|fwrite)\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3}\[[^\]\n]{1,20}\]\s{0,3},\s{0,3}\$\w{1,20}\s{0,3}\[/ nocase
        $c1 = /chmod\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},\s{0,3}0?777\s{0,3}\)/ nocase
        $c2 = /=\s{0,3}[^;]{0,30}\$_(GET|POST|REQUEST|COOKIE)\s{0,2}\[/
        // tiny editor: $p = $_POST['p']; fopen($p, 'w'); fwrite(..)
        $e1 = /=\s{0,3}@?\$_(POST|GET|REQUEST)\s{0,2}\[/
        $e2 = /fopen\s{0,3}\(\s{0,3}\$\w{1,20}\s{0,3},\s{0,3}['"][wa]/ nocase
        $e3 = /(fwrite|fputs)\s{0,3}\(/ nocase
        // ...into a temporary file the page names itself (a panel handing a password to its
        // tool through a temp file), not a path of the request's
        $tn = /\$\w{1,30}\s{0,3}=\s{0,3}@?\s{0,3}tempnam\s{0,3}\(/ nocase
        // Chopper-style writer: hex text turned into bytes with urldecode("%" . substr(...))
        $w4 = /urldecode\s{0,3}\(\s{0,3}["']%["']\s{0,3}\.\s{0,3}substr/ nocase
        // any small move_uploaded_file page keeping the client file name
        $m = /move_uploaded_file\s{0,3}\(|[^\w>:$]copy\s{0,3}\(\s{0,3}\$\w{1,30}\s{0,3}(\[[^\]\n]{1,30}\]\s{0,3})?\[\s{0,3}['"]tmp_name['"]/ nocase
        // the same call commented out: a line comment before it on its line
        $mc = /\/\/[^\n]{0,120}(move_uploaded_file|[^\w>:$]copy)\s{0,3}\(/ nocase
        $n = /\[\s{0,2}['"]name['"]\s{0,2}\]/
        // ...of an upload this page receives (a CMS's helper moving a file it was handed is not)
        $fl = /\$_FILES|\$HTTP_POST_FILES/
        // (an extension as a quoted word, as a whitelist or a comparison has it; not an image
        // the page shows, `<img src="..logo.png">`)
        $v6 = /in_array|getimagesize|mime|strtolower|strrchr|extension|['"]\.?(jpe?g|png|gif)['"]/ nocase
        // validation seen in application upload handlers, absent from drop-in uploaders
        $v1 = "json_encode"
        $v2 = /preg_match\s{0,3}\(/ nocase
        $v3 = "pathinfo"
        $v4 = /csrf|nonce|require_acl|current_user_can|check_admin_referer/ nocase
        // code inside an application class or framework call
        // an application's objects (`$this->`, `Class::method(`), not a CSS `a::placeholder`
        $v5 = /\$this\s{0,2}->|\w::\$?[a-zA-Z_]\w{0,40}\s{0,2}\(/
    condition:
        filesize < 30KB and ((filesize < 4KB and $pb1 and $pb2 and $pb3 and $pb4) or $w4 or $w7 or (filesize < 2KB and $a1 and $a2) or (filesize < 1KB and $c1 and $c2) or (filesize < 3KB and all of ($r*)) or (filesize < 3KB and $e1 and $e2 and $e3 and not $tn) or (filesize < 6KB and $x1) or $x2 or (filesize < 20KB and $w5 and $w6) or (filesize < 20KB and $w8 and $w9) or $u4 or (filesize < 4KB and (($z1 and $z2) or ($z3 and $z4))) or (any of ($u1, $u2, $u3, $u5, $w1, $w1c, $w1h, $w2) and not any of ($v1, $v2, $v3, $v4, $v5)) or (filesize < 4KB and #m > #mc and $n and $fl and not any of ($v*)))
}
