/*
  ProxyShell-era carriers: an .aspx whose bytes are a mailbox export (PST, permutative-encoded
  so the script survives as plain text) or a DER certificate request, with a server script inside.
*/

rule WSA_Aspx_ProxyShell_PSTCarrier
{
    meta:
        id = "WSA-ASPX-090"
        description = "PST file (!BDN magic) containing an ASP.NET page directive or server script block: ProxyShell New-MailboxExportRequest web shell"
        family = "ProxyShell PST shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /<%\s{0,3}@\s{0,3}Page/ nocase
        $s2 = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
        $s3 = /eval\s{0,3}\(\s{0,3}Request/ nocase
        $s4 = /FromBase64String\s{0,3}\(\s{0,3}Request/ nocase
        $s5 = /["']unsafe["']/ nocase
    condition:
        uint32(0) == 0x4E444221 and filesize < 2MB and any of them
}

rule WSA_Aspx_ProxyShell_DERCarrier
{
    meta:
        id = "WSA-ASPX-091"
        description = "DER blob (certificate request, 30 82 header) containing a server script block: ProxyShell New-ExchangeCertificate -RequestFile web shell"
        family = "ProxyShell DER shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /<%\s{0,3}@\s{0,3}Page/ nocase
        $s2 = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
        $s3 = /eval\s{0,3}\(\s{0,3}Request/ nocase
        $s4 = /["']unsafe["']/ nocase
    condition:
        uint16(0) == 0x8230 and filesize < 200KB and any of them
}

rule WSA_Aspx_Dropper_BinaryHeaderPage
{
    meta:
        id = "WSA-ASPX-092"
        description = "ASP.NET page directive or server script inside a file whose first bytes are binary (not a BOM, not a common archive/executable/image): script smuggled in an exported container"
        family = "ProxyShell-style carrier"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /<%\s{0,3}@\s{0,3}Page[^>]{0,80}Language/ nocase
        $s2 = /<script[^>]{0,80}runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and any of them
        and (uint8(0) == 0 or uint8(1) == 0 or uint8(2) == 0 or uint8(3) == 0 or uint8(4) == 0 or uint8(5) == 0 or uint8(6) == 0 or uint8(7) == 0)
        and uint16(0) != 0xFEFF and uint16(0) != 0xFFFE
        and uint16(0) != 0x5A4D and uint16(0) != 0x4B50 and uint16(0) != 0x8B1F
        and uint32(0) != 0x21726152 and uint32(0) != 0xE011CFD0 and uint32(0) != 0xA1B2C3D4
        and uint32(0) != 0xD4C3B2A1 and uint32(0) != 0x4643534D and uint32(0) != 0xAFBC7A37
}
