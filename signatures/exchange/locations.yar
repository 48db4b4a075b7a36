/*
  Exchange / IIS file-name and location indicators. These look only at the externals (filename,
  filepath, extension, filetype) plus file magic, so they fire on any content: treat them as
  triage hints (LOW/MEDIUM), stronger when a content rule fires too. Paths are matched with both
  separators because the agent may run on Windows (backslashes) or see copied trees.
*/

rule WSA_Exch_Location_AspnetClientScript
{
    meta:
        id = "WSA-EXCH-001"
        description = "Server-script file (.aspx/.ashx/.asmx/.asp/...) inside inetpub aspnet_client: that folder normally holds only static client files; HAFNIUM/ProxyLogon drop site"
        family = "Exchange web-shell location"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-062a"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/]aspnet_client([\\\/]|$)/is and
        extension matches /^\.(aspx|ashx|asmx|asax|ascx|svc|soap|rem|axd|cshtml|vbhtml|asp|asa|cer|cdx|config)$/
        and not filename matches /^web\.config$/i
}

rule WSA_Exch_Location_OwaAuthNonStockScript
{
    meta:
        id = "WSA-EXCH-002"
        description = "ASP.NET script in OWA's pre-authentication owa\\auth folder (or its Current/build sub-folders) whose name is not one of the stock pages: typical ProxyLogon/ProxyShell/ProxyNotShell drop"
        family = "Exchange web-shell location"
        severity = "low"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/]owa[\\\/]auth[\\\/]/is and
        extension matches /^\.(aspx|ashx|asmx|asax|ascx|svc|asp)$/ and
        not filename matches /^(errorFE|ExpiredPassword|frowny|logoff|logon|OutlookCN|RedirSuiteServiceProxy|signout|getidtoken|dtntest|languageselection|auth)\.aspx$/i
}

rule WSA_Exch_Location_EcpAuthNonStockScript
{
    meta:
        id = "WSA-EXCH-003"
        description = "Script in ECP's ecp\\auth folder other than the stock TimeoutLogout.aspx: CISA calls any other file there suspicious"
        family = "Exchange web-shell location"
        severity = "low"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-062a"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/]ecp[\\\/]auth[\\\/]/is and
        extension matches /^\.(aspx|ashx|asmx|asax|ascx|svc|asp)$/ and
        not filename matches /^TimeoutLogout\.aspx$/i
}

rule WSA_Exch_Name_KnownShellName
{
    meta:
        id = "WSA-EXCH-004"
        description = "File name published for Exchange intrusions (MSTIC/CISA/ESET/GTSC IOC lists, typo-squats of stock OWA pages) in an Exchange/IIS web folder"
        family = "Exchange web-shell name"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.welivesecurity.com/2021/03/10/exchange-servers-under-siege-10-apt-groups/"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/](aspnet_client|owa|ecp|oab|HttpProxy|ClientAccess)[\\\/]/is and
        filename matches /^(shell|supp0rt|discover|OutlookEN|OutlookZH|OutlookUS|OutlookRU|OutlookDE|errorEE|errorEEE|errorEW|errorFF|errorFS|RedirSuiteServerProxy|HttpProxy|aspnet_client|aspnet_iisstart|aspnet_pages|aspnet_www|aspnettest|aspnet_regiis|aspnet_error|shellex|errorcheck|iispage|session|services|authhead|bob|errorPage|errorPages|fatal-erro|logg|one|one1|shel|shel2|shel90|default1|owafonts|HttpRedirService|caches|client|aspnet|MultiUp|lgntop|8Lw7tAhF9i1pJnRo|xclkmcfldfi948398430fdjkfdkj|dukybySSSS|log_error_9e23efc3|xx|pxh4HG1v|Xml)\.(aspx|ashx)$/i
}

rule WSA_Exch_Name_RandomNameInShellFolder
{
    meta:
        id = "WSA-EXCH-005"
        description = "Machine-generated .aspx name in an Exchange drop folder: 8 random alphanumerics in aspnet_client\\system_web, 10 hex / 10+ upper-case letters / digits-only in owa\\auth (ProxyShell follow-on pattern)"
        family = "Exchange web-shell name"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.huntress.com/blog/rapid-response-microsoft-exchange-servers-still-vulnerable-to-proxyshell-exploit"
        mitre_attack = "T1505.003"
    condition:
        (filepath matches /[\\\/]aspnet_client[\\\/]system_web[\\\/]/is and filename matches /^[A-Za-z0-9]{8}\.aspx$/) or
        (filepath matches /[\\\/](owa|ecp)[\\\/]auth[\\\/]/is and
         (filename matches /^[0-9a-f]{10}\.aspx$/ or filename matches /^[A-Z]{10,16}\.aspx$/ or filename matches /^[0-9]{6,12}\.aspx$/))
}

rule WSA_Exch_Location_ProgramDataDeviceNameFolder
{
    meta:
        id = "WSA-EXCH-006"
        description = "Server script inside a ProgramData folder named like a reserved device (COM1, CON, AUX, ...) or the ProxyShell-era WHO/XYZ/ZING/ZOO folders, later mapped as an IIS virtual directory"
        family = "ProxyShell location"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.huntress.com/blog/rapid-response-microsoft-exchange-servers-still-vulnerable-to-proxyshell-exploit"
        mitre_attack = "T1505.003"
    condition:
        filepath matches /[\\\/](ProgramData|All Users)[\\\/](COM[0-9]?|CON|AUX|NUL|PRN|LPT[0-9]|WHO|XYZ|ZING|ZOO)[\\\/]/is and
        extension matches /^\.(aspx|ashx|asmx|svc|asp|config)$/
}

rule WSA_Exch_Content_ArchiveDisguisedInWebDir
{
    meta:
        id = "WSA-EXCH-007"
        description = "Archive (ZIP/7z/RAR/CAB) named as an image, stylesheet or script in an Exchange/IIS web folder: staged exfiltration (Dark Halo owa\\auth\\Redir.png)"
        family = "Exchange exfil staging"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.volexity.com/blog/2020/12/14/dark-halo-leverages-solarwinds-compromise-to-breach-organizations/"
        mitre_attack = "T1505.003"
    condition:
        (uint32(0) == 0x04034B50 or uint32(0) == 0xAFBC7A37 or uint32(0) == 0x21726152 or uint32(0) == 0x4643534D) and
        filepath matches /[\\\/](aspnet_client|owa|ecp|oab|HttpProxy|wwwroot)[\\\/]/is and
        extension matches /^\.(png|gif|jpg|jpeg|bmp|ico|css|js|htm|html|txt|log|aspx|eot|ttf|woff)$/
}

rule WSA_Exch_Content_MinidumpInWebDir
{
    meta:
        id = "WSA-EXCH-008"
        description = "Windows minidump (MDMP) in a web-served or staging folder: LSASS dump written under inetpub/ProgramData for download (HAFNIUM procdump/comsvcs pattern)"
        family = "Credential dump staging"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.microsoft.com/en-us/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        mitre_attack = "T1505.003"
    condition:
        uint32(0) == 0x504D444D and
        filepath matches /[\\\/](inetpub|aspnet_client|owa|ecp|oab|HttpProxy|ClientAccess|ProgramData|wwwroot)[\\\/]/is
}

rule WSA_Exch_Content_ExecutableInWebDir
{
    meta:
        id = "WSA-EXCH-009"
        description = "PE executable inside aspnet_client or the owa/ecp auth folders (outside bin): renamed cmd.exe or tools dropped to dodge AV (ProxyShell write-up)"
        family = "Exchange web-shell location"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.zerodayinitiative.com/blog/2021/8/17/from-pwn2own-2021-a-new-attack-surface-on-microsoft-exchange-proxyshell"
        mitre_attack = "T1505.003"
    condition:
        uint16(0) == 0x5A4D and
        filepath matches /[\\\/](aspnet_client|owa[\\\/]auth|ecp[\\\/]auth)[\\\/]/is and
        not filename matches /^owaauth\.dll$/i
}

rule WSA_Exch_Compiled_AppWebForShellPath
{
    meta:
        id = "WSA-EXCH-010"
        description = "ASP.NET compiled page assembly (App_Web_*.dll in Temporary ASP.NET Files) built from a page under aspnet_client or owa/ecp auth: evidence a dropped page was requested, survives deletion of the .aspx"
        family = "Exchange web-shell compiled artefact"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.elastic.co/security-labs/ref2924-howto-maintain-persistence-as-an-advanced-threat"
        mitre_attack = "T1505.003"
    strings:
        $v1 = "/aspnet_client/" nocase ascii wide
        $v2 = "/owa/auth/" nocase ascii wide
        $v3 = "/ecp/auth/" nocase ascii wide
        $v4 = "~/auth/" nocase ascii wide
    condition:
        uint16(0) == 0x5A4D and filesize < 5MB and
        filename matches /^App_Web_/i and
        any of them
}
