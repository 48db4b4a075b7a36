/*
  Classic ASP command shells, file writers/downloaders, encoded scripts and full managers.
*/

rule WSA_Asp_Generic_WScriptShellFromRequest
{
    meta:
        id = "WSA-ASP-010"
        description = "Classic ASP creates WScript.Shell / Shell.Application (by ProgID or CLSID object tag) and runs or execs request-supplied commands, or copies/moves files between request-chosen Shell.Application folders"
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
        // the command line itself comes from the request (directly or through a cmd-like variable)
        // one string for both ways the command arrives (request data, or a variable named for a
        // command): the two had one atom, and each of its hits verified two regexes
        $x1 = /\.(exec|run)\b[ \t]{0,3}\(?[ \t]{0,3}([^\r\n.]{0,40}request|[^\r\n.]{0,60}(szCMD|[&(][ \t]{0,2}\w{0,10}(cmd|command|str|exe|shell|defcmd)\w{0,10}[ \t]{0,2}[&),\r\n]))/ nocase
        $x2 = /\.ShellExecute[ \t]{0,3}\(?[^\r\n.]{0,40}(request|&[ \t]{0,2}\w{1,20})/ nocase
        $x3 = /(cmd(\.exe)?|%comspec%)[ \t]{0,3}\/[ck][^\r\n.\/]{0,40}(request|&[ \t]{0,2}[a-z]{0,8}(cmd|command|str|exe|shell))/ nocase
        // any variable appended to cmd /c (VBScript & or JScript +), in a page that reads the request
        $x7 = /(cmd(\.exe)?|%comspec%)[ \t]{0,3}\/[ck][^\r\n]{0,60}[&+][ \t]{0,2}[a-z_]\w{0,20}/ nocase
        // ...but not a listing of one fixed folder, the request naming what to list in it
        // (`cmd /c dir \\srv\docs\Timecards\" & customer & "*`): the program and place are fixed
        $fixdir = /(cmd(\.exe)?|%comspec%)[ \t]{0,3}\/[ck][ \t"]{1,4}dir[ \t]{1,3}"{0,2}([a-z]:\\|\\\\)[^"&\r\n]{1,120}"[ \t]{0,2}&/ nocase
        // Shell.Application folder objects on request-chosen paths, files copied or moved with them
        $x5 = /\.namespace[ \t]{0,3}\([ \t]{0,3}(request|[a-z_]\w{0,20}[ \t]{0,3}\))/ nocase
        $x6 = /\.(copyhere|movehere)\b/ nocase
        $r = "request" nocase
        // admin pages that run one fixed tool (video transcoding, image conversion, archive,
        // IIS restart) on request-chosen file names: the program is fixed, not the command
        $fixed = /["'][^"'\r\n]{0,80}(ffmpeg|ffprobe|mencoder|flvtool2?|magick|convert\.exe|gswin\d{2}c?|7z\.exe|winrar|rar\.exe|iisreset|pdf2swf|swftools)/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // a JSP page (client-side ActiveXObject("WScript.Shell") next to Java code)
        $jsp = /<%@[ \t]{0,3}page[ \t][^%]{0,200}(import|contentType|pageEncoding)[ \t]{0,3}=/
        // ...or in a client-side VBScript block (no runat=server, no server tag before it): the
        // browser's object, a back office opening a local file on the operator's PC
        $cvb = /<script[ \t]{1,3}language[ \t]{0,3}=[ \t]{0,3}["']?vbscript["']?[ \t]{0,3}>[^%]{0,400}CreateObject[ \t]{0,3}\([ \t]{0,3}["']WScript\.Shell/ nocase
    condition:
        filesize < 1MB and any of ($tag*) and (#o1 > #cvb or any of ($o2, $o3, $o4)) and $r and not $jsp and
        ($x2 or $x3 or (($x1 or #x7 > #fixdir) and not $fixed) or ($o2 and $x5 and $x6))
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
        // (the path from a cookie too: a writer driven by cookies keeps its fields out of logs)
        // a file's name, not any name (a payment notice's item_name, first_name)
        $a1 = /\b(\w{0,12}(path|file)\w{0,12}|(new|old|f|s|str)?name\d?)[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\()?request[ \t]{0,3}(\.form|\.querystring|\.cookies)?[ \t]{0,3}\(/ nocase
        // OpenTextFile only when opened for writing or appending (2, 8): reading a mail template is not a write
        $c1 = /(CreateTextFile|SaveToFile)[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?\w{1,20}[ \t]{0,3}[,)]|OpenTextFile[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?\w{1,20}[ \t]{0,3}\)?[ \t]{0,3},[ \t]{0,3}(2|8|ForWriting|ForAppending)\b/ nocase
        $c2 = /(CreateTextFile|SaveToFile)[ \t]{0,3}\(?[ \t]{0,3}\w{1,20}[ \t]{0,3}[,)]/ nocase
        $w1 = /\.write(text)?[ \t]{0,3}\(?[ \t]{0,3}["'&]{0,4}[ \t]{0,3}request/ nocase
        // the written text's variable ends in its word: a shop's statcodeID is a state's code
        $w2 = /\b\w{0,12}(data|text|content|body|code)\d?[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\(|left[ \t]{0,2}\()?request/ nocase
    condition:
        filesize < 30KB and ($p1 or ($a1 and filesize < 6KB and any of ($w*) and ($c1 or $c2)) or ($a1 and $w1 and $c2))
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
        // run as a statement (a line's or a colon's first word, not a word of a comment or SQL):
        // Execute/ExecuteGlobal of a variable or of the answer itself, or Eval of one
        $x1 = /[\r\n:%][ \t]{0,16}(execute|executeglobal)[ \t(]{1,3}[a-z_]\w{0,30}(\.(responseText|responseBody))?[ \t]{0,3}\)?[ \t]{0,3}(\r|\n|%>|:)|[=(:][ \t]{0,3}eval[ \t]{0,3}\([ \t]{0,3}[a-z_]\w{0,30}(\.(responseText|responseBody))?[ \t]{0,3}\)/ nocase
        $n1 = /\n[ \t]{0,40}[a-z_][^'\r\n]{0,60}SaveToFile[^'\r\n]{0,80}\.(asp|asa|cer|cdx|aspx)[^a-z0-9.]/ nocase
        $n2 = /\.(txt|jpg|gif)["'][ \t]{0,3},[ \t]{0,3}(false|0)/ nocase
    condition:
        filesize < 20KB and any of ($h*) and (($s1 and $s2 and any of ($n*)) or ($x1 and (#h1 + #h2 + #h3) > 0 and $n2))
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
        $o1 = /CreateObject[ \t]{0,2}\([ \t]{0,2}["']WScript\.Shell["'][ \t]{0,3}\)/ nocase
        $o2 = /CreateObject[ \t]{0,2}\([ \t]{0,2}["']Shell\.Application["'][ \t]{0,3}\)/ nocase
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
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // a command run with an argument: a server probe creates WScript.Shell to read the
        // environment and names Shell.Application's class ID to test it is installed
        $run = /\.(Exec|Run|ShellExecute)([ \t]{1,3}|[ \t]{0,3}\([ \t]{0,3})[\w"'&]/ nocase
    condition:
        filesize < 2MB and ($tag or $tagr) and 2 of ($o*) and 2 of ($c*) and
        ($run or any of ($o3, $o4, $o5, $o6, $o7, $o11))
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
        $pw = /if[ \t]{1,3}(trim\()?request[ \t]{0,3}(\.(form|querystring|cookies)[ \t]{0,3})?\([ \t]{0,3}["']\w{1,20}["'][ \t]{0,3}\)[ \t]{0,3}=[ \t]{0,3}["'][^"'\r\n]{1,30}["'][ \t]{0,3}then/ nocase
        // a form's own flags compared with a boolean or a digit are no password: a cache tool's
        // If Request("IsPostback") = "true" Then
        $pwb = /if[ \t]{1,3}(trim\()?request[ \t]{0,3}(\.(form|querystring|cookies)[ \t]{0,3})?\([ \t]{0,3}["']\w{1,20}["'][ \t]{0,3}\)[ \t]{0,3}=[ \t]{0,3}["'](true|false|yes|no|on|off|\d)["'][ \t]{0,3}then/ nocase
        $rq = /request[ \t]{0,3}(\.(form|querystring|cookies)[ \t]{0,3})?\([ \t]{0,3}["']\w{1,20}["'][ \t]{0,3}\)/ nocase
        // server-side includes of the site's own pages: an application's page, not a dropped one
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 20KB and $f and $c and $self and not $ssi and (#pw > #pwb or #rq > 2)
}

rule WSA_Asp_Dropper_WritesScriptFile
{
    meta:
        id = "WSA-ASP-016"
        description = "Classic ASP creates a server-script or Windows-script file (.asp/.asa/.cer/.aspx/.vbs/.bat) and writes request data or code-launching content into it: dropper"
        family = "Generic dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // the target is a script file named in a literal: CreateTextFile(Server.MapPath("x.asp")), SaveToFile(p & ".asa")
        $c = /(CreateTextFile|SaveToFile|OpenTextFile)[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?"[^"\r\n]{0,60}\.(asp|asa|cer|cdx|aspx|vbs|bat|cmd|js)"/ nocase
        $w1 = /\.write(text|line)?[ \t]{0,3}\(?[ \t]{0,3}(trim[ \t]{0,2}\(|cstr[ \t]{0,2}\()?request/ nocase
        $w2 = /(CreateTextFile|SaveToFile|OpenTextFile)[ \t]{0,3}\(?[ \t]{0,3}(server\.mappath[ \t]{0,3}\([ \t]{0,3})?(trim[ \t]{0,2}\()?request/ nocase
        // the whole file body is one variable that was read from the request
        // (a Response.Write of a variable is not a file write: the receiver must not end in "se")
        $w3 = /([^s]e|[^e])\.write(text|line)?[ \t(]{1,3}[a-z_]\w{0,20}[ \t]{0,3}(\)|\r|\n|:|%)/ nocase
        $w4 = /[a-z_]\w{0,20}[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\(|cstr[ \t]{0,2}\()?request[ \t]{0,3}(\.form|\.querystring|\.cookies)?[ \t]{0,3}\(/ nocase
        $p1 = "WScript.Shell" nocase
        $p2 = /execute[ \t]{0,3}(\(|request)/ nocase
        $p3 = /\.Run[ \t]{1,3}["']/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // server-side includes of the site's own pages: a settings or status page of an application
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 20KB and any of ($tag*) and $c and ($w1 or $w2 or ($w3 and $w4) or 2 of ($p*)) and not $ssi
}

rule WSA_Asp_Generic_SelfAppendingScript
{
    meta:
        id = "WSA-ASP-017"
        description = "Classic ASP page opens its own script file for appending (OpenTextFile(MapPath(SCRIPT_NAME), 8)) and writes request data into it: self-injecting backdoor"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $s = /ServerVariables[ \t]{0,2}\([ \t]{0,2}["'](SCRIPT_NAME|PATH_INFO|URL|PATH_TRANSLATED)["']/ nocase
        // a log file of a fixed name (a payment plugin appending to wx.txt) is not the script
        $fixed = /MapPath[ \t]{0,2}\([ \t]{0,2}"[^"\r\n]{1,60}\.(txt|log)"[ \t]{0,2}\)/ nocase
        // its own file: OpenTextFile(Server.MapPath(x), 8), or a variable that holds the
        // script's mapped path or physical path (a page's log file by name is not the script)
        $o = /OpenTextFile[ \t]{0,2}\([ \t]{0,2}Server\.MapPath[ \t]{0,2}\([ \t]{0,2}[\w"(). ]{1,60}\)[ \t]{0,2},[ \t]{0,2}8/ nocase
        $ov = /OpenTextFile[ \t]{0,2}\([ \t]{0,2}\w{1,20}[ \t]{0,2},[ \t]{0,2}8/ nocase
        $selfp = /\w{1,20}[ \t]{0,2}=[ \t]{0,2}(Server\.MapPath[ \t]{0,2}\([ \t]{0,2}Request\.ServerVariables[ \t]{0,2}\([ \t]{0,2}["'](SCRIPT_NAME|PATH_INFO|URL)["'][ \t]{0,2}\)[ \t]{0,2}\)|Request\.ServerVariables[ \t]{0,2}\([ \t]{0,2}["']PATH_TRANSLATED["'][ \t]{0,2}\))/ nocase
        $r = /request[ \t]{0,2}(\.form|\.cookies)?[ \t]{0,2}\(/ nocase
        $w = /\.write(line)?[ \t]/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 20KB and any of ($tag*) and $s and ($o or ($ov and $selfp)) and $r and $w and not $fixed
}

rule WSA_Asp_FileManager_DriveBrowser
{
    meta:
        id = "WSA-ASP-018"
        description = "Classic ASP file manager that enumerates the server's drives (FSO .Drives / DriveType) and deletes, copies or writes files at request-chosen paths: ASP web-shell file manager"
        family = "Generic file manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $d1 = /\.Drives\b/ nocase
        $d2 = "DriveType" nocase
        $d3 = "DriveLetter" nocase
        $f1 = "DeleteFile" nocase
        $f2 = "DeleteFolder" nocase
        $f3 = "CopyFile" nocase
        $f4 = "MoveFile" nocase
        $f5 = "CreateTextFile" nocase
        $f6 = "SaveToFile" nocase
        $f7 = ".SubFolders" nocase
        $f8 = "GetFolder" nocase
        $r = "request" nocase
        // a change at a path the page does not fix: a variable or the request (an admin page's
        // "clear the logs" deletes a written path)
        $chg = /\.(DeleteFile|DeleteFolder|CopyFile|CopyFolder|MoveFile|MoveFolder|SaveToFile)[ \t(]{1,3}(server\.mappath[ \t]{0,2}\([ \t]{0,2})?(request|[a-z_]\w{0,30}[ \t]{0,2}([,)&:\r\n]|$))/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        // one of them changes files at a path it is given: listing drives and folders and a
        // write-speed test file (CreateTextFile) is what an ASP server probe does. (No exception
        // for pages that include the site's files: a file manager pasted into an application
        // page has them.)
        filesize < 2MB and ($tag or $tagr) and $r and any of ($d*) and 3 of ($f*) and $chg
}

rule WSA_Asp_FileManager_FullDiskBrowser
{
    meta:
        id = "WSA-ASP-019"
        description = "Classic ASP page with long script timeout that walks folders and deletes/moves/copies/writes files anywhere, taking paths from the request: web-shell file manager"
        family = "Generic file manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $t = /ScriptTimeout[^=\r\n]{0,6}=[^0-9\r\n]{0,6}\d{5}/ nocase
        $f1 = "DeleteFile" nocase
        $f2 = "DeleteFolder" nocase
        $f3 = "CopyFile" nocase
        $f4 = "MoveFile" nocase
        $f5 = "SaveToFile" nocase
        $f6 = ".SubFolders" nocase
        $f7 = "GetFolder" nocase
        $f8 = "CreateTextFile" nocase
        $p1 = /(MapPath|GetFolder)[ \t]{0,2}\([ \t]{0,2}request/ nocase
        $p2 = /\w{0,10}(path|folder|dir)\w{0,10}[ \t]{0,2}=[ \t]{0,2}(trim\()?request/ nocase
        $p3 = "PATH_TRANSLATED" nocase
        $t3 = /ScriptTimeout[^=\r\n]{0,6}=[^0-9\r\n]{0,6}\d{3}/ nocase
        $abs = /request[ \t]{0,2}\([ \t]{0,2}["']\w{1,20}["'][ \t]{0,2}\)[ \t]{0,2}&[ \t]{0,2}["']\\["']/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // server-side includes of the site's own pages (a back office's session check, its classes)
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 2MB and ($tag or $tagr) and not $ssi and 4 of ($f*) and (($t and any of ($p*)) or ($t3 and $abs))
}

rule WSA_Asp_CmdAsp_Family
{
    meta:
        id = "WSA-ASP-020"
        description = "CmdAsp / ASP_KIT family: a form field named .CMD, or a WScript.Network computer\\user banner on a page that takes request input (cmd.asp, up.asp, list.asp kit)"
        family = "CmdAsp"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $f = /name[ \t]{0,2}=[ \t]{0,2}["']?\.CMD["'\s>]/ nocase
        $r = /Request\.Form[ \t]{0,2}\([ \t]{0,2}["']\.CMD["']/ nocase
        $n = /\.ComputerName[ \t]{0,2}&[^\r\n]{0,20}\.UserName/ nocase
        $net = "WScript.Network" nocase
        $in1 = /Request[ \t]{0,2}\.[ \t]{0,2}(BinaryRead|Form|QueryString)/ nocase
    condition:
        filesize < 50KB and (($f and $n) or $r or ($n and $net and $in1))
}

rule WSA_Asp_Generic_SqlConsole
{
    meta:
        id = "WSA-ASP-021"
        description = "Classic ASP database console: connection string and SQL text both taken from request/session (or xp_cmdshell driven through it)"
        family = "Generic SQL shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /(connstr|dbstr|linkstr|conn_?str\w{0,6}|connection\w{0,8})[ \t]{0,2}=[ \t]{0,2}(trim\()?(request|session)[ \t]{0,2}\(/ nocase
        $c2 = /session[ \t]{0,2}\([ \t]{0,2}["']\w{0,8}(dbstr|connstr|conn)\w{0,8}["'][ \t]{0,2}\)[ \t]{0,2}=[ \t]{0,2}request/ nocase
        // server, user or password of the connection typed into the page
        $c3 = /(server|serverip|user(name)?|pass(word)?)\w{0,6}[ \t]{0,2}=[ \t]{0,2}(trim\()?request[ \t]{0,2}(\.form|\.cookies)?[ \t]{0,2}\(/ nocase
        $c4 = /(provider|driver|server|data source)[ \t]{0,2}=[^\r\n]{0,40}["'][ \t]{0,2}&[ \t]{0,2}(request|\w{1,20})/ nocase
        $q1 = /(sql\w{0,10}|sqlstr|query)[ \t]{0,2}=[ \t]{0,2}(trim\()?request[ \t]{0,2}(\.form|\.cookies)?[ \t]{0,2}\(/ nocase
        $q2 = /\.execute[ \t]{0,2}\(?[ \t]{0,2}(trim\()?request/ nocase
        $q3 = "xp_cmdshell" nocase
        $e = /\.(execute|open)[ \t]/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 300KB and ($tag or $tagr) and $e and ((any of ($c1, $c2) and any of ($q*)) or ($c3 and $c4 and any of ($q*)))
}

rule WSA_Asp_ServU_LocalAdminExploit
{
    meta:
        id = "WSA-ASP-022"
        description = "Script talks to the local Serv-U admin port with SITE MAINTENANCE / user-setup commands to add a system-level FTP user: Serv-U privilege escalation from a web shell"
        family = "Serv-U privilege escalation"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $s = "Serv-U" nocase
        $a1 = "SITE MAINTENANCE" nocase
        $a2 = "-SETUSERSETUP" nocase
        $a3 = "-SETDOMAIN" nocase
        $a4 = "43958"
        $a5 = "LocalAdministrator" nocase
    condition:
        filesize < 2MB and $s and 2 of ($a*)
}

rule WSA_Asp_Dropper_EmbeddedExecutable
{
    meta:
        id = "WSA-ASP-023"
        description = "Classic ASP rebuilds a Windows executable from Chr() values (MZ header) and writes it to disk, usually followed by running it: binary dropper"
        family = "Generic dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $mz = /chrb?\(77\)[ \t]{0,2}&[ \t]{0,2}chrb?\(90\)[ \t]{0,2}&[ \t]{0,2}chrb?\(144\)/ nocase
        $w1 = "FileSystemObject" nocase
        $w2 = "ADODB.Stream" nocase
    condition:
        filesize < 5MB and $mz and any of ($w*)
}

rule WSA_Asp_Generic_UnboundedTimeoutTool
{
    meta:
        id = "WSA-ASP-024"
        description = "Classic ASP sets an effectively unlimited ScriptTimeout (6+ digits) and then walks/deletes files at request paths or dumps whole database tables: bulk file or data theft tool"
        family = "Generic web-shell manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $t = /ScriptTimeout[^=\r\n]{0,6}=[^0-9\r\n]{0,6}\d{6}/ nocase
        $f1 = "DeleteFile" nocase
        $f2 = "DeleteFolder" nocase
        $f3 = "GetFolder" nocase
        $f4 = ".SubFolders" nocase
        $f5 = "CopyFile" nocase
        $f6 = "CreateTextFile" nocase
        $r = /request[ \t]{0,2}(\.form|\.querystring|\.cookies)?[ \t]{0,2}\(/ nocase
        $raw = /(DeleteFile|DeleteFolder|GetFolder|CopyFile|MoveFile|CreateTextFile)[ \t]{0,2}\(?[ \t]{0,2}(trim\()?[a-z_]\w{0,20}[ \t]{0,2}[,)\r\n]/ nocase
        $q = /select[^a-z*\r\n]{1,6}\*[^a-z\r\n]{1,6}from/ nocase
        $q2 = /\.Fields[ \t]{0,2}(\.Count|\()/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // server-side includes of the site's own pages (a back office's session check, its classes)
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        // a folder walked or removed: an export page that writes a CSV and deletes the last one
        // with a long timeout is no bulk tool
        // and it stands alone: an application's admin page includes the site's own files
        filesize < 2MB and ($tag or $tagr) and $t and not $ssi and ((2 of ($f*) and any of ($f2, $f3, $f4) and $r and $raw) or ($q and $q2))
}

rule WSA_Asp_Obfuscated_SplitProgId : conceals
{
    meta:
        id = "WSA-ASP-025"
        description = "Classic ASP hides a dangerous COM ProgID (Scripting.FileSystemObject, WScript.Shell, Shell.Application) by splitting it into concatenated pieces or interleaving a variable inside CreateObject: signature evasion typical of ASP web shells"
        family = "Obfuscated COM creation"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // CreateObject("WScr" & x & "ipt.Shell") - a variable between literal pieces of a dangerous ProgID
        $s3 = /CreateObject[ \t]{0,2}\([ \t]{0,2}"(sc|scr|scri|scrip|script|ws|wsc|wscr|wscri|wscrip|wscript|sh|she|shel|shell)[^"\r\n]{0,10}"[ \t]{0,2}&[ \t]{0,2}[a-z_]\w{0,10}[ \t]{0,2}&[ \t]{0,2}"/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and ($tag or $tagr) and $s3
}

rule WSA_Asp_FileManager_DriveRootDefault
{
    meta:
        id = "WSA-ASP-026"
        description = "Classic ASP browser whose path parameter comes from the request and defaults to a drive root (\"c:\\\") before listing folders or reading files with FileSystemObject: whole-disk browsing (ASP_KIT list.asp style)"
        family = "Generic file manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $d = /(file|path|folder|dir|ruta|fpath)\w{0,8}[ \t]{0,2}=[ \t]{0,2}"[a-z]:\\{1,2}"/ nocase
        $r = /(file|path|folder|dir|ruta|fpath)\w{0,8}[ \t]{0,2}=[ \t]{0,2}(trim\()?request/ nocase
        $f1 = "GetFolder" nocase
        $f2 = "OpenTextFile" nocase
        $f3 = ".SubFolders" nocase
        $obj = "FileSystemObject" nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        // ($obj is not one of the $f*: `any of ($f*)` would count it and need nothing more)
        filesize < 200KB and ($tag or $tagr) and $obj and $d and $r and any of ($f1, $f2, $f3)
}

rule WSA_Asp_Laudanum_Page
{
    meta:
        id = "WSA-ASP-043"
        description = "Laudanum penetration-test page for classic ASP or ASP.NET (command, file, DNS or proxy page behind an allowed-IP list): the kit is planted by attackers as it is"
        family = "Laudanum"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $n = "Laudanum" nocase
        $kit = "Injectable Files used during a Penetration Test" nocase
        $ips = /allowed_?ips/ nocase
        $cap = /WScript\.Shell|Scripting\.FileSystemObject|ADODB\.Stream|XMLHTTP|Process\.Start|ProcessStartInfo|System\.Net\.Dns|File\.(Open|Read|Write)|Directory\.Get/ nocase
        $tag = /<%|runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and $tag and $n and ($kit or ($ips and $cap))
}
