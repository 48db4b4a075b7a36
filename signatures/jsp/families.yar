/*
  JSP/JSPX families: JspSpy, reGeorg-style tunnels, file writers/uploaders, jspx scriptlets,
  unicode-escaped sources.
*/

rule WSA_Jsp_JspSpy
{
    meta:
        id = "WSA-JSP-020"
        description = "JspSpy / JFolder-style file-manager JSP: its name and its inner helper classes"
        family = "JspSpy"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/tennc/webshell"
        mitre_attack = "T1505.003"
    strings:
        $a1 = "JspSpy" nocase
        $a2 = "JFolder" nocase
        $a3 = "jshell" nocase
        $h1 = "ForwardMenu" ascii
        $h2 = "DBOperator" ascii
        $h3 = "EnterInvoker" ascii
        $h4 = "BeforeInvoker" ascii
        $h5 = "AfterInvoker" ascii
        $h6 = "StreamConnector" ascii
        $h7 = "ShellInvoker" ascii
        $h8 = "ExecuteInvoker" ascii
        $h9 = "UploadInvoker" ascii
        $h10 = "DownInvoker" ascii
        $h11 = "PortScanInvoker" ascii
        $h12 = "VConnInvoker" ascii
    condition:
        filesize < 2MB and (($a1 and 1 of ($h*)) or 3 of ($h*) or (($a2 or $a3) and 1 of ($h*)))
}

rule WSA_Jsp_Tunnel_SocketChannel
{
    meta:
        id = "WSA-JSP-021"
        description = "reGeorg-style, pystinger-style and Tunna-style HTTP tunnel JSP: a SocketChannel or Socket kept in the session or the application and driven by request headers, CONNECT/FORWARD/READ commands or request parameters, or a socket to the host the request's body names relayed through the request's own streams (suo5-like)"
        family = "reGeorg"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/sensepost/reGeorg"
        mitre_attack = "T1505.003"
    strings:
        $s1 = "SocketChannel" ascii
        $s2 = "new Socket(" ascii
        $s3 = "InetSocketAddress" ascii
        $h1 = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}getHeader\s{0,3}\(\s{0,3}"X-[A-Za-z]{2,12}"/
        $h2 = "\"CONNECT\"" ascii
        $h3 = "\"FORWARD\"" ascii
        $h4 = "\"DISCONNECT\"" ascii
        $h5 = "\"READ\"" ascii
        $h6 = "Georg says" ascii
        $a1 = "AsynchronousSocketChannel" ascii
        $a2 = "ServerContainer" ascii
        $h7 = /setAttribute\s{0,3}\(\s{0,3}"[^"\r\n]{0,30}"\s{0,3},\s{0,3}\w{0,20}(socket|Socket|channel|Channel)\w{0,10}\s{0,3}\)/
        // any verb set (Tunna's proxy/close parameters): a socket kept in the session, its
        // peer and its data given by the request
        $in1 = /getParameter\s{0,3}\(|getHeader\s{0,3}\(|getInputStream\s{0,3}\(/
        $h8 = /\(\s{0,3}(Socket|SocketChannel)\s{0,3}\)\s{0,3}(session|application|(request\s{0,3}\.\s{0,3})?get(Session|ServletContext)\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}getAttribute/
        // or no state kept: a socket to the host and port the request's body names, its bytes
        // relayed to and from the request's own streams (suo5-like)
        $r1 = /new\s{1,3}InetSocketAddress\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3},\s{0,3}[a-zA-Z_]/
        $r2 = /request\s{0,3}\.\s{0,3}getInputStream\s{0,3}\(/
        $r3 = /response\s{0,3}\.\s{0,3}(getOutputStream|getWriter)\s{0,3}\(/
        $r4 = /\.\s{0,3}get(Input|Output)Stream\s{0,3}\(\s{0,3}\)/
        $io = /\.\s{0,3}(read|write)\s{0,3}\(\s{0,3}(ByteBuffer|\w{1,20}\s{0,3}[,)])/
    condition:
        filesize < 500KB and ((1 of ($s*) and ($h6 or 3 of ($h*))) or ($a1 and $a2) or (1 of ($s*) and ($h7 or $h8) and $in1 and $io) or
            (filesize < 64KB and $r1 and $r2 and $r3 and #r4 >= 4))
}

rule WSA_Jsp_Writer_RequestToFile
{
    meta:
        id = "WSA-JSP-022"
        description = "JSP uploader/writer: FileOutputStream/FileWriter/RandomAccessFile opened on a request-supplied path and fed request data"
        family = "Uploader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://owasp.org/www-community/vulnerabilities/Unrestricted_File_Upload"
        mitre_attack = "T1505.003"
    strings:
        // String path = request.getParameter("path"); new FileOutputStream(path).write(...)
        // (or a File made of it: File f = new File(request.getParameter("f")))
        $in = /[a-zA-Z_]\w{0,30}\s{0,5}=\s{0,5}(\([^)\r\n]{1,20}\)\s{0,3}|new\s{1,3}(java\.io\.)?(String|File)\s{0,3}\(\s{0,3})?(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader)\s{0,3}\(/
        // (the path a variable, or a variable under the web root: getRealPath("/") + p)
        $fo = /new\s{1,3}(java\.io\.)?(FileOutputStream|FileWriter|PrintWriter)\s{0,3}\(\s{0,3}((application|request|getServletContext\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}getRealPath\s{0,3}\([^()\r\n;]{0,40}\)\s{0,3}\+\s{0,3})?[a-zA-Z_]\w{0,30}\s{0,3}\)/
        $wr = /\.(write|print|println)\s{0,3}\(/
        // downloader: new URL(request.getParameter(..)).openStream() saved with FileOutputStream
        $u1 = /new\s{1,3}(java\.net\.)?URL\s{0,3}\(\s{0,3}(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader)/
        $u2 = "FileOutputStream"
        // the saved name generated (a timestamp or UUID) and its type from a list of image types:
        // an editor's remote-image grabber, which chooses neither the path nor the kind of file
        $gen = /(getTime|currentTimeMillis|randomUUID)\s{0,3}\(\s{0,3}\)/
        $img = /"\.(gif|png|jpe?g|bmp)"\s{0,3},\s{0,3}"\.(gif|png|jpe?g|bmp)"/ nocase
        // application code logs what it stores (a signature pad saving to a temp path its own
        // helper made); a planted writer does not
        $log = /getLogger\s{0,3}\(|\blog(ger)?\s{0,3}\.\s{0,3}(debug|info|warn|error)\s{0,3}\(/
    condition:
        filesize < 500KB and (($u1 and $u2) or (filesize < 6KB and $in and $fo and $wr and not ($gen and $img) and not $log))
}

rule WSA_Jsp_Jspx_Scriptlet_Exec
{
    meta:
        id = "WSA-JSP-023"
        description = "JSPX document whose jsp:scriptlet/jsp:declaration runs commands, loads classes or writes files from request data (XML form of a JSP shell, often used to bypass .jsp upload filters)"
        family = "JSPX shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://jakarta.ee/specifications/pages/"
        mitre_attack = "T1505.003"
    strings:
        $x1 = "jsp:scriptlet" ascii
        $x2 = "jsp:declaration" ascii
        $p1 = /getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec/
        $p2 = "ProcessBuilder" ascii
        $p3 = "defineClass" ascii
        $p4 = "FileOutputStream" ascii
        $p5 = "ScriptEngineManager" ascii
        $p6 = "forName" ascii
        $in = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader|getReader|getInputStream)/
    condition:
        filesize < 1MB and 1 of ($x*) and 1 of ($p*) and $in
}

rule WSA_Jsp_UnicodeEscaped_Source : conceals
{
    meta:
        id = "WSA-JSP-024"
        description = "JSP whose Java source is written as \\uXXXX escapes of plain ASCII letters (javac decodes them before parsing): hides exec/request calls from text search"
        family = "Obfuscated JSP"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://docs.oracle.com/javase/specs/jls/se8/html/jls-3.html#jls-3.3"
        mitre_attack = "T1505.003"
    strings:
        $u = /(\\u{1,6}00[2-7][0-9a-fA-F]){12}/
        $tag1 = "<%" ascii
        $tag2 = "jsp:" ascii
    condition:
        filesize < 1MB and $u and 1 of ($tag*)
}

rule WSA_Jsp_ShellToolkit_Traits
{
    meta:
        id = "WSA-JSP-025"
        description = "several independent web-shell tool-kit traits in one JSP: command execution, file upload/write/delete/rename, database console, shell-like page title, OS probing"
        family = "Generic file-manager shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $k1 = /<title>[^<]{0,80}(shell|jspy|jfolder|jfoler|hack|backdoor|jspdo|bypass|r00t|webadmin|\bspy\b)/ nocase ascii wide
        $k2 = /getRuntime\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}exec/ ascii wide
        $t1 = "FileOutputStream" ascii wide
        $t2 = "DriverManager" ascii wide
        $t3 = "listFiles" ascii wide
        $t4 = "renameTo" ascii wide
        $t5 = "getRealPath" ascii wide
        $t6 = "cmd.exe" nocase ascii wide
        $t7 = "/bin/sh" ascii wide
        $t8 = ".delete()" ascii wide
        $t9 = "os.name" ascii wide
        $t10 = "multipart/form-data" nocase ascii wide
        $t11 = /new\s{1,3}(java\.net\.)?Socket\s{0,3}\(/
        $t12 = "getParameter" ascii wide
        $t13 = "ProcessBuilder" ascii wide
        $t14 = "setLastModified" ascii wide
        $t15 = "getInputStream" ascii wide
        $t16 = "mkdir" ascii wide
        // JSP page markers (keeps the rule off PHP/ASP pages with similar titles)
        $j1 = "<%" ascii wide
        $j2 = "jsp:" ascii wide
    condition:
        filesize < 2MB and 1 of ($j*) and (($k1 and 1 of ($t*)) or ($k2 and 6 of ($t*)))
}

rule WSA_Jsp_DbDump_Tool
{
    meta:
        id = "WSA-JSP-026"
        description = "JSP database dumper/console: enumerates all tables of the connected database (information_schema, all_tables, user_tab_comments, SHOW CREATE TABLE) and writes them to files or lets the visitor run SQL"
        family = "Data-theft page"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://www.cisa.gov/news-events/cybersecurity-advisories/aa21-055a"
        mitre_attack = "T1505.003"
    strings:
        $c = "DriverManager.getConnection" ascii
        $t1 = "SHOW CREATE TABLE" nocase
        $t2 = "user_tab_comments" nocase
        $t3 = "from all_tables" nocase
        $t4 = "information_schema.tables" nocase
        $t5 = "Dumping data for table" nocase
        // the catalogue of other databases: Oracle's user and DBA views, SQL Server, PostgreSQL,
        // SQLite, or JDBC's own table listing
        $t6 = /from\s{1,3}(user_tables|dba_tables|user_tab_columns|all_tab_columns|sysobjects|sys\.tables|pg_tables|sqlite_master)/ nocase
        $t7 = /getMetaData\s{0,3}\(\s{0,3}\)\s{0,3}\.\s{0,3}getTables\s{0,3}\(/
        $o1 = "FileOutputStream" ascii
        $o2 = /getParameter\s{0,3}\(\s{0,3}"(sql|table|oraUrl|conUrl|dbUrl)"/ nocase
    condition:
        filesize < 500KB and $c and 1 of ($t*) and 1 of ($o*)
}

rule WSA_Jsp_FileBrowser_RequestPath
{
    meta:
        id = "WSA-JSP-027"
        description = "JSP file browser/editor: java.io.File built straight from a request parameter and then listed, read, renamed or deleted; or a hand-written multipart parser saving the client file name"
        family = "Generic file-manager shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://owasp.org/www-community/attacks/Path_Traversal"
        mitre_attack = "T1505.003"
    strings:
        $f = /new\s{1,3}(java\.io\.)?File\s{0,3}\(\s{0,3}(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader)/
        // or through a variable, in a small page: String d = request.getParameter("d"); new File(d)
        $in = /[a-zA-Z_]\w{0,30}\s{0,5}=\s{0,5}(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}(getParameter|getHeader)\s{0,3}\(/
        $fv = /new\s{1,3}(java\.io\.)?File\s{0,3}\(\s{0,3}[a-zA-Z_]\w{0,30}\s{0,3}\)/
        $o1 = "listFiles" ascii
        $o2 = "FileInputStream" ascii
        $o3 = ".delete()" ascii
        $o4 = "renameTo" ascii
        $m1 = /(request|getRequest\s{0,3}\(\s{0,3}\))\s{0,3}\.\s{0,3}getInputStream/
        $m2 = "filename=\"" ascii
        $m3 = /new\s{1,3}(java\.io\.)?FileOutputStream\s{0,3}\(/
        $m4 = "boundary" ascii nocase
    condition:
        filesize < 500KB and (($f and 2 of ($o*)) or (filesize < 10KB and all of ($m*)) or
        (filesize < 10KB and $in and $fv and 3 of ($o*)))
}
