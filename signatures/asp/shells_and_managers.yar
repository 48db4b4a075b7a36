/*
  Classic ASP command shells, file writers/downloaders, encoded scripts and full managers.
*/

rule WSA_Asp_Generic_WScriptShellFromRequest
{
    meta:
        id = "WSA-ASP-010"
        description = "Classic ASP creates WScript.Shell / Shell.Application (by ProgID or CLSID object tag) and runs or execs request-supplied commands"
        family = "Generic command shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $o1 = "WScript.Shell" nocase
        $o2 = "Shell.Application" nocase
        $o3 = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase
        $o4 = "13709620-C279-11CE-A49E-444553540000" nocase
        $x1 = /\.(exec|run)[ \t]{0,3}\(?[ \t]{0,3}[^\r\n]{0,80}(request|szCMD|cmd\b)/ nocase
        $x2 = /\.ShellExecute[ \t]{0,3}\(?/ nocase
        $x3 = /cmd(\.exe)?[ \t]{0,3}\/c/ nocase
        $r = "request" nocase
    condition:
        filesize < 1MB and any of ($o*) and any of ($x*) and $r
}

rule WSA_Asp_Generic_WriteFileFromRequest
{
    meta:
        id = "WSA-ASP-011"
        description = "Classic ASP writes a file whose path (and content) come from the request via FileSystemObject or ADODB.Stream: upload/write stager"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $p1 = /(CreateTextFile|SaveToFile)[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?(trim[ \t]{0,2}\()?request/ nocase
        $a1 = /\b\w{0,12}(path|file|name)\w{0,12}[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\()?request[ \t]{0,3}(\.form|\.querystring)?[ \t]{0,3}\(/ nocase
        $c1 = /(CreateTextFile|OpenTextFile|SaveToFile)[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?\w{1,20}[ \t]{0,3}[,)]/ nocase
        $w1 = /\.write(text)?[ \t]{0,3}\(?[ \t]{0,3}["'&]{0,4}[ \t]{0,3}request/ nocase
        $w2 = /\w{0,12}(data|text|content|body|code)\w{0,12}[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\(|left[ \t]{0,2}\()?request/ nocase
    condition:
        filesize < 30KB and ($p1 or ($a1 and $c1 and any of ($w*)))
}

rule WSA_Asp_Downloader_RemoteScript
{
    meta:
        id = "WSA-ASP-012"
        description = "Classic ASP fetches remote content with (Server)XMLHTTP and saves it via ADODB.Stream/FSO or executes it: second-stage web-shell downloader"
        family = "Generic downloader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $h1 = "Microsoft.XMLHTTP" nocase
        $h2 = "ServerXMLHTTP" nocase
        $h3 = "WinHttp.WinHttpRequest" nocase
        $s1 = "ADODB.Stream" nocase
        $s2 = "SaveToFile" nocase
        $x1 = /(execute|eval|executeglobal)[ \t(]{1,4}\w{0,20}\.?(responseText|responseBody|\w{1,20})/ nocase
        $n1 = /\.(asp|asa|cer|cdx|aspx)["']/ nocase
        $n2 = /\.(txt|jpg|gif)["'][ \t]{0,3},[ \t]{0,3}(false|0)/ nocase
    condition:
        filesize < 20KB and any of ($h*) and (($s1 and $s2 and any of ($n*)) or ($x1 and (#h1 + #h2 + #h3) > 0 and $n2))
}

rule WSA_Asp_Encoded_ScriptEncoder
{
    meta:
        id = "WSA-ASP-013"
        description = "Classic ASP code encoded with the Microsoft Script Encoder (#@~^ ... ^#~@ blocks or VBScript.Encode/JScript.Encode): hides shell logic from review; rare in legitimate current apps"
        family = "Encoded script"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://learn.microsoft.com/en-us/previous-versions/visualstudio/visual-studio-6.0/aa233810(v=vs.60)"
        mitre_attack = "T1505.003"
    strings:
        $e1 = /#@~\^[A-Za-z0-9+\/]{6}==/
        $e2 = /language[ \t]{0,3}=[ \t]{0,3}["']?(vbscript|jscript)\.encode/ nocase
        $end = "^#~@"
    condition:
        filesize < 3MB and (($e1 and $end) or $e2)
}

rule WSA_Asp_Generic_MultiCapabilityShell
{
    meta:
        id = "WSA-ASP-014"
        description = "Classic ASP page combining attacker capabilities (WScript.Shell/Shell.Application, xp_cmdshell/sp_oacreate, net user, Serv-U, cmd.exe) with file-system and database access: full ASP web-shell manager"
        family = "Generic web-shell manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $o1 = /WScript\.Shell["'][ \t]{0,3}\)/ nocase
        $o2 = /Shell\.Application["'][ \t]{0,3}\)/ nocase
        $o3 = "xp_cmdshell" nocase
        $o4 = "sp_oacreate" nocase
        $o5 = "net user" nocase
        $o6 = "Serv-U" nocase
        $o7 = "cmd.exe" nocase
                $o9 = "72C24DD5-D70A-438B-8A42-98424B88AFB8" nocase
        $o10 = "13709620-C279-11CE-A49E-444553540000" nocase
        $o11 = "net localgroup" nocase
        $c1 = "Scripting.FileSystemObject" nocase
        $c2 = "ADODB.Stream" nocase
        $c3 = "ADODB.Connection" nocase
        $c4 = "ScriptTimeout" nocase
        $c5 = ".GetFolder" nocase
        $c6 = ".Drives" nocase
        $c7 = "CreateTextFile" nocase
        $c8 = "DeleteFile" nocase
        $c9 = "0D43FE01-F093-11CF-8940-00A0C9054228" nocase
        $tag = "<%"
    condition:
        filesize < 2MB and $tag and 2 of ($o*) and 2 of ($c*)
}

rule WSA_Asp_Generic_FileManagerWithPassword
{
    meta:
        id = "WSA-ASP-015"
        description = "Small password-gated classic ASP page that writes request-named files via FileSystemObject and prints its own mapped path: the 'small horse' uploader family"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $f = "scripting.filesystemobject" nocase
        $c = /\.(CreateTextFile|OpenTextFile)[ \t]{0,3}\(/ nocase
        $self = /mappath[ \t]{0,3}\([ \t]{0,3}request\.servervariables[ \t]{0,3}\([ \t]{0,3}["'](script_name|path_info|url)["']/ nocase
        $pw = /if[ \t]{1,3}(trim\()?request[ \t]{0,3}\([ \t]{0,3}["']\w{1,20}["'][ \t]{0,3}\)[ \t]{0,3}=[ \t]{0,3}["'][^"'\r\n]{1,30}["'][ \t]{0,3}then/ nocase
        $rq = /request[ \t]{0,3}\([ \t]{0,3}["']\w{1,20}["'][ \t]{0,3}\)/ nocase
    condition:
        filesize < 20KB and $f and $c and $self and ($pw or #rq > 2)
}
