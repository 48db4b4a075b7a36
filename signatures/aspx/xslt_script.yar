/*
  XSLT shells: code hidden in an XSL stylesheet with msxsl:script and run with a scripting-enabled
  transform (DropHell and the zcgonvh-style XSLT loader).
*/

rule WSA_Aspx_XsltShell_ScriptInStylesheet
{
    meta:
        id = "WSA-ASPX-030"
        description = "ASP.NET page carries or loads an XSL stylesheet with an msxsl:script block that reaches Request/eval/Process, executed via XslCompiledTransform"
        family = "XSLT shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.deepinstinct.com/blog/do-not-exchange-it-has-a-shell-inside"
        mitre_attack = "T1505.003"
    strings:
        $x1 = "msxsl:script" nocase
        $x2 = "XslCompiledTransform" nocase
        $x3 = "XslTransform" nocase
        $e1 = /eval\s{0,3}\(/ nocase
        $e2 = "Process" nocase
        $e3 = /\.Request\b/ nocase
        $e4 = "Assembly" nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and any of ($m*) and $x1 and ($x2 or $x3) and 2 of ($e*)
}

rule WSA_Aspx_XsltShell_TrustedTransformOfRequest
{
    meta:
        id = "WSA-ASPX-031"
        description = "Page loads XML/XSL from request data and transforms it with script enabled (XsltSettings(true,true) / EnableScript): attacker-supplied code in XSLT"
        family = "XSLT shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.deepinstinct.com/blog/do-not-exchange-it-has-a-shell-inside"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /new\s{1,3}(System\.Xml\.Xsl\.)?XsltSettings\s{0,3}\(\s{0,3}true\s{0,3},\s{0,3}true/ nocase
        $s2 = "XsltSettings.TrustedXslt" nocase
        $s3 = /EnableScript\s{0,3}=\s{0,3}true/ nocase
        $l1 = /(LoadXml|Load)\s{0,3}\([^;\r\n]{0,80}Request/ nocase
        $l2 = /FromBase64String\s{0,3}\(\s{0,3}Request/ nocase
        $m1 = "<%" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 200KB and any of ($m*) and any of ($s*) and any of ($l*)
}
