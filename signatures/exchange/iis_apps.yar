/*
  Other IIS-hosted products with published web-shell drop names/locations (SharePoint ToolShell,
  MOVEit Transfer). Name/location only: triage hints, stronger together with a content rule.
*/

rule WSA_Exch_Name_SharePointLayoutsDrop
{
    meta:
        id = "WSA-EXCH-011"
        description = "ASP.NET page named like the 2025 SharePoint ToolShell drops (spinstall*.aspx, ghostfile*.aspx) in a SharePoint LAYOUTS folder"
        family = "SharePoint ToolShell drop"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://research.eye.security/sharepoint-under-siege/"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/]TEMPLATE[\\\/]LAYOUTS[\\\/]/is and
        filename matches /^(spinstall[0-9]{0,3}|ghostfile[A-Za-z0-9_-]{0,20})\.aspx$/i
}

rule WSA_Exch_Location_SharePointLayoutsScript
{
    meta:
        id = "WSA-EXCH-012"
        description = "Machine-looking .aspx/.ashx name (hex string, 1-3 letters, spinstall/ghostfile) directly in a SharePoint TEMPLATE\\LAYOUTS folder, where ToolShell and earlier SharePoint intrusions dropped shells"
        family = "SharePoint web-shell location"
        severity = "low"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://research.eye.security/sharepoint-under-siege/"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /Web Server Extensions[\\\/][0-9]{2}[\\\/]TEMPLATE[\\\/]LAYOUTS[\\\/][^\\\/]{1,80}$/is and
        extension matches /^\.(aspx|ashx|asmx)$/ and
        filename matches /^(spinstall\w{0,6}|ghostfile\w{0,12}|[0-9a-f]{8,32}|[a-z]{1,3}[0-9]{0,3})\.as[hpm]x$/i
}

rule WSA_Exch_Name_MoveItHuman2
{
    meta:
        id = "WSA-EXCH-013"
        description = "human<digits>.aspx (e.g. human2.aspx, next to the stock human.aspx) in a MOVEit Transfer wwwroot: the LEMURLOOT web shell drop of the 2023 CVE-2023-34362 campaign"
        family = "LEMURLOOT (MOVEit)"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa23-158a"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /MOVEit ?Transfer[\\\/]wwwroot[\\\/]/is and
        filename matches /^human[0-9]{1,2}\.aspx$/i
}
