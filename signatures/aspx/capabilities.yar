/*
  ASP.NET capability rules: what a shell must do, whatever the family. Each rule pairs a sink
  (process, assembly loader, native code, PowerShell, socket relay, credential store, runtime
  handler registration) with the page-level evidence that makes it a web entry point, and stays
  tolerant of indirection (a variable, a helper method, reflection with computed names).
*/

rule WSA_Aspx_GlobalAsax_RequestHook
{
    meta:
        id = "WSA-ASPX-120"
        description = "Global.asax / global.asa whose application or request event reads request data and reaches a code, process, assembly-load or file-write sink: every request of the site passes through the hijack"
        family = "Global.asax hijack"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.microsoft.com/en-us/security/blog/2022/07/26/malicious-iis-extensions-quietly-open-persistent-backdoors-into-servers/"
        mitre_attack = "T1505.003"
    strings:
        $ev1 = /(Application|Session)_(BeginRequest|AuthenticateRequest|PostAuthenticateRequest|AcquireRequestState|PreRequestHandlerExecute|Start|OnStart|EndRequest|Error)/ nocase
        // what the client sends; the server's own variables (LOGON_USER, REMOTE_ADDR) are not input,
        // only its HTTP_ headers are
        // (not the tail of an event name: Application_BeginRequest(..))
        $req = /[^A-Za-z0-9_]Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\.\s{0,3}ServerVariables\s{0,3}[\(\[]\s{0,3}"HTTP_|\(|\[)/ nocase
        // code commented out, a line at a time (`// foreach (string key in Request.Form)`)
        $rc = /[\r\n][ \t]{0,40}(\/\/|')[^\r\n]{0,160}Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\.\s{0,3}ServerVariables\s{0,3}[\(\[]\s{0,3}"HTTP_|\(|\[)/ nocase
        $s1 = /Process\s{0,3}\.\s{0,3}Start|ProcessStartInfo/ nocase
        $s2 = /Assembly\s{0,3}\)?\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $s3 = /CreateInstance\s{0,3}\(|\.InvokeMember\s{0,3}\(/ nocase
        $s4 = /[^a-z0-9_.]eval\s{0,3}\(|[^a-z0-9_.]Execute(Global)?\s{1,3}[a-z(]/ nocase
        $s5 = /CreateObject\s{0,3}\(\s{0,3}["'](WScript\.Shell|Shell\.Application|Scripting\.FileSystemObject|ADODB\.Stream)/ nocase
        $s6 = /File\s{0,3}\.\s{0,3}(WriteAll(Text|Bytes)|AppendAllText)\s{0,3}\(|\.SaveAs\s{0,3}\(/ nocase
        $s7 = "JScriptEvaluate" nocase
        $s8 = "FromBase64String" nocase
        $cs1 = /Response\s{0,3}\.\s{0,3}(Write|BinaryWrite|End)\s{0,3}\(/ nocase
    condition:
        filesize < 300KB and (extension == ".asax" or extension == ".asa") and $ev1 and
        for any i in (1..#req) : (not for any k in (1..#rc) : (@req[i] >= @rc[k] and @req[i] < @rc[k] + !rc[k])) and
        (any of ($s1, $s2, $s4, $s5, $s7) or (($s3 or $s6) and ($s8 or $cs1)))
}

rule WSA_Aspx_MemShell_RuntimeRegistration
{
    meta:
        id = "WSA-ASPX-121"
        description = "page or handler that installs request-processing code into the running application: registers a VirtualPathProvider, adds a route/handler/module at run time or edits the HttpApplication event list through reflection (.NET memory-shell installer)"
        family = ".NET memory shell installer"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.microsoft.com/en-us/security/blog/2022/07/26/malicious-iis-extensions-quietly-open-persistent-backdoors-into-servers/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $v1 = "RegisterVirtualPathProvider" nocase
        $v2 = /:\s{0,3}(System\.Web\.Hosting\.)?VirtualPathProvider\b/
        $r1 = /RouteTable\s{0,3}\.\s{0,3}Routes\s{0,3}\.\s{0,3}(Add|Insert|MapPageRoute)\s{0,3}\(/ nocase
        $r2 = /DynamicModuleUtility\s{0,3}\.\s{0,3}RegisterModule/ nocase
        $r3 = /["'](_moduleCollection|_handlerFactories|_eventHandlersList|_virtualPathProvider|_routes|_pipelineModules|_moduleConfigInfo)["']/
        $r4 = /HttpListener\s{0,3}\(\s{0,3}\)/
        $r5 = /Prefixes\s{0,3}\.\s{0,3}Add\s{0,3}\(/
        $r6 = /\.(BeginRequest|PostAuthenticateRequest|PreRequestHandlerExecute|PostMapRequestHandler)\s{0,3}\+=/
        $b1 = /BindingFlags\s{0,3}\.\s{0,3}NonPublic/
        $x1 = /Assembly\s{0,3}\)?\s{0,3}\.\s{0,3}Load\s{0,3}\(|FromBase64String|CreateDecryptor|Process\s{0,3}\.\s{0,3}Start|ProcessStartInfo|CompileAssemblyFromSource/ nocase
        $x2 = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\[)/ nocase
    condition:
        filesize < 400KB and any of ($m*) and
        (($v1 and ($v2 or $x1 or $x2)) or ($r3 and $b1) or ($r4 and $r5 and $x1) or
         (($r1 or $r2 or $r6) and $b1 and $x1))
}

rule WSA_Aspx_Loader_NativeCodeInPage
{
    meta:
        id = "WSA-ASPX-122"
        description = "ASP.NET page or handler that declares P/Invoke to kernel32 memory/thread APIs (VirtualAlloc, VirtualProtect, CreateThread, CreateRemoteThread, WriteProcessMemory) or parses COFF/PE sections itself: shellcode or COFF loader inside a web page"
        family = "Native code loader page"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1055/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $d = /DllImport\s{0,3}\(\s{0,3}["']kernel32/ nocase
        $k1 = "VirtualAlloc" nocase
        $k2 = "VirtualProtect" nocase
        $k3 = "CreateThread" nocase
        $k4 = "CreateRemoteThread" nocase
        $k5 = "WriteProcessMemory" nocase
        $k6 = "QueueUserAPC" nocase
        $k7 = "GetDelegateForFunctionPointer" nocase
        $c1 = "IMAGE_SECTION_HEADER" nocase
        $c2 = "IMAGE_FILE_HEADER" nocase
        $c3 = /COFF|BeaconData|IMAGE_RELOCATION/
        // P/Invoke declared at run time (the library and function names can be decrypted first)
        $p1 = "DefinePInvokeMethod"
        $rt_copy = /Marshal\s{0,2}\.\s{0,2}Copy\s{0,2}\(/
    condition:
        filesize < 1MB and any of ($m*) and
        (($d and 2 of ($k*)) or (($k1 or $k2) and $k7) or (2 of ($c*) and any of ($k*)) or
         ($p1 and ($rt_copy or any of ($k*))))
}

rule WSA_Aspx_PowerShell_RunspaceFromRequest
{
    meta:
        id = "WSA-ASPX-123"
        description = "ASP.NET page hosts PowerShell in process (System.Management.Automation runspace / PowerShell.Create().AddScript) with a script from request or form input: PowerShell web shell"
        family = "PowerShell runspace shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $m5 = "@{"
        $p1 = "RunspaceFactory" nocase
        $p2 = /PowerShell\s{0,3}\.\s{0,3}Create\s{0,3}\(/ nocase
        $p3 = /\.\s{0,3}(AddScript|AddCommand|CreatePipeline)\s{0,3}\(/ nocase
        $p4 = "System.Management.Automation" nocase
        $i1 = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\[|\()/ nocase
        $i2 = /\.Text\b/
    condition:
        filesize < 500KB and any of ($m*) and ($p1 or $p2 or $p4) and $p3 and any of ($i*)
}

rule WSA_Aspx_Tunnel_RequestChosenSocket
{
    meta:
        id = "WSA-ASPX-124"
        description = "ASP.NET page opens a TCP connection to a host and port taken from the request (header, form or query) and relays bytes between the socket and the HTTP body: reGeorg/reDuh/ABPTTS/suo5-style tunnel"
        family = "HTTP tunnel"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1572/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $s1 = /new\s{1,3}(System\.Net\.Sockets\.)?(Socket|TcpClient)\s{0,3}\(/
        $s2 = /\.\s{0,3}(Connect|BeginConnect|ConnectAsync)\s{0,3}\(/
        $s3 = /new\s{1,3}(System\.Net\.)?IPEndPoint\s{0,3}\(/
        // (a TcpClient made with a host connects at once)
        $s4 = /new\s{1,3}(System\.Net\.Sockets\.)?TcpClient\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3},/
        // the host and port read from the request's body
        $h4 = /new\s{1,3}(System\.IO\.)?BinaryReader\s{0,3}\(\s{0,3}Request\s{0,3}\.\s{0,3}(InputStream|GetBufferlessInputStream)/ nocase
        $h1 = /Request\s{0,3}\.\s{0,3}(Headers|Form|QueryString|Params)\s{0,3}(\[|\.Get\s{0,3}\()[^\]\r\n]{0,40}(host|port|target|ip|addr|remote|rport|rhost)/ nocase
        $h2 = /Request\s{0,3}\[\s{0,3}["'][^"'\r\n]{0,20}(host|port|target|ip|addr)/ nocase
        $h3 = /(Int32|int)\s{0,3}\.\s{0,3}Parse\s{0,3}\(\s{0,3}Request/ nocase
        $r1 = /Request\s{0,3}\.\s{0,3}(InputStream|BinaryRead|GetBufferlessInputStream)/ nocase
        $r2 = /Response\s{0,3}\.\s{0,3}(BinaryWrite|OutputStream)/ nocase
        $r3 = /(Session|Application)\s{0,3}\[[^\]\r\n]{1,40}\]\s{0,3}=\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3};/
        $r4 = /\.\s{0,3}(Receive|Send|Read|Write)\s{0,3}\(/
    condition:
        filesize < 300KB and any of ($m*) and $s1 and ($s2 or $s3 or $s4) and any of ($h*) and $r4 and ($r1 or $r2 or $r3)
}

rule WSA_Aspx_ReverseShell_SocketToProcess
{
    meta:
        id = "WSA-ASPX-125"
        description = "ASP.NET page connects out with a TcpClient/Socket and wires the stream to a cmd.exe/powershell/sh process's redirected standard input and output: reverse shell"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1059/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $s1 = /new\s{1,3}(System\.Net\.Sockets\.)?(TcpClient|Socket)\s{0,3}\(/
        $s2 = "GetStream" nocase
        $s3 = /\.\s{0,3}(Connect|Receive)\s{0,3}\(/
        $p1 = "RedirectStandardInput" nocase
        $p2 = "RedirectStandardOutput" nocase
        $sh = /cmd\.exe|["']cmd["']|powershell|\/bin\/(ba)?sh/ nocase
    condition:
        filesize < 300KB and any of ($m*) and $s1 and ($s2 or $s3) and $p1 and $p2 and $sh
}

rule WSA_Aspx_Loader_ReflectiveLoadHidden
{
    meta:
        id = "WSA-ASPX-126"
        description = "ASP.NET page that reaches Assembly.Load through reflection with a computed or split name (Type.GetType/GetMethod of a string, \"Lo\"+\"ad\", reversed or decoded type names) on decrypted or decoded bytes: loader hiding its type names"
        family = "Generic Assembly.Load loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $m5 = "@{"
        $g1 = /GetType\s{0,3}\(\s{0,3}["'][^"'\r\n]{0,80}["']\s{0,3}\+/
        $g2 = /GetMethod\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3}[,)]/
        $g3 = /GetMethod\s{0,3}\(\s{0,3}["'][^"'\r\n]{0,20}["']\s{0,3}\+/
        $g4 = /InvokeMember\s{0,3}\(\s{0,3}["'][^"'\r\n]{0,20}["']\s{0,3}\+/
        $g5 = /["']System\.Reflection\.Assembly["']/
        $g6 = /["']ylbmessA|["']daoL["']/
        // "Load" / "System.Reflection.Assembly" as base64 or hex literals
        $g7 = /["'](TG9hZA|U3lzdGVtLlJlZmxlY3Rpb24uQXNzZW1ibHk|4c6f6164["']|0x4c,\s{0,2}0x6f,\s{0,2}0x61,\s{0,2}0x64)/ nocase
        $b1 = "CreateDecryptor" nocase
        $b2 = "FromBase64String" nocase
        $b3 = /%\s{0,3}[a-zA-Z_]\w{0,20}\.Length\s{0,3}\]/
        $u1 = /\.Invoke\s{0,3}\(/
        $u2 = "CreateInstance" nocase
        $req = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\[)/ nocase
    condition:
        filesize < 300KB and any of ($m*) and any of ($g*) and any of ($b*) and any of ($u*) and $req
}

rule WSA_Aspx_Process_PrivilegeCommand
{
    meta:
        id = "WSA-ASPX-127"
        description = "ASP.NET page runs a fixed privilege-escalation or persistence command through a process (net user /add, net localgroup administrators, reg add ...Run, sc create, schtasks /create, whoami /priv with a potato binary)"
        family = "Privilege escalation runner"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1136/001/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $p1 = /Process\s{0,3}\.\s{0,3}Start|ProcessStartInfo|WScript\.Shell/ nocase
        $c1 = /net1?(\.exe)?\s{1,3}user\s[^"'\r\n]{1,60}\/add/ nocase
        $c2 = /net1?(\.exe)?\s{1,3}localgroup\s{1,3}administrators/ nocase
        $c3 = /reg(\.exe)?\s{1,3}add\s{1,3}["']?HK(LM|EY_LOCAL_MACHINE)\\[^"'\r\n]{0,80}(Run|Winlogon|Terminal Server)/ nocase
        $c4 = /schtasks(\.exe)?\s{1,3}\/create/ nocase
        $c5 = /sc(\.exe)?\s{1,3}create\s/ nocase
        $c6 = /(Juicy|Rotten|Sweet|God|Efs|Print|Bad)Potato|PrintSpoofer/ nocase
    condition:
        filesize < 300KB and any of ($m*) and $p1 and any of ($c*)
}

rule WSA_Aspx_CredentialTheft_ConfigAndMetabase
{
    meta:
        id = "WSA-ASPX-128"
        description = "inline ASP.NET page that decrypts protected web.config sections, reads IIS metabase/applicationHost passwords (AnonymousUserPass, WAMUserPass, processModel credentials) or walks IIS:// ADSI paths and prints them: credential theft tool"
        family = "Credential theft page"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1552/001/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $d1 = /UnprotectSection\s{0,3}\(/ nocase
        $d2 = /OpenWebConfiguration\s{0,3}\(/ nocase
        $d3 = /DecryptSection|RsaProtectedConfigurationProvider|DataProtectionConfigurationProvider/ nocase
        $i1 = /["']IIS:\/\/localhost\/W3SVC/ nocase
        $i2 = /AnonymousUserPass|WAMUserPass|UNCPassword/
        $i3 = /applicationHost\.config/ nocase
        $i4 = /["']password["']|\.Password\b|userName\s{0,3}=/
        $o1 = /Response\s{0,3}\.\s{0,3}Write/ nocase
    condition:
        filesize < 500KB and any of ($m*) and $o1 and
        (($d1 and ($d2 or $d3)) or ($i1 and $i2) or ($i3 and $i4 and ($i1 or $i2)))
}

rule WSA_Aspx_Downloader_RequestUrlToDisk
{
    meta:
        id = "WSA-ASPX-129"
        description = "ASP.NET page downloads a URL given in the request (WebClient.DownloadFile/DownloadData, HttpWebRequest) and saves it under the web root or a request-chosen path: remote file dropper"
        family = "Downloader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $w1 = /\.DownloadFile\s{0,3}\(\s{0,3}[^;\r\n]{0,80}(Request|\.Text\b)/ nocase
        $w2 = /\.DownloadData\s{0,3}\(\s{0,3}[^;\r\n]{0,80}(Request|\.Text\b)/ nocase
        $f1 = /File\s{0,3}\.\s{0,3}WriteAllBytes\s{0,3}\(/ nocase
        $f2 = /(MapPath|Request\s{0,3}\[|\.Text\b)/ nocase
    condition:
        filesize < 200KB and any of ($m*) and ($w1 or ($w2 and $f1 and $f2))
}

rule WSA_Aspx_Godzilla_WebServiceLoader
{
    meta:
        id = "WSA-ASPX-130"
        description = "ASMX/SVC web service whose [WebMethod] decrypts or decodes its argument and loads it as an assembly or keeps it in Session/Application for reuse: Godzilla-style WebService shell"
        family = "Godzilla"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $ws1 = /<%@\s{0,3}WebService/ nocase
        $ws2 = "[WebMethod" nocase
        $ws3 = "OperationContract" nocase
        $l1 = /Assembly\s{0,3}\)?\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $l2 = /GetMethod\s{0,3}\(\s{0,3}["']Load["']/ nocase
        $l3 = /\.CreateInstance\s{0,3}\(/ nocase
        $c1 = "CreateDecryptor" nocase
        $c2 = "FromBase64String" nocase
        $c3 = /%\s{0,3}[a-zA-Z_]\w{0,20}\.Length\s{0,3}\]/
    condition:
        filesize < 200KB and any of ($ws*) and ($l1 or $l2) and $l3 and any of ($c*)
}

rule WSA_Aspx_Deserialize_RequestData
{
    meta:
        id = "WSA-ASPX-131"
        description = "ASP.NET page feeds request data straight into a .NET formatter that can instantiate arbitrary types (BinaryFormatter, LosFormatter, ObjectStateFormatter, SoapFormatter, NetDataContractSerializer, XamlReader, JavaScriptSerializer with a type resolver): deserialization backdoor"
        family = "Deserialization backdoor"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $f = /(BinaryFormatter|LosFormatter|ObjectStateFormatter|SoapFormatter|NetDataContractSerializer)\s{0,3}\(\s{0,3}\)\s{0,3}\)?\s{0,3}\.\s{0,3}Deserialize\s{0,3}\(\s{0,3}[^;\r\n]{0,80}Request/ nocase
        $x = /XamlReader\s{0,3}\.\s{0,3}(Parse|Load)\s{0,3}\(\s{0,3}[^;\r\n]{0,60}Request/ nocase
        $j = /JavaScriptSerializer\s{0,3}\(\s{0,3}new\s{1,3}SimpleTypeResolver/ nocase
        $req = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\[)/ nocase
        // the formatter made first and kept in a variable: var f = new LosFormatter(); f.Deserialize(Request..)
        $fm = /new\s{1,3}[\w.]{0,60}(BinaryFormatter|LosFormatter|ObjectStateFormatter|SoapFormatter|NetDataContractSerializer)\s{0,3}\(/ nocase
        $fd = /\.\s{0,3}Deserialize\s{0,3}\(\s{0,3}[^;\r\n]{0,80}Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params|Headers|Cookies|InputStream|BinaryRead)\b|\[)/ nocase
        // (a page that reads its JSON or XML with a safe serializer deserializes request data too)
        $safe = /JavaScriptSerializer|JsonConvert|DataContractJsonSerializer|XmlSerializer/
    condition:
        filesize < 200KB and any of ($m*) and ($f or $x or ($j and $req) or (filesize < 64KB and $fm and $fd and not $safe))
}

rule WSA_Aspx_SeoCloaking_RemoteContent
{
    meta:
        id = "WSA-ASPX-132"
        description = "Server page (often a hijacked Global.asax) that tells search-engine crawlers from people by user agent and referrer, serves crawlers content downloaded from a remote server named in a literal and redirects visitors who come from a search engine: SEO cloaking implant"
        family = "SEO parasite"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $ua = /Request\.UserAgent|HTTP_USER_AGENT|Headers[ \t]{0,2}\[[ \t]{0,2}"User-Agent"/ nocase
        $ref = /UrlReferrer|HTTP_REFERER|Headers[ \t]{0,2}\[[ \t]{0,2}"Referer"/ nocase
        $bot = /googlebot|baiduspider|bingbot|sogou|360spider|yandexbot|slurp|spider/ nocase
        $engine = /"[^"\r\n]{0,40}(google|baidu|bing|sogou|yahoo|soso|yandex)[^"\r\n]{0,40}"/ nocase
        $fetch = /WebClient|HttpWebRequest|WebRequest\.Create|DownloadData|DownloadString|ServerXMLHTTP|XMLHTTP/ nocase
        $url = /"https?:\/\/[a-z0-9.-]{4,64}(:\d{2,5})?\/?[^"\r\n]{0,60}"/ nocase
        $out = /Response\.(BinaryWrite|Write)[ \t]{0,3}\(?[ \t]{0,3}\w{1,30}[ \t]{0,3}\(/ nocase
        $redir = /Response\.Redirect/ nocase
        $srv1 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $srv2 = "<%"
    condition:
        filesize < 64KB and any of ($srv*) and $ua and $ref and $bot and $engine and $fetch and $url and $out and $redir
}

rule WSA_Aspx_NativeShell_PInvokeProcess
{
    meta:
        id = "WSA-ASPX-134"
        description = "ASP.NET page declares P/Invoke to CreateProcess (or CreateProcessAsUser/WithToken) together with raw Winsock, named-pipe or token-impersonation APIs: a native bind/reverse shell or token-stealing privilege escalation inside a web page (InsomniaShell-style)"
        family = "Native socket shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1134/001/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $d = "DllImport" nocase
        $p = /extern\s{1,3}\w{1,10}\s{1,3}CreateProcess(A|W|AsUser[AW]?|WithToken[AW]?|WithLogon[AW]?)?\s{0,3}\(/ nocase
        $n1 = /extern\s{1,3}\w{1,10}\s{1,3}WSASocket[AW]?\s{0,3}\(/ nocase
        $n2 = /extern\s{1,3}\w{1,10}\s{1,3}(ImpersonateNamedPipeClient|DuplicateTokenEx|ImpersonateLoggedOnUser|SetThreadToken)\s{0,3}\(/ nocase
        $n3 = /extern\s{1,3}\w{1,10}\s{1,3}(accept|connect)\s{0,3}\(/
    condition:
        filesize < 1MB and any of ($m*) and $d and $p and any of ($n*)
}

rule WSA_Aspx_Exec_AlternateRunners
{
    meta:
        id = "WSA-ASPX-137"
        description = "ASP.NET page that hands request data to a runner other than Process.Start: VB's Interaction.Shell, or the Roslyn scripting API (CSharpScript.EvaluateAsync/RunAsync) that compiles and runs C# text"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/microsoft.visualbasic.interaction.shell"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $r1 = /Interaction\s{0,2}\.\s{0,2}Shell\s{0,2}\([^;\r\n]{0,80}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item|Headers|Cookies)\s{0,2})?[\[\(]/ nocase
        $r2 = /CSharpScript\s{0,2}\.\s{0,2}(EvaluateAsync|RunAsync|Create|Evaluate)\s{0,2}\([^;\r\n]{0,60}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item|Headers|Cookies)\s{0,2})?[\[\(]/ nocase
    condition:
        filesize < 500KB and any of ($m*) and any of ($r*)
}

rule WSA_Aspx_FileManager_RequestPathOps
{
    meta:
        id = "WSA-ASPX-138"
        description = "small inline ASP.NET page that lists, copies, moves, deletes or reads files and folders at paths the request gives (File.Copy/Move/Delete/ReadAll*, Directory.GetFiles/GetDirectories/Delete of a request value): a file-manager shell in a few lines; application pages keep such code behind, in compiled classes"
        family = "Generic file manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.io.file"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $code_behind = /(Inherits|CodeBehind|CodeFile)\s{0,3}=/ nocase
        $op1 = /File\s{0,2}\.\s{0,2}(Copy|Move|Delete|ReadAllText|ReadAllBytes|ReadAllLines|OpenRead)\s{0,2}\(\s{0,2}[\w.]{0,24}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $op2 = /Directory\s{0,2}\.\s{0,2}(GetFiles|GetDirectories|GetFileSystemEntries|EnumerateFiles|EnumerateFileSystemEntries|Delete|Move)\s{0,2}\(\s{0,2}[\w.]{0,24}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $op3 = /new\s{1,3}(System\.IO\.)?DirectoryInfo\s{0,2}\(\s{0,2}[\w.]{0,24}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
    condition:
        filesize < 12KB and any of ($m*) and not $code_behind and any of ($op*)
}

rule WSA_Aspx_Exec_ReflectedProcessStart
{
    meta:
        id = "WSA-ASPX-139"
        description = "ASP.NET page that reaches a process runner or an assembly loader through reflection on a type name it decodes at run time (Type.GetType of FromBase64String or a byte decoding, of a reversed string, of the page's own character-XOR decoder) and invokes it with request data, or a type and a method the request names: Process.Start with the name kept out of sight. A type name joined from a fixed prefix and a choice (a report or plugin picker) is not judged here"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.type.gettype"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $t1 = /Type\s{0,2}\.\s{0,2}GetType\s{0,2}\(\s{0,2}[\w.]{0,40}(GetString|FromBase64String|Reverse|Decode)\s{0,2}\(/ nocase
        // or by the page's own decoder on a literal, one that XORs characters: GetType(X("Tp~s.."))
        $t2 = /Type\s{0,2}\.\s{0,2}GetType\s{0,2}\(\s{0,2}[A-Za-z_]\w{0,30}\s{0,2}\(\s{0,2}"/
        $x = /\(\s{0,2}char\s{0,2}\)\s{0,2}\([^;\r\n]{0,40}\^/
        // or a type and a method the request names: GetType(Request["t"]) .. GetMethod(Request["m"])
        $t3 = /GetType\s{0,2}\(\s{0,2}[\w.]{0,30}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $gm = /GetMethod\s{0,2}\(\s{0,2}[\w.]{0,30}Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item)\s{0,2})?[\[\(]/ nocase
        $inv = /\.\s{0,2}(Invoke|InvokeMember)\s{0,2}\(/ nocase
        $req = /Request\s{0,2}(\.\s{0,2}(Form|QueryString|Params|Item|Headers|Cookies)\s{0,2})?[\[\(]/ nocase
    condition:
        filesize < 300KB and any of ($m*) and $inv and $req and
        ($t1 or (filesize < 64KB and $t2 and $x) or ($t3 and $gm))
}

rule WSA_Aspx_Include_RequestPage
{
    meta:
        id = "WSA-ASPX-141"
        description = "ASP.NET runs a page or user control the request names (Server.Execute/Transfer, LoadControl of a request value), or compiles a page it has just written from request data or over its own file (BuildManager): the .NET counterpart of PHP's include $_GET, running code planted elsewhere or sent in the request"
        family = "Remote code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/dotnet/api/system.web.compilation.buildmanager.createinstancefromvirtualpath"
        mitre_attack = "T1505.003"
    strings:
        $e1 = /Server\s{0,3}\.\s{0,3}(Execute|Transfer)\s{0,3}\(\s{0,3}Request\s{0,3}[\[\(\.]/ nocase
        $e2 = /LoadControl\s{0,3}\(\s{0,3}Request\s{0,3}[\[\(\.]/ nocase
        $b1 = /BuildManager\s{0,3}\.\s{0,3}(CreateInstanceFromVirtualPath|GetCompiledType|GetCompiledAssembly)\s{0,3}\(/ nocase
        // (request data: a field, the body, an upload; not the page's own path or address)
        $b2 = /File\s{0,3}\.\s{0,3}(WriteAllText|WriteAllBytes|AppendAllText)\s{0,3}\([^;]{0,120}Request\s{0,3}(\[|\(|\.\s{0,3}(Form|QueryString|Params|Item|InputStream|BinaryRead|Files|Cookies|Headers)\b)/ nocase
        // or rewrites its own file before compiling it: its path kept, its text read, then
        // written twice (the code decoded at run time, then the page put back); an application
        // compiles the pages it ships
        $b3 = /=\s{0,3}(HttpContext\s{0,3}\.\s{0,3}Current\s{0,3}\.\s{0,3})?Request\s{0,3}\.\s{0,3}PhysicalPath\s{0,3};/ nocase
        $b4 = /File\s{0,3}\.\s{0,3}(WriteAllText|WriteAllBytes)\s{0,3}\(/ nocase
        $b5 = /File\s{0,3}\.\s{0,3}(ReadAllText|ReadAllBytes)\s{0,3}\(/ nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 300KB and any of ($m*) and ($e1 or $e2 or ($b1 and ($b2 or ($b3 and $b5 and #b4 >= 2))))
}

rule WSA_Aspx_Reader_RequestPathFile
{
    meta:
        id = "WSA-ASPX-142"
        description = "ASP.NET sends the file at a path the request gives, as given and not mapped into the site (Response.TransmitFile/WriteFile, File.ReadAllText/ReadAllBytes/OpenRead of a request value): a reader that hands out web.config, machine keys and anything else the worker can read"
        family = "Config grabber"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1005/"
        mitre_attack = "T1505.003"
    strings:
        // a raw request value (Server.MapPath(Request[..]) stays inside the site)
        $r1 = /Response\s{0,3}\.\s{0,3}(TransmitFile|WriteFile)\s{0,3}\(\s{0,3}Request\s{0,3}[\[\(\.]/ nocase
        $r2 = /File\s{0,3}\.\s{0,3}(ReadAllText|ReadAllBytes|OpenRead|ReadAllLines)\s{0,3}\(\s{0,3}Request\s{0,3}[\[\(\.]/ nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 300KB and any of ($m*) and any of ($r*)
}

rule WSA_Aspx_Proxy_RequestUrl
{
    meta:
        id = "WSA-ASPX-143"
        description = "ASP.NET fetches the address the request gives and copies the answer into its response (WebRequest.Create/WebClient of a request value): an open relay into the internal network, planted beside shells to reach what the server can"
        family = "Tunnel"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $f1 = /WebRequest\s{0,3}\.\s{0,3}Create(Http)?\s{0,3}\(\s{0,3}(new\s{1,3}Uri\s{0,3}\(\s{0,3})?Request\s{0,3}[\[\(\.]/ nocase
        $f2 = /\.\s{0,3}(DownloadString|DownloadData|OpenRead)\s{0,3}\(\s{0,3}Request\s{0,3}[\[\(\.]/ nocase
        $o = /CopyTo\s{0,3}\(\s{0,3}Response\s{0,3}\.\s{0,3}OutputStream|Response\s{0,3}\.\s{0,3}(Write|BinaryWrite|OutputStream)/ nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 100KB and any of ($m*) and any of ($f*) and $o
}

rule WSA_Aspx_Generic_CapabilityMix
{
    meta:
        id = "WSA-ASPX-144"
        description = "An ASP.NET page or handler with inline code that reads the request (or has a form text box) and holds three or more of the capability families a shell combines (processes, COM shells, assembly loading, reflection, run-time compilation, file writes, file reads (not of an HTTP response), folder and drive listing, database connections, sockets, outbound HTTP, ciphers, Base64, host reconnaissance, the registry, WMI, PowerShell, P/Invoke, directory services): the lowest count at which the benign sets flag at most 1 page in 10,000 (none of 5,732 benign ASP.NET pages: their code lives in compiled code-behind)"
        family = "Generic web-shell manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" ascii
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "@{" ascii
        // the request, or a text box of the page's own form (a shell's command box)
        $req = /Request\s{0,3}[.(\[]|<asp:TextBox\b/ nocase
        $c01 = /ProcessStartInfo|Process\.Start|StartInfo\./ nocase
        $c02 = /WScript\.Shell|Shell\.Application|GetTypeFromProgID/ nocase
        $c03 = /Assembly\.Load|AppDomain\.|Activator\.CreateInstance/ nocase
        $c04 = /GetMethod\s{0,3}\(|BindingFlags|\.InvokeMember\s{0,3}\(/ nocase
        $c05 = /CodeDomProvider|CSharpCodeProvider|CompileAssemblyFromSource|JScriptEvaluate|Microsoft\.JScript/ nocase
        $c06 = /File\.(WriteAll|AppendAll|Copy|Move|Delete|Create)|StreamWriter\s{0,3}\(|\.SaveAs\s{0,3}\(|Directory\.(Delete|Move|CreateDirectory)/ nocase
        $c07 = /File\.(ReadAll|OpenRead)\w{0,8}\s{0,3}\(|TransmitFile|\.WriteFile\s{0,3}\(/ nocase
        // a StreamReader is a file read unless it reads an HTTP response (a payment page
        // reading its gateway's answer is outbound HTTP, counted once as $c11)
        $sr = /StreamReader\s{0,3}\(/ nocase
        $srh = /StreamReader\s{0,3}\(\s{0,3}[\w.]{1,40}\.GetResponseStream\s{0,3}\(/ nocase
        $c08 = /Directory\.Get(Files|Directories|LogicalDrives)|DirectoryInfo|GetFileSystemInfos|DriveInfo/ nocase
        $c09 = /SqlConnection|OleDbConnection|OdbcConnection|MySqlConnection|OracleConnection/ nocase
        $c10 = /TcpClient|TcpListener|new\s{1,3}Socket\s{0,3}\(|System\.Net\.Sockets/ nocase
        $c11 = /WebClient|WebRequest\.|HttpClient|HttpWebRequest/ nocase
        $c12 = /RijndaelManaged|AesManaged|Aes\.Create|CreateDecryptor|TripleDES/ nocase
        $c13 = /FromBase64String/ nocase
        $c14 = /Environment\.(MachineName|UserName|OSVersion|GetEnvironmentVariable)|WindowsIdentity|APPL_PHYSICAL_PATH|LOCAL_ADDR/ nocase
        $c15 = /Microsoft\.Win32\.Registry|RegistryKey/ nocase
        $c16 = /ManagementClass|ManagementObjectSearcher|Win32_\w{3,30}/ nocase
        $c17 = /System\.Management\.Automation|RunspaceFactory|PowerShell\.Create/ nocase
        // P/Invoke, or the Marshal calls that move code into memory and run it (not the memory
        // helpers an imaging page uses on pixel buffers: SizeOf, ReadInt32, WriteByte)
        $c18 = /DllImport|Marshal\.(Copy|AllocHGlobal|GetDelegateForFunctionPointer|GetFunctionPointerForDelegate|WriteIntPtr|ReadIntPtr)\s{0,3}\(/ nocase
        $c19 = /DirectoryEntry|DirectorySearcher/ nocase
        // An editor's file manager (Roxy Fileman, CKFinder, elFinder connectors) refuses paths
        // outside its configured root and keeps uploads to a list of extensions; a shell's
        // file manager works anywhere the worker can
        $deny = /throw\s{1,3}new\s{1,3}\w{0,40}Exception\s{0,3}\([^;]{0,80}(denied|not allowed|forbidden|unauthori[sz]ed|outside)/ nocase
        $extlist = /(ALLOWED|FORBIDDEN|DENIED|BANNED)_?(UPLOAD|EXT|FILE)\w{0,12}/ nocase
    condition:
        // .NET code runs in ASP.NET pages only: a classic ASP page (a server probe listing
        // drives and copying files through the FileSystemObject) is not judged by it
        filesize < 2MB and not (extension == ".asp" or extension == ".asa" or extension == ".cer" or extension == ".cdx") and
        any of ($m*) and $req and (3 of ($c*) or (2 of ($c*) and not $c07 and #sr > #srh)) and
        not ($deny and $extlist)
}

rule WSA_Aspx_Tunnel_HttpRelay
{
    meta:
        id = "WSA-ASPX-145"
        description = "A small ASP.NET page that reads its own raw request body and writes it into an outbound HTTP request (GetRequestStream) to an address taken from the request, copying the answer back: an HTTP tunnel (pystinger-like) that turns the server into a pivot"
        family = "Tunnel"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $body = /Request\s{0,3}\.\s{0,3}(InputStream|BinaryRead|GetBufferlessInputStream)/ nocase
        $fwd = /GetRequestStream\s{0,3}\(/ nocase
        $out = /WebRequest\s{0,3}\.\s{0,3}Create|HttpWebRequest/ nocase
        $req = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Params|Headers))?\s{0,3}\[/ nocase
        $back = /Response\s{0,3}\.\s{0,3}(Write|BinaryWrite|OutputStream)/ nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 30KB and any of ($m*) and $body and $fwd and $out and $req and $back
}
