/*
  JSP/JSPX: in-memory Java class loading from request bytes (Behinder/IceScorpion, Godzilla,
  and similar agents), script-engine eval of request data, and memory-shell injectors.
*/

rule WSA_Jsp_ClassLoader_DefineClass
{
    meta:
        id = "WSA-JSP-010"
        description = "JSP defining a ClassLoader subclass or calling defineClass on bytes taken from the request (often AES-decrypted or base64-decoded): Behinder/Godzilla-style Java agent"
        family = "Behinder/Godzilla"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $d1 = "defineClass" ascii
        $d2 = /extends\s{1,5}ClassLoader/
        $d3 = /getDeclaredMethod\s{0,3}\(\s{0,3}"defineClass"/
        $d4 = "ClassLoader" ascii
        $i1 = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getReader|getInputStream|getParameter|getHeader)/
        $i2 = "Cipher.getInstance" ascii
        $i3 = /BASE64Decoder|Base64\s{0,3}\.\s{0,3}getDecoder|decodeBuffer|Base64\.decodeBase64|parseBase64Binary/
        $i4 = "newInstance()" ascii
        $i5 = "pageContext" ascii
        // base64 of a class file header (CAFEBABE) embedded in the page
        $c1 = "\"yv66vg" ascii
        // ...or as a Java array literal of signed bytes (CA FE BA BE = -54,-2,-70,-66)
        $c2 = /\{\s{0,3}-54\s{0,3},\s{0,3}-2\s{0,3},\s{0,3}-70\s{0,3},\s{0,3}-66\s{0,3},/
    condition:
        filesize < 1MB and (($d1 and ($d2 or $d3 or $d4) and $i1 and 1 of ($i2, $i3, $i4, $i5)) or $c1 or ($c2 and $d1))
}

rule WSA_Jsp_MemShell_Injector
{
    meta:
        id = "WSA-JSP-012"
        description = "JSP that registers a filter, servlet, listener, valve or Spring handler mapping at run time through container internals (StandardContext, FilterDef, addValve, RequestMappingHandlerMapping.registerMapping): memory-resident web-shell injector"
        family = "Java memory shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $c1 = "StandardContext" ascii
        $c2 = "WebAppServletContext" ascii
        $c3 = "ApplicationContext" ascii
        $c4 = "RequestMappingHandlerMapping" ascii
        $c5 = "ServletHandler" ascii
        $a1 = "addFilterDef" ascii
        $a2 = "addFilterMap" ascii
        $a3 = "addServletMapping" ascii
        $a4 = "addApplicationEventListener" ascii
        $a5 = /getPipeline\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}add(First|Valve)/
        $a6 = "FilterDef" ascii
        $a7 = "registerServlet" ascii
        $a8 = "addWrapper" ascii
        $a9 = "registerMapping" ascii
        $a10 = "addFilterWithMapping" ascii
        $a11 = "addServletWithMapping" ascii
        $a12 = "RequestMappingInfo" ascii
        $a13 = "PatternsRequestCondition" ascii
        $r1 = "getDeclaredField" ascii
        $r2 = "setAccessible" ascii
    condition:
        filesize < 1MB and 1 of ($c*) and 2 of ($a*) and $r1 and $r2
}
