/*
  In-memory .NET payload loaders: request bytes (often AES/Rijndael decrypted) handed to
  Assembly.Load and instantiated - Behinder/IceScorpion, Godzilla, the cookie-length loader,
  SharPyShell; plus runtime C# compilation of request data.
*/

rule WSA_Aspx_Generic_AssemblyLoadFromRequest
{
    meta:
        id = "WSA-ASPX-020"
        description = "Server page loads a .NET assembly from request data (Assembly.Load of posted/decrypted bytes, then CreateInstance/Invoke): memory-shell loader"
        family = "Generic Assembly.Load loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@{"
        $m5 = "@using System"
        $l1 = /Assembly\s{0,3}\)?\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $l2 = /GetMethod\s{0,3}\(\s{0,3}["']Load["']/ nocase
        $l3 = /["']Lo["']\s{0,3}\+\s{0,3}["']ad["']/ nocase
        $l4 = /\.Load\s{0,3}\(\s{0,3}(Request|Context\.Request|System\.Convert\.FromBase64String)/ nocase
        $l5 = "System.Reflection.Assembly" nocase
        $l6 = /CurrentDomain\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $r1 = /Request\s{0,3}\.\s{0,3}(BinaryRead|InputStream|TotalBytes|Form|Item|Params|Cookies|QueryString|Headers)/ nocase
        $r2 = /Request\s{0,3}\[/ nocase
        $u1 = "CreateInstance" nocase
        $u2 = /\.Invoke\s{0,3}\(/ nocase
        $u3 = "CreateDecryptor" nocase
        $b1 = "FromBase64String" nocase
        $b2 = /Request\s{0,3}\.\s{0,3}(BinaryRead|InputStream)/ nocase
        $b3 = /Session\s{0,3}\[\s{0,3}["']\w{1,20}["']\s{0,3}\]\s{0,3}=\s{0,3}[^;\r\n]{0,80}Load/ nocase
    condition:
        filesize < 300KB and any of ($m*) and (any of ($l1, $l2, $l3, $l4, $l6) or ($l5 and $u2)) and any of ($r*) and any of ($u*) and
        ($l4 or $u3 or $b1 or $b2 or $b3 or filesize < 10KB)
}

rule WSA_Aspx_Behinder_AesSessionLoader
{
    meta:
        id = "WSA-ASPX-021"
        description = "Behinder (IceScorpion) style ASPX stub: 16-char key kept in Session, whole request body decrypted and loaded as an assembly"
        family = "Behinder"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/rebeyond/Behinder"
        mitre_attack = "T1505.003"
    strings:
        $k = /Session\s{0,3}(\.\s{0,3}Add\s{0,3}\(|\[)\s{0,3}["']k["']\s{0,3}[,\]]/ nocase
        $b1 = /Request\s{0,3}\.\s{0,3}BinaryRead\s{0,3}\(\s{0,3}Request\s{0,3}\.\s{0,3}(ContentLength|TotalBytes)/ nocase
        $c1 = "RijndaelManaged" nocase
        $c2 = "AesManaged" nocase
        $c3 = "CreateDecryptor" nocase
        $e = /CreateInstance\s{0,3}\(\s{0,3}["'][A-Za-z]{1,3}["']\s{0,3}\)\s{0,3}\.\s{0,3}Equals\s{0,3}\(\s{0,3}this/ nocase
    condition:
        filesize < 100KB and (($k and $b1 and any of ($c*)) or ($e and any of ($c*)))
}

rule WSA_Aspx_Godzilla_AesPayloadStub
{
    meta:
        id = "WSA-ASPX-022"
        description = "Godzilla C# stub: key/pass strings, base64 request value AES-decrypted with key as key and IV, payload assembly cached in Session and driven via Equals()"
        family = "Godzilla"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $key = /string\s{1,3}key\s{0,3}=\s{0,3}["'][0-9a-f]{16}["']/ nocase
        $pass = /string\s{1,3}pass\s{0,3}=\s{0,3}["']/ nocase
        $sess = /Session\s{0,3}\[\s{0,3}["']payload["']\s{0,3}\]/ nocase
        $eq = /\.Equals\s{0,3}\(\s{0,3}(Context|data|this)/ nocase
        $dec = "CreateDecryptor" nocase
        $md5 = /md5\s{0,3}\.\s{0,3}Substring\s{0,3}\(\s{0,3}(0|16)/ nocase
    condition:
        filesize < 200KB and $dec and (($key and $pass) or $sess) and ($eq or $md5 or $sess)
}

rule WSA_Aspx_Generic_RuntimeCompile
{
    meta:
        id = "WSA-ASPX-023"
        description = "Server page compiles C#/VB source in memory (CodeDom CompileAssemblyFromSource + GenerateInMemory) fed by request data: SharPyShell-style runtime-compiling shell"
        family = "SharPyShell / runtime compile"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/antonioCoco/SharPyShell"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@{"
        $m5 = "@using System"
        $c1 = "CompileAssemblyFromSource" nocase
        $c2 = "GenerateInMemory" nocase
        $c3 = "CSharpCodeProvider" nocase
        $c4 = "VBCodeProvider" nocase
        $c5 = "CompileAssemblyFromDom" nocase
        $r1 = /Request\s{0,3}\.\s{0,3}(BinaryRead|InputStream|Form|Item|Params|QueryString|Headers|Cookies)/ nocase
        $r2 = /Request\s{0,3}\[/ nocase
        $r3 = /\.Text\b/
    condition:
        filesize < 300KB and any of ($m*) and ($c1 or $c5) and ($c2 or $c3 or $c4) and any of ($r*)
}

rule WSA_Aspx_Generic_PrecompiledBackdoorStub
{
    meta:
        id = "WSA-ASPX-024"
        description = "Tiny server script block whose only job is to instantiate a class from a pre-deployed bin/ DLL with a hex key: loader stub for a compiled web shell"
        family = "Compiled DLL loader stub"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $s = /<\s{0,2}script[^>]{0,60}language\s{0,2}=[^a-zA-Z0-9>]{0,4}C#/ nocase
        $n = /=\s{0,3}new\s{1,3}[\w.]{1,60}\(\s{0,3}[^a-zA-Z0-9]{1,3}[0-9a-f]{16,32}[^a-zA-Z0-9]{1,3}\s{0,3}\)\s{0,3};/ nocase
    condition:
        filesize < 2KB and $s and $n
}

rule WSA_Aspx_Loader_DownloadedAssembly
{
    meta:
        id = "WSA-ASPX-135"
        description = "Server page that downloads bytes (WebClient.DownloadData, WebRequest, HttpClient, or its own TCP socket) and loads them as a .NET assembly (Assembly.Load, AppDomain.CurrentDomain.Load) to run them (EntryPoint, Invoke, CreateInstance): a stager pulling its payload from the attacker's server, often decrypting it first"
        family = "Generic Assembly.Load loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $m3 = "IHttpHandler" nocase
        $m4 = "@using System"
        $l1 = /Assembly\s{0,3}\)?\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $l2 = /CurrentDomain\s{0,3}\.\s{0,3}Load\s{0,3}\(/ nocase
        $n1 = /\.\s{0,3}Download(Data|String)(Async|TaskAsync)?\s{0,3}\(/ nocase
        $n2 = /WebRequest\s{0,3}\.\s{0,3}Create\s{0,3}\(|new\s{1,3}HttpClient\s{0,3}\(|GetByteArrayAsync|GetResponseStream/ nocase
        // ...or read from a socket of its own (a staged back-connect)
        $n3 = /new\s{1,3}(System\.Net\.Sockets\.)?(TcpClient|Socket)\s{0,3}\(\s{0,3}["A-Za-z]/ nocase
        $u1 = "EntryPoint" nocase
        $u2 = /\.\s{0,3}Invoke\s{0,3}\(/ nocase
        $u3 = "CreateInstance" nocase
    condition:
        filesize < 300KB and any of ($m*) and any of ($l*) and any of ($n*) and any of ($u*)
}
