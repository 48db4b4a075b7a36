/*
    Traits that do not depend on the page's language; these rules run on every file.
*/

rule WSA_Gen_Dropper_EmbeddedExecutable
{
    meta:
        id = "WSA-GEN-030"
        description = "A server page (PHP, ASP, ASP.NET or JSP) carrying a Windows executable written as hex or base64 (the MZ header 4d5a9000.. / TVqQAAMA..): a dropper that writes and runs a binary on the server; applications ship executables as files, not inside pages"
        family = "Dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        $hex = "4d5a90000300000004000000ffff0000" nocase
        $b64 = "TVqQAAMAAAAEAAAA//8AAL" ascii
        $esc = "\\x4d\\x5a\\x90\\x00\\x03\\x00" nocase
        $tag = /<\?|<%|runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 20MB and $tag and any of ($hex, $b64, $esc)
}
