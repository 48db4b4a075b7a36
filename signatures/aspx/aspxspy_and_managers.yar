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
        $c1 = "case \"A\""
        $c2 = "case \"B\""
        $c3 = "case \"C\""
        $c4 = "case \"M\""
        $c5 = "case \"N\""
    condition:
        filesize < 500KB and #z >= 2 and 3 of ($c*)
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
        $cs2 = /new\s{1,3}(Sql|OleDb|Odbc|MySql)Connection\s{0,3}\(\s{0,3}[^;\r\n)]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $cs3 = /connstr\w{0,10}\s{0,3}=\s{0,3}Request/ nocase
        $q1 = /new\s{1,3}(Sql|OleDb|Odbc|MySql)(Command|DataAdapter)\s{0,3}\(\s{0,3}[^;\r\n,)]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $q2 = /CommandText\s{0,3}=\s{0,3}[^;\r\n]{0,40}(\.Text\b|Request\s{0,3}[\.\[\(])/ nocase
        $q3 = /sql\w{0,10}\s{0,3}=\s{0,3}Request/ nocase
    condition:
        filesize < 300KB and any of ($m*) and any of ($cs*) and any of ($q*)
}
