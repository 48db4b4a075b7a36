rule WSA_Aspx_MachineKey_Disclosure
{
    meta:
        id = "WSA-ASPX-080"
        description = "Small ASP.NET page that reads the MachineKey section (validation/decryption keys) and writes it to the response: key theft for ViewState deserialization (ToolShell spinstall0.aspx style)"
        family = "MachineKey stealer"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://research.eye.security/sharepoint-under-siege/"
        mitre_attack = "T1505.003"
    strings:
        $k1 = "MachineKeySection" nocase
        $k2 = "ValidationKey" nocase
        $k3 = "DecryptionKey" nocase
        $k4 = "GetApplicationConfig" nocase
        $w = /Response\s{0,3}\.\s{0,3}Write/ nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 30KB and any of ($m*) and $k1 and $k2 and ($k3 or $k4) and $w
}
