/*
  Full-featured ASP.NET management shells: ASPXSpy and its many Chinese derivatives, the caidao
  "customize" server, and generic multi-capability shells (command + SQL xp_cmdshell + registry +
  services + port scan) in one page.
*/

rule WSA_Aspx_ASPXSpy_Family
{
    meta:
        id = "WSA-ASPX-060"
        description = "ASPXSpy family: Bin_-prefixed controls/handlers with the ASPXSpy banner or the MD5-hashed login check"
        family = "ASPXSpy"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.trendmicro.com/en_us/research/21/d/iron-tiger-apt-updates-toolkit-with-evolved-sysupdate-malware-va.html"
        mitre_attack = "T1505.003"
    strings:
        $n = "ASPXSpy" nocase
        $b = /[^a-zA-Z]Bin_[A-Z][A-Za-z]{2,24}/
        $h = "HashPasswordForStoringInConfigFile" nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 1MB and any of ($m*) and (($n and (#b > 3 or $h)) or (#b > 15 and $h))
}

rule WSA_Aspx_Generic_MultiCapabilityShell
{
    meta:
        id = "WSA-ASPX-061"
        description = "ASP.NET page combining attacker capabilities (cmd.exe, WScript.Shell, xp_cmdshell/sp_oacreate, net user, Serv-U, processes, services, registry, drives, raw sockets): full web-shell manager"
        family = "Generic web-shell manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $o1 = "cmd.exe" nocase
        $o2 = "WScript.Shell" nocase
        $o3 = "xp_cmdshell" nocase
        $o4 = "sp_oacreate" nocase
        $o5 = "net user" nocase
        $o6 = "Serv-U" nocase
        $o7 = "Shell.Application" nocase
        $o8 = "net localgroup" nocase
        $c1 = "ServiceController" nocase
        $c2 = "GetProcesses" nocase
        $c3 = "RegistryKey" nocase
        $c4 = "GetLogicalDrives" nocase
        $c5 = "DriveInfo" nocase
        $c6 = "TcpClient" nocase
        $c7 = "DllImport" nocase
        $c8 = "ProcessStartInfo" nocase
        $c9 = "File.Delete" nocase
        $c10 = "OleDbConnection" nocase
        $c11 = "SqlConnection" nocase
    condition:
        filesize < 1MB and any of ($m*) and (2 of ($o*)) and 3 of ($c*)
}

rule WSA_Aspx_ChinaChopper_CustomizeServer
{
    meta:
        id = "WSA-ASPX-062"
        description = "caidao 'customize' server script: Z1/Z2 form fields dispatched by single-letter action codes to file, command and database operations"
        family = "China Chopper (customize)"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-ii"
        mitre_attack = "T1505.003"
    strings:
        $z = /Request\s{0,3}\.\s{0,3}Form\s{0,3}\[\s{0,3}["']z[0-9]["']\s{0,3}\]/ nocase
        $zp = /String\s{1,3}z[0-9]\s{0,3}[,)=]/ nocase
        $c1 = "case \"A\""
        $c2 = "case \"B\""
        $c3 = "case \"C\""
        $c4 = "case \"M\""
        $c5 = "case \"N\""
    condition:
        filesize < 500KB and (#z >= 2 or #zp >= 2) and 3 of ($c*)
}

rule WSA_Aspx_Generic_SqlFromInput
{
    meta:
        id = "WSA-ASPX-063"
        description = "ASP.NET page opens a database with a connection string taken from the request or a form field and runs SQL text from the request/form: SQL client web shell"
        family = "Generic SQL shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $cs1 = /ConnectionString\s{0,3}=\s{0,3}[^;\r\n]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $cs2 = /new\s{1,3}([\w.]{1,40}\.)?(Sql|OleDb|Odbc|MySql)Connection\s{0,3}\(\s{0,3}[^;\r\n)]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $cs3 = /connstr\w{0,10}\s{0,3}=\s{0,3}Request/ nocase
        $q1 = /new\s{1,3}([\w.]{1,40}\.)?(Sql|OleDb|Odbc|MySql)(Command|DataAdapter)\s{0,3}\(\s{0,3}[^;\r\n,)]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $q2 = /CommandText\s{0,3}=\s{0,3}[^;\r\n]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $q3 = /sql\w{0,10}\s{0,3}=\s{0,3}Request/ nocase
        // the request names the table or database (a client browsing any table); a request value
        // in a WHERE clause is an ordinary (if injectable) business query
        $q4 = /(select\s[^"'\r\n]{0,40}\sfrom|insert\s{1,3}into|update|delete\s{1,3}from|drop\s{1,3}(table|database)|use)\s{1,3}\[?["']\s{0,3}\+\s{0,3}Request/ nocase
        $b1 = /["'](server|data source)\s{0,2}=\s{0,2}["']\s{0,3}\+\s{0,3}[\w.]{1,30}/ nocase
        $b2 = /(pwd|password)\s{0,2}=\s{0,2}["']\s{0,3}\+\s{0,3}[\w.]{1,30}/ nocase
        $x1 = "ExecuteReader" nocase
        $x2 = "DataAdapter" nocase
        $inh = /Inherits\s{0,3}=/ nocase
    condition:
        filesize < 300KB and any of ($m*) and
        ((any of ($cs*) and any of ($q*)) or ($b1 and $b2 and any of ($x*) and not $inh) or ($q4 and any of ($x*) and not $inh))
}

rule WSA_Aspx_ASPXSpy_DerivedToolDirective
{
    meta:
        id = "WSA-ASPX-064"
        description = "Page directive copied from ASPXSpy (Debug=true, trace=false, validateRequest=false, EnableViewStateMac=false) on an inline page that touches registry, processes, sockets or files: ASPXSpy-derived tool"
        family = "ASPXSpy"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.trendmicro.com/en_us/research/21/d/iron-tiger-apt-updates-toolkit-with-evolved-sysupdate-malware-va.html"
        mitre_attack = "T1505.003"
    strings:
        $d = /Debug\s{0,2}=\s{0,2}"true"\s{1,3}trace\s{0,2}=\s{0,2}"false"\s{1,3}validateRequest\s{0,2}=\s{0,2}"false"\s{1,3}EnableViewStateMac\s{0,2}=\s{0,2}"false"/ nocase
        $c1 = "Registry" nocase
        $c2 = /Process\s{0,2}\.\s{0,2}(Start|GetProcesses)|ProcessStartInfo/ nocase
        $c3 = "System.Net.Sockets" nocase
        $c4 = "DirectoryInfo" nocase
        $c5 = "ZipEntry" nocase
        $c6 = "SqlConnection" nocase
    condition:
        filesize < 1MB and $d and any of ($c*)
}

rule WSA_Aspx_Generic_RegistryBrowser
{
    meta:
        id = "WSA-ASPX-065"
        description = "Inline ASP.NET page that walks registry hives (all root keys pushed/enumerated) or opens registry paths taken from request/form input: registry browser web shell"
        family = "Generic web-shell manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
        $h1 = "Registry.ClassesRoot" nocase
        $h2 = "Registry.CurrentConfig" nocase
        $h3 = "Registry.CurrentUser" nocase
        $h4 = "Registry.LocalMachine" nocase
        $h5 = "Registry.Users" nocase
        $o = "OpenSubKey" nocase
        $i1 = /\w{0,10}Reg\w{0,10}\s{0,3}=\s{0,3}(Request\s{0,3}[\[\(\.]|\w{1,20}\.Text\b)/ nocase
        $inh = /Inherits\s{0,3}=/ nocase
    condition:
        filesize < 300KB and any of ($m*) and not $inh and $o and (4 of ($h*) or $i1)
}

rule WSA_Aspx_Generic_InlineFileManager
{
    meta:
        id = "WSA-ASPX-066"
        description = "Self-contained (no code-behind) ASP.NET page that lists directories and reads/writes/deletes/downloads files at paths from request or form input: file-manager web shell"
        family = "Generic file manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $s = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
        $code_behind = /Inherits\s{0,3}=/ nocase
        $l1 = "GetDirectories" nocase
        $l2 = "GetFiles" nocase
        $l3 = "DirectoryInfo" nocase
        $f1 = /File\s{0,2}\.\s{0,2}(Delete|Move|Copy|WriteAllBytes|WriteAllText|Create)\s{0,2}\(/ nocase
        $f2 = /Response\s{0,2}\.\s{0,2}(WriteFile|TransmitFile)\s{0,2}\(/ nocase
        $f3 = /\.SaveAs\s{0,2}\(/ nocase
        $f4 = /new\s{1,3}(System\.IO\.)?StreamWriter\s{0,2}\(/ nocase
        $f5 = /Directory\s{0,2}\.\s{0,2}(Delete|Move|CreateDirectory)\s{0,2}\(/ nocase
        $f6 = "GetLogicalDrives" nocase
        $i1 = /Request\s{0,3}(\.\s{0,3}(Form|QueryString|Item|Params)\s{0,3})?[\[\(]/ nocase
        $i2 = /\w{1,30}\.Text\b/
    condition:
        filesize < 300KB and $s and not $code_behind and 2 of ($l*) and 2 of ($f*) and any of ($i*)
}

rule WSA_Aspx_Generic_UnboundedTimeoutDump
{
    meta:
        id = "WSA-ASPX-067"
        description = "Inline ASP.NET page sets an effectively unlimited Server.ScriptTimeout (6+ digits) and dumps whole tables (SELECT * FROM ... every row/column to the response): data theft tool"
        family = "Database dumper"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $t = /ScriptTimeout[^=\r\n]{0,6}=[^0-9\r\n]{0,6}\d{6}/ nocase
        $q = /select[^a-z*\r\n]{1,6}\*[^a-z\r\n]{1,6}from/ nocase
        $c1 = "Columns.Count" nocase
        $c2 = "FieldCount" nocase
        $s = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
        $inh = /Inherits\s{0,3}=/ nocase
    condition:
        filesize < 300KB and $s and not $inh and $t and $q and any of ($c*)
}
