/*
  JSP/JSPX: operating-system command execution of request data.
*/

rule WSA_Jsp_Generic_ExecRequest
{
    meta:
        id = "WSA-JSP-001"
        description = "Runtime.getRuntime().exec / ProcessBuilder / ProcessImpl taking request data (getParameter, getHeader, getInputStream, getReader) within a bounded window"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $e1 = /(\.exec|new\s{1,3}ProcessBuilder|ProcessImpl\.start)\s{0,5}\([^;]{0,200}request\s{0,3}\.\s{0,3}(getParameter|getHeader|getInputStream|getReader|getQueryString|getCookies)/
        $e2 = /request\s{0,3}\.\s{0,3}(getParameter|getHeader)\s{0,3}\([^;]{0,150}(getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec|ProcessBuilder)/
        // String cmd = request.getParameter("c"); ... exec(cmd)  -- variable flow
        $in = /[a-zA-Z_]\w{0,30}\s{0,5}=\s{0,5}(\([^)\n]{1,20}\)\s{0,3})?request\s{0,3}\.\s{0,3}(getParameter|getHeader)\s{0,3}\(/
        $rt = /getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec\s{0,3}\(|new\s{1,3}ProcessBuilder\s{0,3}\(|ProcessImpl/
        $sh1 = "cmd.exe" nocase
        $sh2 = "/bin/sh"
        $sh3 = "/bin/bash"
        $sh4 = "cmd /c" nocase
        $sh5 = "getInputStream()"
        $sh6 = "getErrorStream()"
    condition:
        filesize < 2MB and ($e1 or $e2 or ($in and $rt and (1 of ($sh1, $sh2, $sh3, $sh4)) and 1 of ($sh5, $sh6)))
}

rule WSA_Jsp_Generic_ReflectiveExec
{
    meta:
        id = "WSA-JSP-002"
        description = "java.lang.Runtime / ProcessBuilder reached through reflection (Class.forName, getMethod(\"exec\"), string-built class names) in a JSP that reads request data"
        family = "Generic command execution of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/reflect/Method.html"
        mitre_attack = "T1505.003"
    strings:
        $r1 = /Class\s{0,3}\.\s{0,3}forName\s{0,3}\(\s{0,3}"java\.lang\.(Runtime|ProcessBuilder|ProcessImpl)"/
        $r2 = /getMethod\s{0,3}\(\s{0,3}"(exec|getRuntime|start)"/
        $r3 = /getDeclaredMethod\s{0,3}\(\s{0,3}"(exec|getRuntime|start)"/
        $r4 = "\"java.lang.Run\"" 
        $r5 = "\"ja\"+\"va.lang\"" 
        $req = /request\s{0,3}\.\s{0,3}(getParameter|getHeader|getInputStream|getReader)/
    condition:
        filesize < 1MB and $req and 2 of ($r*)
}
