/*
  Classic ASP one-liners and their obfuscated forms: request data (directly, via Session or via a
  decoder) reaching Eval / Execute / ExecuteGlobal, server-side JScript eval, ScriptControl.
*/

rule WSA_Asp_Generic_EvalRequest
{
    meta:
        id = "WSA-ASP-001"
        description = "Classic ASP passes request (or request-fed Session) data straight to Eval/Execute/ExecuteGlobal: the ASP one-line web shell (also as a bare VBScript fragment planted into another page)"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $e1 = /[^a-z0-9_.](eval|execute|executeglobal)(_r)?[ \t(]{1,6}(request|session)[ \t]{0,3}(\(|\[|\.[ \t]{0,2}(form|querystring|item|cookies|servervariables)\b)/ nocase
        $e2 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}(request|session)[ \t]{0,3}\(/ nocase wide
        $e3 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}(\w{1,20}\.)?(Item|Form|QueryString)[ \t]{0,3}[\(\[]/ nocase
        $e4 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}(trim|replace|unescape|cstr|strreverse|lcase|ucase|decode\w{0,8}|base64\w{0,8})[ \t]{0,2}\([ \t]{0,2}(request|session)[ \t]{0,3}[\(\.]/ nocase
        $vb = /[^a-z0-9_.](eval|execute|executeglobal)[ \t]{1,4}(request|session)[ \t]{0,2}\(/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // a CMS reading booleans: `IsOuter=eval(Request("IsOuter"))`, every one an assignment
        // of a named parameter, in a page that includes the site's own files (a shell line put
        // into such a page stands alone: `<%eval request("x")%>`)
        $asg = /[\r\n \t:][A-Za-z_]\w{0,30}[ \t]{0,2}=[ \t]{0,2}eval[ \t]{0,2}\([ \t]{0,2}request[ \t]{0,2}\([ \t]{0,2}"[A-Za-z_]\w{0,30}"[ \t]{0,2}\)[ \t]{0,2}\)/ nocase
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 2MB and ((any of ($tag*) and any of ($e*)) or $vb or $e2) and
        not ($ssi and #asg >= 2 and #asg == #e1 and not any of ($e2, $e3, $e4, $vb))
}

rule WSA_Asp_Generic_EvalVariableFromRequest
{
    meta:
        id = "WSA-ASP-002"
        description = "Small classic ASP page that copies a request value into a variable and then Eval/Execute-s a bare variable, directly or through a one-statement wrapper function (AntSword xxxx-style)"
        family = "Generic eval of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // (a cookie is request data too: cmd = Request.Cookies("browser"))
        $a = /\w{1,20}[ \t]{0,3}=[ \t]{0,3}(trim\(|cstr\(|string\()?request[ \t]{0,3}(\.(form|querystring|item|cookies|servervariables|binaryread))?[ \t]{0,3}\(/ nocase
        // or a helper called with request data, the helper running its parameter ($f)
        $call = /[^a-z0-9_.][a-z_]\w{0,20}[ \t(]{1,3}request[ \t]{0,3}(\.(form|querystring|item|cookies))?[ \t]{0,3}\(/ nocase
        // (the statement ends at a line, a `:`, a comment, `%>` or a script block's `</script>`)
        $e = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}[a-z_]\w{0,20}[ \t]{0,3}(\)|\r|\n|%|:|'|<|$)/ nocase
        // a CMS database wrapper *named* Execute: Execute(sql), Execute(strSql) on a page that builds SQL text
        $db = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}\w{0,8}(sql|query)\w{0,12}[ \t]{0,3}(\)|\r|\n|%|:|'|$)/ nocase
        $sqltext = /"[ \t]{0,3}(select|insert[ \t]{1,3}into|update|delete[ \t]{1,3}from)[ \t]/ nocase
        $f = /(function|sub)[ \t]{1,3}\w{1,20}[ \t]{0,2}\([ \t]{0,2}(byval[ \t]{1,3})?\w{1,20}[ \t]{0,2}\)[ \t:\r\n]{1,6}(eval|execute|executeglobal)[ \t(]{1,3}\w{1,20}/ nocase
        // the word in a VBScript comment ("' build the statement and execute it") is not a call
        $xc = /'[^\r\n'"]{0,150}[^a-z0-9_.](eval|execute|executeglobal)[ \t]{1,3}[a-z_]/ nocase
        // SQL text in a string: "EXECUTE DeleteFile '" & id & "'" runs a stored procedure, not code
        // JScript's eval(v).test(..): the value is used as an object (a regex literal), not run
        $em = /[^a-z0-9_.]eval[ \t(]{1,6}[a-z_]\w{0,30}[ \t]{0,3}\)[ \t]{0,2}\./ nocase
        // a method dispatch by name, checked against the object first (see WSA-ASP-005)
        $disp = /\w{1,30}[ \t]{0,3}\+[ \t]{0,3}'\('[ \t]{0,3}\+[ \t]{0,3}\w{1,30}[ \t]{0,3}\+[ \t]{0,3}'\)'/
        $val = /typeof[ \t]{0,2}\(?[ \t]{0,2}[\w.]{1,40}\[[ \t]{0,2}\w{1,30}[ \t]{0,2}\]/
        $sx = /"[ \t]{0,3}(eval|execute|executeglobal)[ \t]{1,6}[a-z_]/ nocase
    condition:
        filesize < 4KB and (($f and $call) or ($a and ($f or
            for any i in (1..#e) : (not (for any j in (1..#db) : (@db[j] == @e[i])) and not ($sqltext and #db > 0) and
                not (for any k in (1..#xc) : (@e[i] >= @xc[k] and @e[i] < @xc[k] + !xc[k])) and
                not (for any k in (1..#sx) : (@sx[k] == @e[i])) and
                not (for any k in (1..#em) : (@em[k] == @e[i])) and
                not ($val and for any k in (1..#disp) : (@e[i] > @disp[k] and @e[i] - @disp[k] < 300))))))
}

rule WSA_Asp_Obfuscated_ExecuteDecoded : conceals
{
    meta:
        id = "WSA-ASP-003"
        description = "Classic ASP executes the output of a string decoder (Chr arithmetic, Split/Mid loops, Replace, unescape) - obfuscated eval shell"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // a space or a parenthesis after the keyword: `ExecuteGlobal("Dim ..")` is no call of a
        // function `Global`, nor `EvaluarVar(..)` an eval
        $x1 = /[^a-z0-9_.](eval|execute|executeglobal)([ \t]{1,3}\(?|\()[ \t]{0,3}(unescape|\w{1,20})[ \t]{0,3}\([ \t]{0,3}["\w]/ nocase
        $x2 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t]{0,3}["']{2}[ \t]{0,3}&/ nocase
        $x3 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t]{1,3}[a-z_]\w{0,20}[ \t]{0,3}(\(["']|\r|\n|%>|:)/ nocase
        $x5 = /[^a-z0-9_.](eval|execute|executeglobal)([ \t]{1,3}\(?|\()[ \t]{0,3}\w{1,20}[ \t]{0,3}\([ \t]{0,3}\w{1,20}[ \t]{0,3}\)[ \t]{0,3}\)?[ \t]{0,3}(\r|\n|%>|:)/ nocase
        $x4 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t]{0,3}\([ \t]{0,3}[a-z_]\w{0,20}[ \t]{0,3}\)/ nocase
        $db = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,6}\w{0,8}(sql|query)\w{0,12}[ \t]{0,3}(\)|\r|\n|%>|:)/ nocase
        // the word in a VBScript comment ("' build the statement and execute it") is not a call
        $xc = /'[^\r\n'"]{0,150}[^a-z0-9_.](eval|execute|executeglobal)[ \t]{1,3}[a-z_]/ nocase
        // JScript's eval(v).test(..): the value is used as an object (a regex literal), not run
        $em = /[^a-z0-9_.]eval[ \t(]{1,6}[a-z_]\w{0,30}[ \t]{0,3}\)[ \t]{0,2}\./ nocase
        $d1 = /chrw?[ \t]{0,2}\([ \t]{0,2}(\w{1,12}\([^)]{0,20}\)|\w{1,12})[ \t]{0,2}[-+^][ \t]{0,2}\d/ nocase
        $d5 = /unescape[ \t]{0,2}\(/ nocase
        $d7 = /(%65%76%61%6c|\\x65\\x76\\x61\\x6c|%72%65%71%75)/ nocase
        // split on a marker character: "|" and "," are how ordinary pages split lists, not decoders
        $d9 = /split[ \t]{0,2}\([ \t]{0,2}\w{1,12}[ \t]{0,2},[ \t]{0,2}["'][%#@!$^*~][ "']/ nocase
        // ...a decoder only when the pieces become characters right after it (a list parser
        // splits on `~` too, and builds its SQL with Chr(10) far below)
        $chr = /chr[bw]?[ \t]{0,2}\(/ nocase
        $d10 = /(eval|execute)[ \t(]{1,3}\w{1,12}[ \t]{0,2}\(?[ \t]{0,2}["'][0-9A-F]{24}/ nocase
        $d11 = /asc[ \t]{0,2}\([ \t]{0,2}(mid|curchar|\w{1,10})/ nocase
        $d13 = /(eval|execute|executeglobal)[ \t(]{1,4}StrReverse[ \t]{0,2}\(/ nocase
        $d14 = /chrw?[ \t]{0,2}\([ \t]{0,2}["']&h["'][ \t]{0,2}&/ nocase
        $d15 = /base64_?decode|DecodeBase64|FromBase64/ nocase
        // String.fromCharCode is a decoder only on a JScript page; elsewhere it is client-side script
        $d16 = "fromCharCode" nocase
        $js = /<%@[ \t]{0,3}language[ \t]{0,3}=[ \t]{0,3}"?jscript/ nocase
        // a dynamic include: a file read whole, its <% %> tags stripped, then run (no shell reads
        // its own code from disk this way; ASP has no other way to include a chosen file)
        $inc = /replace[ \t]{0,2}\([^,\r\n]{1,40},[ \t]{0,2}"<"[ \t]{0,2}&[ \t]{0,2}"%"/ nocase
        $d12 = /for[ \t]{1,3}\w{1,8}[ \t]{0,2}=[ \t]{0,2}1[ \t]{1,3}to[ \t]{1,3}len[ \t]{0,2}\(/ nocase
        $w2 = /split[ \t]{0,2}\(/ nocase
        $w3 = /\bmid[ \t]{0,2}\(/ nocase
        $w4 = /replace[ \t]{0,2}\(/ nocase
        $ra1 = ".ReadAll" nocase
        $ra2 = "ReadText" nocase
        // a class's own method named Execute (a database wrapper) is declared, not an eval; its
        // declarations and its calls on SQL are not counted as evals (a CMS's site class)
        $decl = /(function|sub)[ \t]{1,3}(eval|execute|executeglobal)[ \t]{0,3}\(/ nocase
        // a name with `"()"` appended: what is run is a call of one of the page's functions by
        // name (an AJAX dispatcher), not decoded code; only the small-page branch heeds it
        $call = /&[ \t]{0,2}"\(\)"/
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // an ASP.NET page: its VBScript-looking eval/unescape/split are client-side JavaScript
        $net = /<%@[ \t]{0,3}(Page|Control|Master)\b/ nocase
    condition:
        filesize < 20KB and any of ($tag*) and not $net and (
            (#x1 + #x2 + #x3 + #x4 + #x5 > #xc + #em + #db + #decl and (any of ($d1, $d5, $d7, $d10, $d11, $d13, $d14, $d15) or ($d16 and $js) or
                for any i in (1..16) : ($chr in (@d9[i] .. @d9[i] + 512))) and
                not ($inc and any of ($ra*))) or
            ($x2) or
            ($x5 and (($d12 and $w3) or #w4 > 5)) or
            (filesize < 2KB and #x1 + #x2 + #x3 + #x4 + #x5 > #xc + #em and any of ($w*) and not any of ($ra*) and not $db and not $decl and not $call))
}

rule WSA_Asp_Obfuscated_DecoderFunctionExecuted : conceals
{
    meta:
        id = "WSA-ASP-037"
        description = "Classic ASP page defines its own string decoder (a function returning StrReverse/Chr/unescape of its argument, through Replace) and runs its output again and again, Execute(Decode(Code)): a large encoded management shell"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // large managers: the page's own decoder function (StrReverse/Chr/Replace of its argument)
        // whose output is executed again and again, Execute(Decode(Code))
        $fd = /function[ \t]{1,3}\w{1,30}[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\)[ \t]{0,3}[:\r\n][ \t]{0,8}\w{1,30}[ \t]{0,3}=[ \t]{0,3}(replace[ \t]{0,3}\([ \t]{0,3}){0,4}(strreverse|chrw?|unescape)[ \t]{0,3}\(/ nocase
        $xd = /[^a-z0-9_.](execute|executeglobal)[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\)[ \t]{0,3}\)/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        // apart from WSA-ASP-003 (small pages only): large files pay for these strings alone
        filesize < 4MB and any of ($tag*) and $fd and #xd >= 3
}

rule WSA_Asp_Obfuscated_ShiftDecoderExecuted : conceals
{
    meta:
        id = "WSA-ASP-041"
        description = "Classic ASP page runs Execute(F(x)) where the page defines a decoder that shifts each character (Chr(Asc(Mid(s, i, 1)) - k) in a For ... To Len loop): a Caesar-encoded management shell, at any size up to 1 MB"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $xd1 = /[^a-z0-9_.](execute|executeglobal)[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\)[ \t]{0,3}\)/ nocase
        $xd2 = /[^a-z0-9_.](execute|executeglobal)[ \t]{1,3}\w{1,30}[ \t]{0,3}\([ \t]{0,3}\w{1,30}[ \t]{0,3}\)[ \t]{0,3}(\r|\n|%>|:)/ nocase
        $shift = /asc[ \t]{0,2}\([ \t]{0,2}mid[ \t]{0,2}\([^()\r\n]{1,40}\)[ \t]{0,2}\)[ \t]{0,2}([-+^*]|xor[ \t])[ \t]{0,2}\w/ nocase
        $loop = /for[ \t]{1,3}\w{1,8}[ \t]{0,2}=[ \t]{0,2}1[ \t]{1,3}to[ \t]{1,3}len[ \t]{0,2}\(/ nocase
        $fn = /function[ \t]{1,3}\w{1,30}[ \t]{0,3}\(/ nocase
        // a class's own method named Execute (a database wrapper) is declared, not an eval
        $decl = /(function|sub)[ \t]{1,3}(eval|execute|executeglobal)[ \t]{0,3}\(/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $net = /<%@[ \t]{0,3}(Page|Control|Master)\b/ nocase
    condition:
        filesize < 1MB and any of ($tag*) and any of ($xd*) and $shift and $loop and $fn and
        not $net and not $decl
}

rule WSA_Asp_Obfuscated_Utf7Codepage : conceals
{
    meta:
        id = "WSA-ASP-004"
        description = "Classic ASP page declaring CODEPAGE 65000 (UTF-7) so that +...- encoded code runs while looking like noise"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://learn.microsoft.com/en-us/previous-versions/iis/6.0-sdk/ms524862(v=vs.90)"
        mitre_attack = "T1505.003"
    strings:
        $c = /<%[ \t]{0,3}@[^%]{0,60}codepage[ \t]{0,3}=[ \t]{0,3}["']?0{0,12}65000/ nocase
    condition:
        filesize < 1MB and $c
}

rule WSA_Asp_JScript_ServerEval
{
    meta:
        id = "WSA-ASP-005"
        description = "Classic ASP server-side JScript (RUNAT=SERVER block or LANGUAGE=JScript page) that evals request data directly, through a variable assigned from Request just before, or through an object holding eval: JScript one-liner"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $b1 = /<script[^>]{0,80}runat[ \t]{0,3}=[ \t]{0,3}["']?server[^>]{0,80}language[ \t]{0,3}=[ \t]{0,3}["']?(javascript|jscript)/ nocase
        $b2 = /<script[^>]{0,80}language[ \t]{0,3}=[ \t]{0,3}["']?(javascript|jscript)[^>]{0,80}runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $b3 = /<%[ \t]{0,3}@[ \t]{0,3}language[ \t]{0,3}=[ \t]{0,3}["']?(javascript|jscript)/ nocase
        $d1 = /[^a-z0-9_.]eval[ \t]{0,5}\([ \t]{0,3}(String[ \t]{0,2}\([ \t]{0,2})?Request/ nocase
        $d2 = /:[ \t]{0,3}eval[ \t]{0,3}[,}]/ nocase
        $d3 = /(return[ \t]{1,3}|=[ \t]{0,3})eval[ \t]{0,3}[;}\r\n]/ nocase
        $d4 = /(new[ \t]{1,3})?Function[ \t]{0,3}\([ \t]{0,3}(String[ \t]{0,2}\([ \t]{0,2})?Request/
        $ra = /=[ \t]{0,3}(String[ \t]{0,2}\([ \t]{0,2})?Request[ \t]{0,2}(\.(Form|QueryString|Item))?[ \t]{0,2}[\(\[]/ nocase
        $ev = /[^a-z0-9_.]eval[ \t]{0,5}\([ \t]{0,3}[a-z_]\w{0,20}[ \t]{0,3}[+)]/ nocase
        // JScript's eval(v).test(..): the value is used as an object (a regex literal), not run
        $em = /[^a-z0-9_.]eval[ \t(]{1,6}[a-z_]\w{0,30}[ \t]{0,3}\)[ \t]{0,2}\./ nocase
        // a method dispatch: eval of 'table.' + name + '(' + args + ')', the name checked to be a
        // function of the table first (Visual InterDev's Remote Scripting runtime), calls a
        // method by name; it does not run request text
        $disp = /\w{1,30}[ \t]{0,3}\+[ \t]{0,3}'\('[ \t]{0,3}\+[ \t]{0,3}\w{1,30}[ \t]{0,3}\+[ \t]{0,3}'\)'/
        $val = /typeof[ \t]{0,2}\(?[ \t]{0,2}[\w.]{1,40}\[[ \t]{0,2}\w{1,30}[ \t]{0,2}\]/
        // an object or variable holding eval is a shell's only when the page reads the request
        // at all (a JScript "require" aliases eval to run script files from disk)
        $rq = /Request[ \t]{0,2}[.(\[]/ nocase
    condition:
        filesize < 400KB and any of ($b*) and
        ($d1 or (($d2 or $d3) and $rq) or $d4 or for any i in (1..#ra) : (for any j in (1..#ev) : (@ev[j] > @ra[i] and @ev[j] - @ra[i] < 400 and
            not (for any k in (1..#em) : (@em[k] == @ev[j])) and
            not ($val and for any k in (1..#disp) : (@ev[j] > @disp[k] and @ev[j] - @disp[k] < 300)))))
}

rule WSA_Asp_Generic_ScriptControl
{
    meta:
        id = "WSA-ASP-006"
        description = "ASP page instantiates the MSScriptControl, exposes Request/Response to it and runs code (AddCode/ExecuteStatement/Eval/Run): eval by proxy"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $a1 = /\.AddObject[ \t]{0,3}\(?[ \t]{0,3}["'][^"']{0,12}["']/ nocase
        // a method called with parentheses or, in VBScript, without (`o.AddCode Request(..)`)
        $a2 = /\.AddCode([ \t]{1,3}|[ \t]{0,3}\()/ nocase
        $a3 = /\.(ExecuteStatement|Eval)([ \t]{1,3}|[ \t]{0,3}\()/ nocase
        $a4 = "ScriptControl" nocase
        $a5 = /\.Language[ \t]{0,3}=/ nocase
        $r = "request" nocase
        // the code is the request's (`sc.AddCode Request("c")`), or the objects are exposed
        $x = /\.(AddCode|ExecuteStatement|Eval|Run)[ \t(]{1,3}[^\r\n]{0,60}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item|Cookies))?[ \t]{0,2}\(/ nocase
        // a JSON helper: the control given JavaScript functions of the page's own to parse with
        $json = /\.AddCode[ \t(]{1,3}"(var|function)[ \t]/ nocase
    condition:
        filesize < 100KB and $r and ((3 of ($a*) and ($a1 or $x or not $json)) or ($a4 and $x))
}

rule WSA_Asp_Obfuscated_SessionCachedExecute : conceals
{
    meta:
        id = "WSA-ASP-007"
        description = "Classic ASP decodes a code blob once, caches it in Session and executes the cached value: obfuscated large-shell loader"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $a = /session[ \t]{0,2}\([ \t]{0,2}["']\w{1,20}["'][ \t]{0,2}\)[ \t]{0,2}=[ \t]{0,2}\w{1,20}[ \t]{0,2}\([ \t]{0,2}\w{1,20}[ \t]{0,2}\)[^\r\n]{0,120}[^a-z0-9_.](execute|executeglobal|eval)[ \t(]{1,3}\w{1,20}/ nocase
    condition:
        filesize < 1MB and $a
}

rule WSA_Asp_Xslt_ScriptTransform
{
    meta:
        id = "WSA-ASP-008"
        description = "Classic ASP builds an XSL stylesheet with an msxsl:script block and runs it through MSXML transformNode: code execution hidden in XSLT"
        family = "XSLT shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.deepinstinct.com/blog/do-not-exchange-it-has-a-shell-inside"
        mitre_attack = "T1505.003"
    strings:
        $x = "msxsl:script" nocase
        $d = "DOMDocument" nocase
        $t = "transformNode" nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and any of ($tag*) and $x and $d and $t
}

rule WSA_Asp_Obfuscated_ReversedCode : conceals
{
    meta:
        id = "WSA-ASP-039"
        description = "Classic ASP page holds its VBScript written backwards in string literals (\"noitcnuF dnE\", \"tcejbOetaerC\", \"etirW.esnopseR\") and executes the output of a decoder function: a reversed-code management shell, whatever the decoder is called"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/windows-scripting/03t418d2(v=vs.84)"
        mitre_attack = "T1505.003"
    strings:
        // VBScript idioms, reversed
        $r1 = "noitcnuF dnE" nocase
        $r2 = "buS dnE" nocase
        $r3 = "fI dnE" nocase
        $r4 = "tcejbOetaerC" nocase
        $r5 = "etirW.esnopseR" nocase
        $r6 = "tseuqeR" nocase
        $r7 = "gnihtoN=" nocase
        // Execute(Decode(x)), ExecuteGlobal Decode(x)
        $ex = /execute(global)?[ \t]{0,3}\(?[ \t]{0,3}[a-z_]\w{0,30}[ \t]{0,3}\(/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and ($tag or $tagr) and $ex and 3 of ($r*)
}
