/*
  JSP/JSPX: operating-system command execution of request data.
*/

rule WSA_Jsp_Generic_ExecRequest
{
    meta:
        id = "WSA-JSP-001"
        description = "JSP Expression Language or java.beans.Expression reaching Runtime.exec, ProcessBuilder, a ScriptEngine or defineClass (${Runtime.getRuntime().exec(param.c)}); plain exec of request data is WSA_Jsp_Exec_ShellFromRequest"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // JSP Expression Language reaching Runtime/ProcessBuilder/ScriptEngine: ${Runtime.getRuntime().exec(param.c)}
        // EL reaching java.lang.Class: ${"".getClass().forName("java.lang.Runtime")...}
        $elg = /\$\{\s{0,3}(""|''|pageContext|applicationScope|sessionScope|requestScope)\s{0,3}\.\s{0,3}(getClass|class)\b/
        $elx1 = "getRuntime" ascii
        $elx2 = "ProcessBuilder" ascii
        $elx3 = "ScriptEngineManager" ascii
        $elx4 = "defineClass" ascii
        $elx5 = "forName" ascii
        $rv3 = /Expression\s{0,3}\(\s{0,3}Runtime\s{0,3}\.\s{0,3}getRuntime\s{0,3}\(\s{0,3}\)\s{0,3},\s{0,3}"exec"/
    condition:
        filesize < 2MB and (($elg and any of ($elx*)) or $rv3)
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
        // "java.lang.Runtime" / "exec" spelled as byte arrays: new String(new byte[]{106, 97, 118, 97, 46 ...})
        $b1 = "106, 97, 118, 97, 46"
        $b2 = "106,97,118,97,46"
        $b3 = "101, 120, 101, 99 }"
        $b4 = "101,120,101,99}"
        // class and method names computed by the page's own decoder: forName(dec("..")) and
        // getMethod(dec("..")) on the same page, then invoke
        $c1 = /forName\s{0,3}\(\s{0,3}[A-Za-z_]\w{0,20}\s{0,3}\(\s{0,3}"/
        $c2 = /getMethod\s{0,3}\(\s{0,3}[A-Za-z_]\w{0,20}\s{0,3}\(\s{0,3}"/
        $c3 = /\.\s{0,3}invoke\s{0,3}\(/
        $in = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader|getInputStream|getReader)/
    condition:
        // one reflective reach for Runtime/ProcessBuilder in a page that reads the request, as the
        // description says (`2 of ($r*)` had counted $in among them: one was always enough)
        filesize < 1MB and $in and (1 of ($r1, $r2, $r3, $r4, $r5) or 1 of ($b*) or all of ($c*))
}

rule WSA_Jsp_Chopper_Server
{
    meta:
        id = "WSA-JSP-003"
        description = "China Chopper / Cknife JSP server: single-letter command dispatcher (Z.equals(\"A\") ... ) whose output is framed by ->| and |<-"
        family = "China Chopper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/software/S0020/"
        mitre_attack = "T1505.003"
    strings:
        $m1 = "\"->|\"" ascii
        $m2 = "\"|<-\"" ascii
        $d = /\.equals\s{0,3}\(\s{0,3}"[A-Q]"\s{0,3}\)/
        $in = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}getParameter/
        // what the dispatcher's branches do (a business page comparing one-letter product or
        // status codes has the dispatch but none of these)
        $o1 = "FileOutputStream" ascii
        $o2 = "listFiles" ascii
        $o3 = "DriverManager" ascii
        $o4 = "getRuntime" ascii
        $o5 = "renameTo" ascii
        $o6 = "setLastModified" ascii
        $o7 = "ProcessBuilder" ascii
    condition:
        filesize < 500KB and (($in and $m1 and $m2) or (#d > 6 and $in and 3 of ($o*)))
}

rule WSA_Jsp_ReverseShell_Socket
{
    meta:
        id = "WSA-JSP-004"
        description = "JSP reverse/bind shell: a java.net.Socket wired to the streams of a cmd.exe or /bin/sh process started by Runtime.exec/ProcessBuilder"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $s1 = /new\s{1,3}(java\.net\.)?Socket\s{0,3}\(/
        $s2 = /(exec|ProcessBuilder)\s{0,3}\(\s{0,3}(new\s{1,3}String\s{0,3}\[\s{0,3}\]\s{0,3}\{\s{0,3})?"(cmd(\.exe)?|\/bin\/(ba)?sh)"/
        $s3 = "getOutputStream" ascii
    condition:
        filesize < 500KB and all of them
}

rule WSA_Jsp_Exec_RequestOneLiner
{
    meta:
        id = "WSA-JSP-041"
        description = "JSP runs the request's text as a command in one expression, Runtime.getRuntime().exec(request.getParameter(..)) or new ProcessBuilder(request.getParameter(..)), in a file of any size (a padded page): fixed shape, cheap on large files"
        family = "Generic command shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/Runtime.html"
        mitre_attack = "T1505.003"
    strings:
        $a = /getRuntime\(\)\s{0,3}\.\s{0,3}exec\(\s{0,3}request\s{0,3}\.\s{0,3}get(Parameter|Header)\(/
        $b = /new\s{1,3}(java\.lang\.)?ProcessBuilder\(\s{0,3}request\s{0,3}\.\s{0,3}get(Parameter|Header)\(/
    condition:
        any of them
}
