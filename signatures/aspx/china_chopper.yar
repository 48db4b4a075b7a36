/*
  China Chopper and its JScript.NET relatives on ASP.NET.
  Trait: a server-side JScript page (directive or <script runat=server>) that hands data to eval,
  usually with the full-trust "unsafe" option.
*/

rule WSA_Aspx_ChinaChopper_JScriptEval
{
    meta:
        id = "WSA-ASPX-001"
        description = "Server-side JScript.NET page or handler that calls eval: the China Chopper / AntSword server stub and its obfuscated variants"
        family = "China Chopper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
        mitre_attack = "T1505.003"
    strings:
        $dir  = /<\s{0,2}%\s{0,3}@\s{0,3}(Page|WebHandler|WebService|ServiceHost|Control|Master)[^>]{0,200}Language\s{0,3}=[^a-zA-Z\r\n>]{0,8}(jscript|javascript|js)[^a-z]/ nocase ascii wide
        $blk1 = /<script[^>]{0,80}language\s{0,3}=[^a-zA-Z0-9>]{0,4}(jscript|javascript|js)[^a-zA-Z0-9][^>]{0,80}runat\s{0,3}=[^a-zA-Z0-9>]{0,4}server/ nocase ascii wide
        $blk2 = /<script[^>]{0,80}runat\s{0,3}=[^a-zA-Z0-9>]{0,4}server[^a-zA-Z0-9][^>]{0,80}language\s{0,3}=[^a-zA-Z0-9>]{0,4}(jscript|javascript|js)[^a-zA-Z0-9]/ nocase ascii wide
        $eval = /[^a-z0-9_.]eval[ \t\r\n]{0,20}(\/\*[^\r\n]{0,40}\*\/)?[ \t\r\n]{0,4}\([ \t]{0,3}[^"' \t]/ nocase ascii wide
        $alias = /:\s{0,3}eval\s{0,3}[,}]/ nocase ascii wide
        // JScript's other compiler: new Function(text) of request data
        $fn = /new\s{1,3}Function\s{0,3}\(\s{0,3}([\w.]{1,60}\(\s{0,3}){0,2}Request\s{0,2}[.\[(]/ nocase ascii wide
        $eval2 = /[^a-z0-9_.]eval[ \t\r\n]{0,20}(\/\*[^\r\n]{0,40}\*\/)?[ \t\r\n]{0,4}\([^,()\r\n]{1,80}(\([^()\r\n]{0,40}\))?[^,()\r\n]{0,40},[^,)\r\n]{1,60}\)/ nocase ascii wide
    condition:
        filesize < 400KB and (($dir and ($eval or $alias or $fn)) or (($blk1 or $blk2) and ($eval2 or $fn)))
}

rule WSA_Aspx_ChinaChopper_UnsafeEval
{
    meta:
        id = "WSA-ASPX-002"
        description = "eval(..., \"unsafe\"): JScript.NET full-trust eval, the China Chopper one-liner, also when embedded in a dropper or another container"
        family = "China Chopper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
        mitre_attack = "T1505.003"
    strings:
        $a = /eval\s{0,5}\([^\r\n]{0,120}(["']|\\x22|\\")unsafe(["']|\\x22|\\")/ nocase ascii wide
        $b = /eval\s{0,5}\([^\r\n]{0,80}\\x75\\x6e\\x73\\x61/ nocase
    condition:
        // a free window after every "eval(" costs in proportion to the file: pages and small
        // containers here, the fixed one-liner shape below at any size
        filesize < 300KB and any of them
}

rule WSA_Aspx_ChinaChopper_UnsafeEvalOneLiner
{
    meta:
        id = "WSA-ASPX-133"
        description = "The China Chopper one-liner itself, eval(Request.Item[\"x\"],\"unsafe\"), in a file of any size (a padded page or a large container): fixed shape, cheap on large files"
        family = "China Chopper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-i"
        mitre_attack = "T1505.003"
    strings:
        $a = /eval\s{0,3}\(\s{0,3}Request(\.Item|\.Form|\.QueryString)?\s{0,3}[\[(]\s{0,3}["'][^"'\r\n]{1,24}["']\s{0,3}[\])]\s{0,3},\s{0,3}["']unsafe["']\s{0,3}\)/ nocase ascii wide
    condition:
        $a
}

rule WSA_Aspx_ChinaChopper_Base64RequestEval
{
    meta:
        id = "WSA-ASPX-003"
        description = "Server page that evaluates a base64-decoded string naming a Request member (Chopper variant hiding Request.Item behind FromBase64String)"
        family = "China Chopper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.mandiant.com/resources/blog/breaking-down-china-chopper-web-shell-part-ii"
        mitre_attack = "T1505.003"
    strings:
        // base64 of "Request.Item[", "Request.Form", "Request[" at the three alignments
        $r1 = "UmVxdWVzdC5JdGVt"
        $r2 = "JlcXVlc3QuSXRlb"
        $r3 = "SZXF1ZXN0Lkl0ZW"
        $r4 = "UmVxdWVzdC5Gb3Jt"
        $r5 = "JlcXVlc3QuRm9yb"
        $r6 = "SZXF1ZXN0LkZvcm"
        $d = "FromBase64String" nocase
        $tag = "<%"
    condition:
        filesize < 100KB and $d and $tag and any of ($r*)
}

rule WSA_Aspx_ChinaChopper_OABExternalUrl
{
    meta:
        id = "WSA-ASPX-004"
        description = "Exchange OAB virtual-directory property dump (ExternalUrl etc.) carrying a server-side script block: CVE-2021-27065 China Chopper drop"
        family = "China Chopper (OAB ExternalUrl)"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/analysis-reports/ar21-084a"
        mitre_attack = "T1505.003"
    strings:
        $p1 = "ExternalUrl" ascii wide
        $p2 = "OfflineAddressBooks" ascii wide
        $p3 = "InternalAuthenticationMethods" ascii wide
        $p4 = "ExtendedProtectionTokenChecking" ascii wide
        $p5 = "PollInterval" ascii wide
        $u  = /http:\/\/[a-z0-9]{1,3}\/\s{0,3}<script/ nocase ascii wide
        $s1 = "runat" nocase ascii wide
        $s2 = "<script" nocase ascii wide
    condition:
        filesize < 2MB and (($u and $p1) or (2 of ($p*) and $s1 and $s2))
}
