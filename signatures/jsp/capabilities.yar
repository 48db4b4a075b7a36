/*
  JSP/JSPX capability rules: what a shell must do (request-controlled input reaching a sink),
  written to tolerate indirection - a variable, a helper method, cmd.split(" "), reflection with
  computed names - rather than the spelling of any one sample. Each sink below is something a
  business page practically never does (starting a shell, defining classes from bytes, evaluating
  script or EL text, JNDI lookups, registering filters at run time).
*/

rule WSA_Jsp_Exec_ShellFromRequest
{
    meta:
        id = "WSA-JSP-030"
        description = "JSP reads request data and starts a process whose command is not a fixed program: Runtime.exec of a variable/expression, a shell interpreter (cmd /c, sh -c), cmd.split, or ProcessBuilder/ProcessImpl"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // request-controlled input, whatever the receiver is called (request, req, servletRequest ...)
        $in_p = "getParameter" ascii
        $in_h = "getHeader" ascii
        $in_i = "getInputStream" ascii
        $in_r = "getReader" ascii
        $in_q = "getQueryString" ascii
        $in_c = "getCookies" ascii
        $in_t = "getPart" ascii
        $in2 = /\$\{\s{0,3}(param|header|cookie)\b/
        // a process's output is read with getInputStream too, beside its getErrorStream: only
        // getInputStream calls beyond those pairs can be the request body's
        $pe = /getErrorStream\s{0,3}\(/
        // Runtime.exec whose first argument starts with an identifier, a call or an array of them
        $rt = "getRuntime" ascii
        // Runtime rt = Runtime.getRuntime(); Process p = rt.exec(cmd)
        $rv = /Runtime\s{1,3}[A-Za-z_]\w{0,20}\s{0,3}=/
        $pv = /Process\s{1,3}[A-Za-z_]\w{0,20}\s{0,3}=|waitFor\s{0,3}\(|getInputStream\s{0,3}\(\s{0,3}\)/
        $xd = /getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec\s{0,3}\(\s{0,3}[A-Za-z_$(]/ nocase
        $x1 = /\.\s{0,3}exec\s{0,3}\(\s{0,3}[A-Za-z_$(]/
        // a shell interpreter given a command line
        $x2 = /\.\s{0,3}(exec|command)\s{0,3}\(\s{0,3}(new\s{1,3}String\s{0,3}\[\s{0,3}\]\s{0,3}\{\s{0,3})?"((cmd|command)(\.exe|\.com)?|[\/\w]{0,20}\/(ba|z|da|k|c|tc)?sh|powershell(\.exe)?|c:\\\\windows\\\\system32\\\\cmd\.exe)[" ]/ nocase
        $x3 = /new\s{1,3}(java\.lang\.)?ProcessBuilder\s{0,3}\(/
        $x4 = /ProcessImpl|UNIXProcess|forkAndExec/
        $x5 = /\.\s{0,3}command\s{0,3}\([^;]{0,80}\.\s{0,3}split\s{0,3}\(/
        // reverse shell one-liners handed to exec need no request data at all
        $x6 = /\.\s{0,3}exec\s{0,3}\([^;]{0,200}\/dev\/(tcp|udp)\//
        // the runner made by the container as a bean: <jsp:useBean class="java.lang.ProcessBuilder">
        $x7 = /useBean\s[^>]{0,120}class\s{0,3}=\s{0,3}["']java\.lang\.(ProcessBuilder|Runtime)["']/
    condition:
        filesize < 1MB and ($x6 or ((any of ($in_p, $in_h, $in_r, $in_q, $in_c, $in_t, $in2) or #in_i > #pe) and
            ($xd or ($rt and $x2) or ($rv and $pv and ($x1 or $x2)) or $x3 or $x4 or $x5 or $x7)))
}

rule WSA_Jsp_Reflection_HiddenRuntime
{
    meta:
        id = "WSA-JSP-031"
        description = "JSP names java.lang.Runtime / ProcessBuilder / exec / defineClass only in hidden form (split string literals, reversed, base64, hex or byte/char arrays) - reflection with computed names to reach a sink"
        family = "Obfuscated JSP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/lang/reflect/Method.html"
        mitre_attack = "T1505.003"
    strings:
        // "java.lang.Run"+"time" / "java.lang.Pro"+"cessBuilder" and similar splits
        $s1 = /R"\s{0,3}\+\s{0,3}"untime|Ru"\s{0,3}\+\s{0,3}"ntime|Run"\s{0,3}\+\s{0,3}"time|Runt"\s{0,3}\+\s{0,3}"ime|Runti"\s{0,3}\+\s{0,3}"me|Runtim"\s{0,3}\+\s{0,3}"e/
        $s2 = /Pro"\s{0,3}\+\s{0,3}"cessBuilder|Proc"\s{0,3}\+\s{0,3}"essBuilder|Proce"\s{0,3}\+\s{0,3}"ssBuilder|Proces"\s{0,3}\+\s{0,3}"sBuilder|Process"\s{0,3}\+\s{0,3}"Builder|ProcessB"\s{0,3}\+\s{0,3}"uilder|ProcessBu"\s{0,3}\+\s{0,3}"ilder|ProcessBui"\s{0,3}\+\s{0,3}"lder|ProcessBuil"\s{0,3}\+\s{0,3}"der|ProcessBuild"\s{0,3}\+\s{0,3}"er|ProcessBuilde"\s{0,3}\+\s{0,3}"r/
        $s3 = /"(java|java\.|java\.l|java\.la|java\.lan|java\.lang)"\s{0,3}\+\s{0,3}"[a-z.]{0,10}(Runtime|ProcessBuilder|ProcessImpl)"/
        $s4 = /"e"\s{0,3}\+\s{0,3}"xec"|"ex"\s{0,3}\+\s{0,3}"ec"|"exe"\s{0,3}\+\s{0,3}"c"/
        // reversed
        $r1 = "emitnuR.gnal.avaj" ascii
        $r2 = "redliuBssecorP.gnal.avaj" ascii
        $r3 = "ssalCenifed" ascii
        // base64 of the class/method names (several alignments) and hex
        $b1 = "amF2YS5sYW5nLlJ1bnRpbWU" ascii
        $b2 = "amF2YS5sYW5nLlByb2Nlc3NCdWlsZGVy" ascii
        $b3 = "ZGVmaW5lQ2xhc3" ascii
        $b4 = "Z2V0UnVudGltZ" ascii
        $h1 = "6a6176612e6c616e672e52756e74696d65" nocase
        $h2 = "6a6176612e6c616e672e50726f636573734275696c646572" nocase
        // byte / char arrays spelling java.lang.R... or exec
        $a1 = /106\s{0,2},\s{0,2}97\s{0,2},\s{0,2}118\s{0,2},\s{0,2}97\s{0,2},\s{0,2}46\s{0,2},\s{0,2}108/
        $a2 = /'j'\s{0,2},\s{0,2}'a'\s{0,2},\s{0,2}'v'\s{0,2},\s{0,2}'a'\s{0,2},\s{0,2}'\.'/
        $a3 = /[{,]\s{0,2}101\s{0,2},\s{0,2}120\s{0,2},\s{0,2}101\s{0,2},\s{0,2}99\s{0,2}[},]/
        $a4 = /'e'\s{0,2},\s{0,2}'x'\s{0,2},\s{0,2}'e'\s{0,2},\s{0,2}'c'/
        $a5 = /0x6a\s{0,2},\s{0,2}0x61\s{0,2},\s{0,2}0x76\s{0,2},\s{0,2}0x61/ nocase
        $use1 = /forName|loadClass|getMethod|getDeclaredMethod|invoke|MethodHandles/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 1MB and any of ($tag*) and $use1 and any of ($s*, $r*, $b*, $h*, $a*)
}

rule WSA_Jsp_ClassLoading_FromBytes
{
    meta:
        id = "WSA-JSP-032"
        description = "JSP defines or loads classes at run time: BCEL-encoded class names, defineClass on decoded/decrypted/request bytes, URLClassLoader or JavaCompiler fed by the request, TemplatesImpl bytecodes, Unsafe/Lookup/Proxy defineClass: Behinder/Godzilla-style loaders and class-bytes templates"
        family = "Java class loader shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://unit42.paloaltonetworks.com/manageengine-godzilla-nglite-kdcsponge/"
        mitre_attack = "T1505.003"
    strings:
        $bcel = "$$BCEL$$" ascii
        $bcel2 = "bcel.internal.util.ClassLoader" ascii
        $dc = /defineClass\s{0,3}\(/
        $dc0 = /defineClass0|defineAnonymousClass|defineHiddenClass|\.defineClass\s{0,3}\(\s{0,3}[\w.]{0,40}\s{0,3}\)/
        $dcr = /getDeclaredMethod\s{0,3}\(\s{0,3}"defineClass/
        $dec1 = /Base64|BASE64Decoder|decodeBuffer|parseBase64Binary|DatatypeConverter|Cipher\s{0,3}\.\s{0,3}getInstance|SecretKeySpec|hex2byte|parseByte|GZIPInputStream|InflaterInputStream/
        $in_p = "getParameter" ascii
        $in_h = "getHeader" ascii
        $in_i = "getInputStream" ascii
        $in_r = "getReader" ascii
        $in_q = "getQueryString" ascii
        $ucl = /new\s{1,3}(java\.net\.)?URLClassLoader\s{0,3}\(/
        $ucl2 = /URLClassLoader\s{0,3}\.\s{0,3}newInstance/
        // a jar from a fixed remote (or dropped local) address: no page of an application loads one
        $ucl3 = /URLClassLoader\s{0,3}(\.\s{0,3}newInstance\s{0,3})?\(\s{0,3}new\s{1,3}(java\.net\.)?URL\s{0,3}\[\s{0,3}\]\s{0,3}\{\s{0,3}new\s{1,3}(java\.net\.)?URL\s{0,3}\(\s{0,3}"(https?|ftp|file):/
        $jc1 = "getSystemJavaCompiler" ascii
        $jc2 = "JavaCompiler" ascii
        $ti1 = "TemplatesImpl" ascii
        $ti2 = "_bytecodes" ascii
        $ti3 = /\.\s{0,3}(getOutputProperties|newTransformer)\s{0,3}\(/
        $load = /loadClass|newInstance|forName|getConstructor|ServiceLoader\s{0,30}\.\s{0,3}load/
        $cafe1 = "\"yv66vg" ascii
        $cafe2 = /"cafebabe[0-9a-f]{24}/ nocase
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 2MB and (
            $bcel or $cafe1 or $cafe2 or
            (any of ($tag*) and (
                $bcel2 or
                (($dc or $dcr) and ($dec1 or any of ($in_*))) or
                ($dc0 and $load) or
                (($ucl or $ucl2) and any of ($in_*) and $load) or
                ($ucl3 and $load) or
                ($jc1 and $jc2 and $load) or
                ($ti1 and ($ti2 or $ti3)))))
}

rule WSA_Jsp_Eval_ScriptOrExpression
{
    meta:
        id = "WSA-JSP-033"
        description = "JSP evaluates request-supplied text as code: javax.script engine (Nashorn/JavaScript), EL (ELProcessor, ExpressionFactory value/method expressions), SpEL, OGNL, MVEL, Groovy (its shell or class loader) or JShell"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://docs.oracle.com/javase/8/docs/api/javax/script/ScriptEngine.html"
        mitre_attack = "T1505.003"
    strings:
        $in_p = "getParameter" ascii
        $in_h = "getHeader" ascii
        $in_i = "getInputStream" ascii
        $in_r = "getReader" ascii
        $in_q = "getQueryString" ascii
        $se1 = "ScriptEngineManager" ascii
        $se2 = /getEngineBy(Name|Extension|MimeType)|NashornScriptEngineFactory|getScriptEngine\s{0,3}\(/
        // eval of an expression built at run time (not of a constant literal)
        // (or its eval found by name, to call through reflection)
        $se3 = /\.\s{0,3}eval\s{0,3}\(\s{0,3}[A-Za-z_$(]|getMethod\s{0,3}\(\s{0,3}"eval"/
        // ... or of a literal that names a process runner or a script engine itself
        $se4 = /java\.lang\.(ProcessBuilder|Runtime)\b/
        $el1 = /new\s{1,3}(javax\.el\.|jakarta\.el\.)?ELProcessor\s{0,3}\(/
        $el2 = /create(Value|Method)Expression\s{0,3}\(/
        $el3 = /ExpressionFactory|ELContext|getELContext|ELManager/
        $sp1 = /SpelExpressionParser|StandardEvaluationContext/
        $sp2 = /parseExpression\s{0,3}\(/
        $og = /Ognl\s{0,3}\.\s{0,3}(getValue|parseExpression)|MVEL\s{0,3}\.\s{0,3}(eval|executeExpression)/
        $gr = /new\s{1,3}(groovy\.(lang|util)\.)?(GroovyShell|GroovyClassLoader|GroovyScriptEngine)\s{0,3}\(/
        $gr2 = /\.\s{0,3}(evaluate|parse|parseClass)\s{0,3}\(/
        $js = /JShell\s{0,3}\.\s{0,3}(create|builder)\s{0,3}\(/
        // other embedded interpreters: BeanShell, Jython, JRuby, Rhino's own context
        $ip = /new\s{1,3}(bsh\.)?Interpreter\s{0,3}\(|new\s{1,3}(org\.python\.util\.)?PythonInterpreter\s{0,3}\(|ScriptingContainer\s{0,3}\(|Context\s{0,3}\.\s{0,3}(enter|getCurrentContext)\s{0,3}\(\s{0,3}\)/
        $ip2 = /\.\s{0,3}(eval|exec|runScript|evaluateString|runScriptlet)\s{0,3}\(\s{0,3}[A-Za-z_$(]/
        // a method handle found by name for a process runner's method
        $mh = /find(Virtual|Static)\s{0,3}\(\s{0,3}(java\.lang\.)?(Runtime|ProcessBuilder)\.class\s{0,3},\s{0,3}"(exec|start|getRuntime)"/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 1MB and any of ($tag*) and any of ($in_*) and (
            ($se1 and $se2 and $se3) or
            ($el1 and ($se3 or $se4 or $se2)) or
            ($el2 and $el3) or
            ($sp1 and $sp2) or
            $og or
            ($gr and $gr2) or
            ($js and $se3) or
            ($ip and $ip2) or
            $mh)
}

rule WSA_Jsp_El_ProcessRunner
{
    meta:
        id = "WSA-JSP-044"
        description = "A JSP expression-language expression (${...} or #{...}) that reaches a process runner, a script engine or class loading: EL 3.0 resolves java.lang classes by their simple names, so ${Runtime.getRuntime().exec(param.c)} is a one-line shell with no scriptlet at all"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://jakarta.ee/specifications/expression-language/3.0/"
        mitre_attack = "T1505.003"
    strings:
        // one expression: no closing brace between its opening and the runner
        $run = /[$#]\{[^}\n]{0,200}(Runtime\s{0,3}\.\s{0,3}getRuntime\s{0,3}\(|ProcessBuilder\s{0,3}\(|ScriptEngineManager\s{0,3}\(|getEngineByName\s{0,3}\(|java\.lang\.(Runtime|ProcessBuilder)|forName\s{0,3}\([^}\n]{0,80}\.\s{0,3}(getMethod|getDeclaredMethod|newInstance)\s{0,3}\(|getClassLoader\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}(loadClass|defineClass)\s{0,3}\()/
    condition:
        filesize < 1MB and $run
}

rule WSA_Jsp_Jndi_RequestLookup
{
    meta:
        id = "WSA-JSP-034"
        description = "JSP performs a JNDI lookup (InitialContext.lookup, JdbcRowSetImpl dataSourceName) of a request-supplied name: remote class loading through LDAP/RMI"
        family = "JNDI injection shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://www.blackhat.com/docs/us-16/materials/us-16-Munoz-A-Journey-From-JNDI-LDAP-Manipulation-To-RCE.pdf"
        mitre_attack = "T1505.003"
    strings:
        // lookup(name) or lookup(request.getParameter(..)): the looked-up name is not a literal
        $l = /\.\s{0,3}lookup\s{0,3}\(\s{0,3}(\(\s{0,3}String\s{0,3}\)\s{0,3})?[A-Za-z_][\w.]{0,40}\s{0,3}[)(]/
        $ic = "InitialContext" ascii
        $in = "getParameter" ascii
        $rs1 = "JdbcRowSetImpl" ascii
        $rs2 = "setDataSourceName" ascii
        $rs3 = "getParameter" ascii
        $env = /(ldap|rmi|iiop|dns):\/\//
        // lookups relative to the component's own environment are the container's resources
        $envctx = "java:comp/env" ascii
    condition:
        filesize < 200KB and (($ic and $l and $in and not $envctx and filesize < 50KB) or ($rs1 and $rs2 and $rs3) or ($ic and $l and $env and $rs3))
}

rule WSA_Jsp_Beans_ExpressionExec
{
    meta:
        id = "WSA-JSP-035"
        description = "JSP drives a method call through java.beans.Expression / java.beans.Statement (or XMLDecoder) with request data: reflection by proxy that avoids the words Runtime.exec"
        family = "Generic command execution of request data"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://docs.oracle.com/javase/8/docs/api/java/beans/Expression.html"
        mitre_attack = "T1505.003"
    strings:
        $b1 = /java\.beans\.(Expression|Statement|\*|XMLDecoder)/
        $b2 = /new\s{1,3}(java\.beans\.)?(Expression|Statement)\s{0,3}\(/
        $x1 = /new\s{1,3}(java\.beans\.)?XMLDecoder\s{0,3}\(/
        $in_p = "getParameter" ascii
        $in_h = "getHeader" ascii
        $in_i = "getInputStream" ascii
        $in_r = "getReader" ascii
        $in_q = "getQueryString" ascii
        $o1 = /ObjectInputStream\s{0,3}\([^;]{0,60}getInputStream/
        $o2 = "readObject" ascii
    condition:
        filesize < 500KB and any of ($in_*) and (($b1 and $b2) or $x1 or ($o1 and $o2))
}

rule WSA_Jsp_MemShell_Registration
{
    meta:
        id = "WSA-JSP-036"
        description = "JSP reaches servlet-container internals (Tomcat StandardContext, WebLogic, Jetty, Resin, Undertow, Spring handler mappings) or the ServletContext and registers a filter, servlet, listener, valve or handler at run time: memory-shell injector"
        family = "Java memory shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /StandardContext|ApplicationContext(Facade)?|WebAppServletContext|ServletHandler|RequestMappingHandlerMapping|AbstractHandlerMapping|com\.caucho|io\.undertow|DeploymentInfo|WebApplicationContext|getServletContext|ServletContext|ServerContainer/
        $a1 = /addFilterDef|addFilterMap(Before)?|addServletMapping(Decoded)?|addApplicationEventListener|addApplicationListener|addValve|registerMapping|registerHandler|addFilterWithMapping|addServletWithMapping|addChild\s{0,3}\(\s{0,3}\w{0,20}[wW]rapper|addEndpoint\s{0,3}\(|addMappingForUrlPatterns|addMappingForServletNames|createWrapper|FilterDef\s{0,3}\(|FilterMap\s{0,3}\(|setFilterClass|filterConfigs/
        $a2 = /\.\s{0,3}add(Filter|Servlet|Listener)\s{0,3}\(\s{0,3}[^;]{0,60}\)\s{0,3};/
        $a3 = /getPipeline\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}add(First|Valve|Last)?/
        $r1 = "getDeclaredField" ascii
        $r2 = "setAccessible" ascii
        $i1 = /implements\s{1,3}[\w.]{0,40}(Filter|Servlet|ServletRequestListener|Valve|HandlerInterceptor)\b/
        $i2 = /extends\s{1,3}[\w.]{0,40}(ValveBase|HttpServlet|GenericServlet)\b/
        $i3 = /new\s{1,3}(javax\.servlet\.|jakarta\.servlet\.)?(Filter|Servlet|ServletRequestListener)\s{0,3}\(\s{0,3}\)\s{0,3}\{/
        $i4 = /\.\s{0,3}(defineClass|newInstance)\s{0,3}\(/
        $i5 = /extends\s{1,3}[\w.]{0,40}Endpoint\b|implements\s{1,3}[\w.]{0,40}MessageHandler/
        // a container's registration method found by name and opened up, whatever the container
        $a4 = /getDeclaredMethod\s{0,3}\(\s{0,3}"(registerServlet|registerFilter|addServlet|addFilter|addListener|addValve|addApplicationEventListener|addServletMappingDecoded|addFilterWithMapping|addServletWithMapping|registerMapping|addInterceptor)"/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 2MB and any of ($tag*) and (($c1 and (
            ($a1 and ($r1 or $r2 or any of ($i*))) or
            ($a2 and any of ($i*) and ($r1 or $r2)) or
            ($a3 and ($r1 or any of ($i*))))) or ($a4 and $r2))
}

rule WSA_Jsp_Evasion_Encoding : conceals
{
    meta:
        id = "WSA-JSP-037"
        description = "JSP/JSPX written to defeat text inspection: an EBCDIC page encoding (UTF-16/32 pages are legitimate: the charset decode layer lets the other rules read them), doubled \\uu escapes, identifiers split across CDATA sections, or numeric character references inside jsp:scriptlet code"
        family = "Obfuscated JSP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://docs.oracle.com/javase/specs/jls/se8/html/jls-3.html#jls-3.3"
        mitre_attack = "T1505.003"
    strings:
        // every Latin EBCDIC code page Java knows (Cp037, IBM273, x-IBM1047, IBM01141, ...)
        $pe = /pageEncoding\s{0,3}=\s{0,3}["']((x-)?(cp|ibm)-?0{0,2}(37|273|277|278|280|284|285|297|500|870|871|875|1025|1026|1047|1112|1122|114\d)|ebcdic[\w-]{0,20})["']/ nocase
        $ct = /contentType\s{0,3}=\s{0,3}["'][^"']{0,40}charset\s{0,3}=\s{0,3}((x-)?(cp|ibm)-?0{0,2}(37|273|277|278|280|284|285|297|500|870|871|875|1025|1026|1047|1112|1122|114\d)|ebcdic[\w-]{0,20})["']/ nocase
        $xe = /<\?xml[^>]{0,40}encoding\s{0,3}=\s{0,3}["'](cp0?37|cp1047|cp500|ibm-?0?37|ebcdic[\w-]{0,20})["']/ nocase
        // "<?xml" and "<%@" in EBCDIC at the start of the file
        $eb1 = { 4C 6F A7 94 93 }
        $eb2 = { 4C 6C 7C }
        $uu = /\\uu{1,8}00[2-7][0-9a-fA-F]/
        $cd = /[A-Za-z0-9_.(]\]\]>\s{0,3}<!\[CDATA\[[A-Za-z0-9_.)]/
        $ent = /<jsp:(scriptlet|declaration|expression)>\s{0,10}(&#x?[0-9a-fA-F]{2,4};){3}/
    condition:
        filesize < 1MB and ($pe or $ct or $xe or $eb1 at 0 or $eb2 at 0 or #uu > 3 or $cd or $ent)
}

rule WSA_Jsp_Writer_RequestPathSink
{
    meta:
        id = "WSA-JSP-038"
        description = "JSP opens a file-writing sink (FileOutputStream, FileWriter, RandomAccessFile, java.nio Files.write/copy, commons-io FileUtils, a java.util.logging FileHandler) on a path taken from the request and writes request data: generic uploader / file planter"
        family = "Uploader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://owasp.org/www-community/vulnerabilities/Unrestricted_File_Upload"
        mitre_attack = "T1505.003"
    strings:
        // sink(request.getParameter(..)) or sink(getRealPath("/") + request.getParameter(..)),
        // or a path joined under the web root: Paths.get(application.getRealPath("/"), ..):
        // short or fixed-shape windows keep the cost of repeated atoms bounded
        $s0 = /FileHandler\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s1 = /Files\.write\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s2 = /Files\.copy\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s3 = /FileUtils\.write\w{0,20}\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s4 = /FileUtils\.copy\w{0,20}\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s5 = /FileOutputStream\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s6 = /FileWriter\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $s7 = /RandomAccessFile\s{0,3}\(\s{0,3}(new\s{1,3}File\s{0,3}\(\s{0,3}|Paths?\s{0,3}\.\s{0,3}(get|of)\s{0,3}\(\s{0,3}(\w{1,20}\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3},\s{0,3})?)?[a-z]\w{0,19}\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        // an upload's part written under the name the client gave it
        $s8 = /\.\s{0,3}write\s{0,3}\([^;]{0,80}getSubmittedFileName\s{0,3}\(/
        $part = /getPart\s{0,3}\(/
        // the web root's path however it is asked for: "/", File.separator, a variable
        $rp = /getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3}\+\s{0,3}("[^"\r\n]{0,20}"\s{0,3}\+\s{0,3})?(request|req|r|rq|httpRequest|servletRequest)\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $sink0 = "FileHandler" ascii
        $sink1 = "Files.write" ascii
        $sink2 = "Files.copy" ascii
        $sink3 = "FileUtils.write" ascii
        $sink4 = "FileUtils.copy" ascii
        $sink5 = "FileOutputStream" ascii
        $sink6 = "FileWriter" ascii
        $sink7 = "RandomAccessFile" ascii
        $in_p = "getParameter" ascii
        $in_h = "getHeader" ascii
        $in_i = "getInputStream" ascii
        $in_r = "getReader" ascii
        $in_q = "getQueryString" ascii
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 200KB and any of ($tag*) and (((any of ($s0, $s1, $s2, $s3, $s4, $s5, $s6, $s7) or ($rp and any of ($sink*))) and (#in_p + #in_h + #in_i + #in_r + #in_q) > 1) or ($s8 and $part))
}

rule WSA_Jsp_Persistence_ServerConfigTamper
{
    meta:
        id = "WSA-JSP-039"
        description = "JSP page that finds the servlet container's home folder and rewrites its own configuration (conf/web.xml, app-default.xml, server.xml, context.xml) to map image or text extensions to the JSP servlet: persistence that lets a planted .png or .txt run as code"
        family = "Server config tamper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $home = /"(catalina\.home|catalina\.base|resin\.home|jetty\.home|jboss\.home|jboss\.server\.base\.dir|weblogic\.home)"/ nocase
        $conf = /"(web|app-default|server|context|webdefault|resin)\.xml"/ nocase
        $map = /<url-pattern>[ \t]{0,3}\*\.(png|jpe?g|gif|bmp|ico|txt|css|js|html?|xml|log)[ \t]{0,3}<\/url-pattern>/ nocase
        // the new mapping is spliced in next to an existing one: replace(anchor, anchor + mapping)
        $pat = "<url-pattern>" nocase
        $edit = /\.(replace|replaceAll|replaceFirst|insert)[ \t]{0,3}\(/
        $write = /FileOutputStream|FileWriter|writeStringToFile|Files\.write|RandomAccessFile|PrintWriter[ \t]{0,3}\([ \t]{0,3}new[ \t]{1,3}File/
        $jsp = /<%[@!=]?/
    condition:
        filesize < 1MB and $jsp and $home and $conf and $map and #pat >= 2 and $edit and $write
}

rule WSA_Jsp_Deserialize_EmbeddedObject
{
    meta:
        id = "WSA-JSP-040"
        description = "JSP deserializes a Java object stream it carries itself (base64 rO0AB... or hex aced0005 into ObjectInputStream): a gadget chain (TemplatesImpl, InvokerTransformer, ...) run inside the server"
        family = "Java deserialization loader"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://docs.oracle.com/javase/8/docs/platform/serialization/spec/protocol.html"
        mitre_attack = "T1505.003"
    strings:
        // the stream magic AC ED 00 05 as a base64 or hex literal
        $b64 = "\"rO0AB" ascii
        $hex = /"aced0005[0-9a-f]{8}/ nocase
        $ois = /new\s{1,3}(java\.io\.)?ObjectInputStream\s{0,3}\(/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 2MB and any of ($tag*) and $ois and ($b64 or $hex)
}

rule WSA_Jsp_SeoRelay_RemotePage
{
    meta:
        id = "WSA-JSP-042"
        description = "A small JSP page that reads a page from a hard-coded remote address line by line and prints it as its own: the SEO-spam/doorway relay planted on compromised Java sites (remote content served under the victim's domain)"
        family = "SEO spam relay"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1608/006/"
        mitre_attack = "T1505.003"
    strings:
        $url = /"https?:\/\/[^"\s]{4,200}"/
        $open = /(openStream|openConnection|getInputStream)\s{0,3}\(/
        $read = /readLine\s{0,3}\(/
        $out = /out\.print(ln)?\s{0,3}\(\s{0,3}\w{1,40}\s{0,3}\)/
        $tag = /<%|<jsp:/
    condition:
        filesize < 8KB and $tag and $url and $open and $read and $out
}

rule WSA_Jsp_Xslt_RequestStylesheet
{
    meta:
        id = "WSA-JSP-043"
        description = "A small JSP page that compiles a stylesheet from a stream (TransformerFactory.newTransformer(new StreamSource(..))) and reads the request body or parameters: an XSLT stylesheet sent by the visitor runs Java through extension functions"
        family = "Java script engine shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://owasp.org/www-community/vulnerabilities/XSLT_Injection"
        mitre_attack = "T1505.003"
    strings:
        // the stylesheet from the request, a string or bytes, or a variable (not a bundled resource)
        $t = /newTransformer\s{0,3}\(\s{0,3}new\s{1,3}(javax\.xml\.transform\.stream\.)?StreamSource\s{0,3}\(\s{0,3}(request|new\s{1,3}(java\.io\.)?(StringReader|ByteArrayInputStream)|[a-zA-Z_]\w{0,30}\s{0,3}\))/
        $r = /request\s{0,3}\.\s{0,3}get(Reader|InputStream|Parameter)\s{0,3}\(/
        $tag = /<%|<jsp:/
        $t2 = /<x:transform\s[^\r\n]{0,200}xslt\s{0,3}=\s{0,3}["']\$\{\s{0,3}(param|header|cookie)\b/
    condition:
        filesize < 16KB and (($tag and $t and $r) or $t2)
}

rule WSA_Jsp_Recon_PortScanner
{
    meta:
        id = "WSA-JSP-045"
        description = "JSP network scanner: connects sockets to the hosts and ports the request lists (a port list split on commas, an address range) from a pool of threads: internal reconnaissance planted beside a shell"
        family = "Network scanner"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1046/"
        mitre_attack = "T1505.003"
    strings:
        $s = /new\s{1,3}(java\.net\.)?Socket\s{0,3}\(|\.connect\s{0,3}\(\s{0,3}new\s{1,3}InetSocketAddress/
        $p = /getParameter\s{0,3}\(\s{0,3}"[^"\r\n]{0,20}"\s{0,3}\)\s{0,3}\.\s{0,3}split\s{0,3}\(\s{0,3}","/
        $t = /new\s{1,3}Thread\s{0,3}\(|ThreadGroup|Executors\s{0,3}\.\s{0,3}new\w{0,20}ThreadPool/
        $tag = "<%" ascii
    condition:
        filesize < 300KB and $tag and $s and $p and $t
}

rule WSA_Jsp_Loader_NativeOrAgent
{
    meta:
        id = "WSA-JSP-046"
        description = "JSP loads native code or a Java agent the request names: System.load/Runtime.load of a request path (a JNI library run in the server), or the Attach API loading an agent jar into the server's own JVM (an agent memory shell)"
        family = "Java memory shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://docs.oracle.com/javase/8/docs/jdk/api/attach/spec/com/sun/tools/attach/VirtualMachine.html"
        mitre_attack = "T1505.003"
    strings:
        $n = /(System|getRuntime\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}load(Library)?\s{0,3}\(\s{0,3}(request|req)\s{0,3}\.\s{0,3}get(Parameter|Header)\s{0,3}\(/
        $a1 = /VirtualMachine\s{0,3}\.\s{0,3}attach\s{0,3}\(/
        $a2 = /\.\s{0,3}loadAgent(Library|Path)?\s{0,3}\(/
        $tag = /<%|<jsp:/
    condition:
        filesize < 500KB and $tag and ($n or ($a1 and $a2))
}

rule WSA_Jsp_Include_RequestPage
{
    meta:
        id = "WSA-JSP-047"
        description = "JSP includes the page or address the request names, as given: <jsp:include page=<%= request.getParameter(..) %>>, pageContext.include, a request dispatcher's include, or <c:import url=${param..}>: runs a JSP planted elsewhere (an upload) or relays any address, the JSP counterpart of PHP's include $_GET"
        family = "Remote code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/11.1-Testing_for_Local_File_Inclusion"
        mitre_attack = "T1505.003"
    strings:
        $i1 = /<jsp:include\s{1,3}page\s{0,3}=\s{0,3}["']<%=\s{0,3}request\s{0,3}\.\s{0,3}getParameter\s{0,3}\(\s{0,3}"[^"\r\n]{1,30}"\s{0,3}\)\s{0,3}%>["']/
        $i2 = /pageContext\s{0,3}\.\s{0,3}include\s{0,3}\(\s{0,3}request\s{0,3}\.\s{0,3}getParameter\s{0,3}\(/
        $i3 = /getRequestDispatcher\s{0,3}\(\s{0,3}request\s{0,3}\.\s{0,3}getParameter\s{0,3}\([^)\r\n]{1,30}\)\s{0,3}\)\s{0,3}\.\s{0,3}include\s{0,3}\(/
        $i4 = /<c:import\s{1,3}url\s{0,3}=\s{0,3}["']\$\{\s{0,3}param\s{0,3}[.\[]/
    condition:
        filesize < 100KB and any of them
}

rule WSA_Jsp_Persistence_ServerJarTamper
{
    meta:
        id = "WSA-JSP-048"
        description = "JSP rewrites a servlet container's own library: a JarOutputStream that writes classes into the server's packages (org/apache/tomcat, org/apache/catalina) or into a jar of its lib folder: a backdoor loaded with the server at its next start, surviving the removal of the page"
        family = "Java memory shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1554/"
        mitre_attack = "T1505.003"
    strings:
        $j = /new\s{1,3}(java\.util\.jar\.)?JarOutputStream\s{0,3}\(/
        $t1 = /"org\/apache\/(tomcat|catalina|coyote|jasper)\/[\w\/$]{1,120}\.class"/
        $t2 = /(catalina\.home|catalina\.base|CATALINA_HOME|\/lib\/(tomcat|catalina)[\w.-]{0,40}\.jar)/
        $tag = /<%|<jsp:/
    condition:
        filesize < 500KB and $tag and $j and ($t1 or $t2)
}

rule WSA_Jsp_Generic_CapabilityMix
{
    meta:
        id = "WSA-JSP-049"
        description = "A JSP page that holds many of the capability families a web shell combines (processes, reflection, class loading, sockets, file writes, file reads, JDBC, script engines, archives, threads, ciphers, Base64, outbound connections, system properties, the container's internals): five of the fifteen with request data, or, request read or not, three of the nine no benign page combines (processes, reflection, class loading, sockets, script engines, threads, ciphers, Base64, system properties). Each threshold is the lowest count at which the benign sets flag at most 1 page in 10,000 (0 of 9,811 benign JSP pages)"
        family = "Generic web-shell manager"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $tag = /<%|<jsp:/
        $req = /getParameter|getHeader|getInputStream|getReader|getQueryString|getCookies|getPart|\$\{\s{0,3}param/
        $c01 = /getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec|ProcessBuilder|ProcessImpl|UNIXProcess/
        $c02 = /getDeclaredMethod|getMethod\s{0,3}\(|\.invoke\s{0,3}\(|setAccessible\s{0,3}\(\s{0,3}true|getDeclaredField|Class\.forName/
        $c03 = /defineClass|ClassLoader|loadClass\s{0,3}\(/
        $c04 = /new\s{1,3}Socket\s{0,3}\(|SocketChannel|ServerSocket|InetSocketAddress|DatagramSocket/
        $c05 = /FileOutputStream|FileWriter|Files\.write|RandomAccessFile|Files\.copy|renameTo\s{0,3}\(|\.delete\s{0,3}\(\s{0,3}\)/
        $c06 = /FileInputStream|FileReader|Files\.read|listFiles\s{0,3}\(|\.list\s{0,3}\(\s{0,3}\)/
        $c07 = /DriverManager|createStatement|executeQuery|prepareStatement/
        $c08 = /ScriptEngine|GroovyShell|ELProcessor|JShell/
        $c09 = /ZipOutputStream|ZipInputStream|JarOutputStream|JarFile/
        $c10 = /new\s{1,3}Thread\s{0,3}\(|ThreadGroup|Executors\.|new\s{1,3}Timer\s{0,3}\(/
        $c11 = /Cipher\.getInstance|SecretKeySpec|MessageDigest/
        $c12 = /Base64|BASE64Decoder|decodeBuffer|parseBase64Binary/
        $c13 = /openConnection|openStream|HttpURLConnection/
        $c14 = /getProperty\s{0,3}\(\s{0,3}"(os\.name|user\.name|user\.dir)"|System\.getenv\s{0,3}\(|InetAddress\.getLocalHost/
        $c15 = /StandardContext|ApplicationContext|getRealPath/
    condition:
        filesize < 1MB and $tag and (($req and 5 of ($c*)) or 3 of ($c01, $c02, $c03, $c04, $c08, $c10, $c11, $c12, $c14))
}

rule WSA_Jsp_Tunnel_HttpRelay
{
    meta:
        id = "WSA-JSP-050"
        description = "A small JSP page that forwards its own request (the raw body, or every parameter re-encoded) over an HttpURLConnection it writes to, to an address taken from a parameter, and prints the answer: an HTTP tunnel (pystinger-like) that turns the server into a pivot"
        family = "Tunnel"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $body = /request\s{0,3}\.\s{0,3}getInputStream\s{0,3}\(|getParameterNames\s{0,3}\(/
        $fwd = /getOutputStream\s{0,3}\(/
        $out = /openConnection\s{0,3}\(/
        $req = /getParameter\s{0,3}\(/
        $back = /out\s{0,3}\.\s{0,3}(print|write)|getWriter\s{0,3}\(|response\s{0,3}\.\s{0,3}getOutputStream/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 30KB and any of ($tag*) and $body and $fwd and $out and $req and $back
}

rule WSA_Jsp_Database_RequestConnection
{
    meta:
        id = "WSA-JSP-051"
        description = "A JSP page that opens a JDBC connection to a URL the request gives whole (DriverManager.getConnection(request.getParameter(..))) or runs SQL the request gives whole (prepareStatement/executeQuery/executeUpdate/execute of request.getParameter(..)): a database console for whoever loads it (applications build their URL and queries themselves)"
        family = "Database manager"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $url = /getConnection\s{0,3}\(\s{0,3}request\s{0,3}\.\s{0,3}getParameter\s{0,3}\(/
        $sql = /(prepareStatement|prepareCall|executeQuery|executeUpdate|execute|addBatch)\s{0,3}\(\s{0,3}request\s{0,3}\.\s{0,3}getParameter\s{0,3}\(/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 300KB and any of ($tag*) and ($url or $sql)
}
