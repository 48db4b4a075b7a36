/*
  Command execution from ASP.NET pages: user input reaching a cmd.exe / powershell process,
  and COM shells (WScript.Shell, ScriptControl) reachable from an ASP.NET page.
*/

rule WSA_Aspx_Generic_ProcessFromInput
{
    meta:
        id = "WSA-ASPX-010"
        description = "ASP.NET page starts cmd.exe/powershell/sh through System.Diagnostics.Process (or VB's Interaction.Shell) with request or form-control input (command shell)"
        family = "Generic command shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@{"
        $m5 = "@using System"
        $p1 = "ProcessStartInfo" nocase
        $p2 = /StartInfo\s{0,3}\.\s{0,3}(FileName|Arguments)/ nocase
        $p3 = /Process\s{0,3}\.\s{0,3}Start\s{0,3}\(/ nocase
        // an object initializer: new Process { StartInfo = { FileName = .., Arguments = .. } }
        $p4 = /StartInfo\s{0,3}=\s{0,3}(new\s{1,3}[\w.]{0,40}ProcessStartInfo\s{0,3}(\(\s{0,3}\))?\s{0,3})?\{/ nocase
        // VB's own process runner: Interaction.Shell("cmd.exe /c " & ..)
        $p5 = /Interaction\s{0,3}\.\s{0,3}Shell\s{0,3}\(|[^\w.]Shell\s{0,3}\(\s{0,3}"(cmd|powershell)/ nocase
        $sh1 = "cmd.exe" nocase
        $sh2 = /["']cmd["']/ nocase
        $sh3 = "powershell" nocase
        $sh4 = /["']\/bin\/(ba)?sh["']/
        $in1 = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies)\s{0,3}(\.\s{0,3}Get(Values)?\s{0,3})?)?[\[\(]/ nocase
        $in2 = /(Arguments|FileName)\s{0,3}=[^;\r\n]{0,100}\.Text\b/ nocase
        $in3 = /StandardInput\s{0,3}\.\s{0,3}Write(Line)?\s{0,3}\(/ nocase
        $in4 = /Request\.Get\w{0,12}\(|\.Get\s{0,2}\(\s{0,2}"cmd"\)/ nocase
        $in5 = /(Arguments|FileName)\s{0,3}=\s{0,3}([^;\r\n]{0,60}[+&]\s{0,3})?(cmd|command|shell|c|txt\w{0,20}|input\w{0,10})\s{0,3}[;+)]/ nocase
        $in7 = /["'](cmd(\.exe)?\s{1,3})?(\/c|\/k|-c|-command|-enc\w{0,12})\s{0,3}["']\s{0,3}[+&]\s{0,3}[a-zA-Z_]/ nocase
        $in6 = /ProcessStartInfo\s{0,3}\([^;\r\n)]{0,60}\.(Text|Value)\b/ nocase
        $d1 = /Process\s{0,3}\.\s{0,3}Start\s{0,3}\([^;\r\n]{0,100}(\.Text\b|\.Value\b|Request\s{0,3}[\[\(\.])/ nocase
        $d2 = /StartInfo\s{0,3}\.\s{0,3}(FileName|Arguments)\s{0,3}=\s{0,3}[^;\r\n]{0,60}(\.Text\b|\.Value\b|Request\s{0,3}[\[\(\.])/ nocase
        $d3 = /Arguments\s{0,3}=\s{0,3}[^,}\r\n;]{0,60}(\.Text\b|\.Value\b|Request\s{0,3}[\[\(\.])/ nocase
        $fv = /StartInfo\s{0,3}\.\s{0,3}FileName\s{0,3}=\s{0,3}[a-zA-Z_]/
        $rd = "RedirectStandardOutput" nocase
        $wm1 = "[WebMethod" nocase
        $wm2 = "OperationContract" nocase
        // (the name alone, or assembly-qualified: "System.Diagnostics.Process, System")
        $rf = /["']System\.Diagnostics\.Process(StartInfo)?(\s{0,3},[^"'\r\n]{1,80})?["']/
        $p_vars = /ProcessStartInfo\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3}(,\s{0,3}[a-zA-Z_]\w{0,20}\s{0,3})?\)/
    condition:
        filesize < 500KB and any of ($m*) and (any of ($p*) or $rf) and
        ((any of ($sh*) and (any of ($in2, $in3, $in4, $in5, $in6, $in7) or ($in1 and filesize < 8KB))) or $d1 or $d2 or $d3 or ($fv and $rd and $in1 and filesize < 50KB) or
         (any of ($wm*) and ($p_vars or $fv) and $rd) or
         ($rf and $in1))
}

rule WSA_Aspx_Generic_ComShell
{
    meta:
        id = "WSA-ASPX-011"
        description = "ASP.NET page drives WScript.Shell / Shell.Application (CreateObject, GetTypeFromProgID, their CLSIDs, or a JScript ActiveXObject) or the MSScriptControl with request data: COM command/eval shell in an .aspx"
        family = "Generic command shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /CreateObject\s{0,3}\(\s{0,3}["']WScript\.Shell["']\s{0,3}\)\s{0,3}\.\s{0,3}(exec|run)\s{0,3}\(\s{0,3}Request/ nocase
        $c2 = /MSScriptControl\.ScriptControl|["']ScriptControl["']/ nocase
        $x2 = /(ExecuteStatement|AddCode|\.Eval)\s{0,3}\(/ nocase
        $o1 = /(CreateObject|GetTypeFromProgID)\s{0,3}\(\s{0,3}["'](WScript\.Shell|Shell\.Application)["']/ nocase
        // a call with arguments: `.exec()` with none runs nothing (a probe testing the method)
        $o2 = /\.\s{0,2}(Exec|Run|ShellExecute|InvokeMember)\s{0,3}\(\s{0,3}[^)\s]/ nocase
        // WScript.Shell / Shell.Application by CLSID (GetObject("new:..."), GetTypeFromCLSID)
        $o3 = /72C24DD5-D70A-438B-8A42-98424B88AFB8|13709620-C279-11CE-A49E-444553540000/ nocase
        // a client-side VBScript block's WScript.Shell runs in the browser (a back office's page)
        $cvb = /<script[ \t]{1,3}language[ \t]{0,3}=[ \t]{0,3}["']?vbscript["']?[ \t]{0,3}>[^%]{0,400}CreateObject[ \t]{0,3}\([ \t]{0,3}["']WScript\.Shell/ nocase
        $o4 = /new\s{1,3}ActiveXObject\s{0,3}\(/
        // the ProgID built at run time ("WScript." + "Shell"), its command method called by name
        $o5 = /GetTypeFromProgID\s{0,3}\(/ nocase
        $o6 = /InvokeMember\s{0,3}\(\s{0,3}"(Exec|Run|ShellExecute)"/ nocase
        $js = /<%@\s{0,3}Page[^>]{0,200}Language\s{0,3}=\s{0,3}["']?(jscript|javascript)/ nocase
        $req = "request" nocase
        // (WSA-ASP-010's own strings: yara rules cannot share strings across rule files, so
        // tests/test_signature_twins.py keeps the two copies equal)
        $fixed = /["'][^"'\r\n]{0,80}(ffmpeg|ffprobe|mencoder|flvtool2?|magick|convert\.exe|gswin\d{2}c?|7z\.exe|winrar|rar\.exe|iisreset|pdf2swf|swftools)/ nocase
        $fixdir = /(cmd(\.exe)?|%comspec%)[ \t]{0,3}\/[ck][ \t"]{1,4}dir[ \t]{1,3}"{0,2}([a-z]:\\|\\\\)[^"&\r\n]{1,120}"[ \t]{0,2}&/ nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and ($c1 or ($c2 and $x2 and $req) or (any of ($m*) and (#o1 > #cvb or $o3 or ($o4 and $js) or ($o5 and $o6)) and $o2 and $req and
            // a classic-ASP page that runs one fixed tool, or lists one fixed folder, is an
            // admin page (the exceptions of WSA-ASP-010, which judges classic ASP's shells)
            not ((extension == ".asp" or extension == ".asa" or extension == ".cer" or extension == ".cdx") and ($fixed or $fixdir))))
}

rule WSA_Aspx_Generic_JScriptEvaluateFromCSharp
{
    meta:
        id = "WSA-ASPX-013"
        description = "C#/VB page calls the JScript.NET engine directly (Microsoft.JScript Eval.JScriptEvaluate with a VsaEngine) on request data: Chopper one-liner without a JScript page directive"
        family = "China Chopper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
        mitre_attack = "T1505.003"
    strings:
        $j = "JScriptEvaluate" nocase ascii wide
        $v = "VsaEngine" nocase ascii wide
        $r = "Request" nocase ascii wide
    condition:
        filesize < 200KB and $j and ($v or $r)
}

rule WSA_Aspx_Recon_SecurityProductCheck
{
    meta:
        id = "WSA-ASPX-012"
        description = "Small ASP.NET page that tests for EDR/AV agent binaries or services (FireEye xagt, CrowdStrike csfalconservice, Carbon Black, Cylance, SentinelOne) and reports back: HAFNIUM-era 'SecChecker' reconnaissance"
        family = "EDR reconnaissance page"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/detection-response-to-exploitation-of-microsoft-exchange-zero-day-vulnerabilities"
        mitre_attack = "T1505.003"
    strings:
        $e1 = "xagt.exe" nocase
        $e2 = "csfalconservice" nocase
        $e3 = "cb.exe" nocase
        $e4 = "CylanceSvc" nocase
        $e5 = "SentinelAgent" nocase
        $e6 = "RepMgr.exe" nocase
        $c1 = /File\s{0,2}\.\s{0,2}Exists\s{0,2}\(/ nocase
        $c2 = /Directory\s{0,2}\.\s{0,2}Exists\s{0,2}\(/ nocase
        $c3 = "GetProcessesByName" nocase
        $c4 = "ServiceController" nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 20KB and any of ($m*) and 2 of ($e*) and any of ($c*)
}
