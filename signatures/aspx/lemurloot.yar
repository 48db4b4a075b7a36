rule WSA_Aspx_LemurLoot_SiLockHeaders
{
    meta:
        id = "WSA-ASPX-100"
        description = "ASP.NET page gated on X-siLock-Comment / X-siLock-Step request headers that queries the MOVEit Transfer database and files: LEMURLOOT web shell (CVE-2023-34362)"
        family = "LEMURLOOT"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-158a"
        mitre_attack = "T1505.003"
    strings:
        $h1 = "X-siLock-Comment" nocase
        $h2 = "X-siLock-Step1" nocase
        $h3 = "X-siLock-Step2" nocase
        $h4 = "X-siLock-Step3" nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and any of ($m*) and $h1 and any of ($h2, $h3, $h4)
}
