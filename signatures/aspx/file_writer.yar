/*
  Stagers: pages that write a file whose name or content comes from the request, and droppers
  that write another server script (.aspx/.asp) containing code.
*/

rule WSA_Aspx_Generic_WriteFileFromRequest
{
    meta:
        id = "WSA-ASPX-040"
        description = "ASP.NET code saves or writes a file at a path taken from request data, directly or through a variable in a small page without an extension check (SIMPLESEESHARP-style upload/write stager)"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/"
        mitre_attack = "T1505.003"
    strings:
        $w1 = /(SaveAs|StreamWriter|CreateText|WriteAllText|WriteAllBytes|AppendAllText|FileStream|File\s{0,2}\.\s{0,2}Create)\s{0,3}\(\s{0,3}(Server\s{0,2}\.\s{0,2}MapPath\s{0,3}\(\s{0,3})?(context\.|HttpContext\.Current\.)?Request\s{0,2}(\.\s{0,2}(Form|QueryString|Item|Params)\s{0,2})?[\[\(]/ nocase
        $w2 = /(SaveAs|StreamWriter|CreateText|WriteAllText|WriteAllBytes|AppendAllText|FileStream|FileInfo)\s{0,3}\(\s{0,3}(Server\s{0,2}\.\s{0,2}MapPath\s{0,3}\(\s{0,3})?(this\.)?\w{1,20}\.(Text|Value)\s{0,3}[,)+]/ nocase
        // the path through a variable: a small page that reads the request into a variable and
        // writes a file at a path held in a variable, with no extension check (an editor's
        // upload handler keeps to image and document extensions)
        $asg = /(string|var|Dim)\s{1,3}\w{1,30}(\s{1,3}As\s{1,3}String)?\s{0,3}=\s{0,3}(context\.|HttpContext\.Current\.)?Request\s{0,2}(\.\s{0,2}(Form|QueryString|Item|Params|Headers|Cookies)\s{0,2})?[\[\(]/ nocase
        $wv = /(SaveAs|WriteAllText|WriteAllBytes|AppendAllText|StreamWriter|File\s{0,2}\.\s{0,2}Create)\s{0,3}\(\s{0,3}(Server\s{0,2}\.\s{0,2}MapPath\s{0,3}\(\s{0,3}|(System\.IO\.)?Path\s{0,2}\.\s{0,2}Combine\s{0,3}\(\s{0,3})?\w{1,30}\s{0,3}[,)+]/ nocase
        $ext = /GetExtension\s{0,3}\(|\.(jpe?g|gif|png|bmp|docx?|xlsx?|pdf)\b/ nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@{"
        $m5 = "@using System"
    condition:
        filesize < 300KB and any of ($m*) and ($w1 or $w2 or (filesize < 16KB and $asg and $wv and not $ext))
}

rule WSA_Aspx_Dropper_WritesServerScript
{
    meta:
        id = "WSA-ASPX-041"
        description = "ASP.NET code creates a server-script file (.aspx/.asp/.ashx/...) next to itself, typically writing a one-liner or an include: web-shell dropper"
        family = "Generic dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $w = /(StreamWriter|CreateText|WriteAllText|AppendAllText|FileStream|Create)\s{0,3}\([^;\r\n]{0,100}\.(aspx|asp|ashx|asmx|asa|cer|cdx|php|jsp)["']/ nocase
        $c1 = /<\s{0,2}%[^\r\n]{0,100}(eval|execute|Request)/ nocase
        $c2 = "#include" nocase
        $c3 = /\.Write\s{0,3}\(\s{0,3}(context\.)?Request/ nocase
        $c4 = /["']test by/ nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $server_map = "MapPath" nocase
    condition:
        filesize < 200KB and $w and (any of ($m*) or $server_map) and any of ($c*)
}

rule WSA_Aspx_Generic_InlineUploader
{
    meta:
        id = "WSA-ASPX-042"
        description = "Small self-contained ASP.NET page that stores an uploaded file under its client-supplied name, or a name a form field gives, in the page's own directory or the site root: upload stager for further shells"
        family = "Generic file writer"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.volexity.com/blog/2021/03/02/active-exploitation-of-microsoft-exchange-zero-day-vulnerabilities/"
        mitre_attack = "T1505.003"
    strings:
        $s = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
        $inh = /Inherits\s{0,3}=/ nocase
        $u1 = /Request\s{0,2}\.\s{0,2}Files/ nocase
        $u2 = "HttpPostedFile" nocase
        $n = /GetFileName\s{0,2}\(\s{0,2}\w{1,30}\.FileName\s{0,2}\)/ nocase
        $n2 = /SaveAs\s{0,2}\([^;\r\n]{0,100}(\]|\w)\.FileName\s{0,2}\)/ nocase
        // or under a name a form field gives
        $n3 = /SaveAs\s{0,2}\([^;\r\n]{0,100}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $tag = "<%"
        $d1 = /FileInfo\s{0,2}\(\s{0,2}Request\s{0,2}\.\s{0,2}PhysicalPath/ nocase
        $d2 = /MapPath\s{0,2}\(\s{0,2}["'](\.|~)?\/?["']\s{0,2}\)/ nocase
        $d3 = /MapPath\s{0,2}\(\s{0,2}Request\s{0,2}\.\s{0,2}(Path|FilePath|ServerVariables)/ nocase
    condition:
        filesize < 30KB and ($s or $tag) and not $inh and any of ($u*) and ($n or $n2 or $n3) and any of ($d*)
}

rule WSA_Aspx_Generic_WritableDirProbe
{
    meta:
        id = "WSA-ASPX-043"
        description = "Inline ASP.NET page that walks directories and creates then deletes a probe file in each to list writable folders: post-exploitation reconnaissance tool"
        family = "Writable-directory scanner"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $g = "GetDirectories" nocase
        $c = /File\s{0,2}\.\s{0,2}Create\s{0,2}\(\s{0,2}\w{1,20}\.FullName\s{0,2}\+/ nocase
        $d = /File\s{0,2}\.\s{0,2}Delete\s{0,2}\(\s{0,2}\w{1,20}\.FullName\s{0,2}\+/ nocase
        $w = /\)\s{0,2}\.\s{0,2}CanWrite/ nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 100KB and any of ($m*) and $g and $c and ($d or $w)
}

rule WSA_Aspx_Writer_RequestBytesToRequestPath
{
    meta:
        id = "WSA-ASPX-136"
        description = "small ASP.NET page or handler that writes bytes or text taken from the request (base64 in a field, the request body) to a path the request names (MapPath of a request value): a remote file writer that plants the next shell"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $code_behind = /Inherits\s{0,3}=/ nocase
        $w1 = /File\s{0,2}\.\s{0,2}(WriteAllBytes|WriteAllText|AppendAllText|WriteAllLines)\s{0,2}\(/ nocase
        $w2 = /new\s{1,3}(System\.IO\.)?(FileStream|StreamWriter)\s{0,2}\(/ nocase
        $w3 = /\.\s{0,2}SaveToFile\s{0,2}\(/ nocase
        // the path: MapPath (or a path join) of a request value
        $path = /(MapPath|Path\s{0,2}\.\s{0,2}Combine)\s{0,2}\(\s{0,2}[^;)]{0,40}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        // the content: a request value decoded, or the request body
        $body1 = /FromBase64String\s{0,2}\(\s{0,2}[\w.]{0,20}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $body2 = /Request\s{0,2}\.\s{0,2}(InputStream|BinaryRead|TotalBytes)/ nocase
        $body3 = /(WriteAllText|AppendAllText|\.Write)\s{0,2}\([^;]{0,80},\s{0,2}[\w.]{0,20}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
    condition:
        filesize < 12KB and any of ($m*) and not $code_behind and any of ($w*) and $path and any of ($body*)
}
