/*
  SOCKS/TCP-over-HTTP tunnels: reGeorg, Tunna and relatives.
*/

rule WSA_Aspx_Tunnel_SocketVerbs
{
    meta:
        id = "WSA-ASPX-050"
        description = "ASP.NET page keeps a TCP socket in Session/Application and relays it on CONNECT/FORWARD/READ/DISCONNECT commands, or on any verbs the request gives when it takes the socket back out of the state: reGeorg-style HTTP tunnel"
        family = "reGeorg"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/sensepost/reGeorg"
        mitre_attack = "T1505.003"
    strings:
        $s1 = "System.Net.Sockets" nocase
        $s2 = /new\s{1,3}Socket\s{0,3}\(/ nocase
        $v1 = "\"CONNECT\""
        $v2 = "\"DISCONNECT\""
        $v3 = "\"FORWARD\""
        $v4 = "\"READ\""
        $h1 = "X-STATUS" nocase
        $h2 = "X-ERROR" nocase
        $kept1 = /Session\s{0,3}\[/ nocase
        $kept2 = /Application\s{0,3}\[/ nocase
        // whatever the verbs: the socket taken back out of the state by a cast, driven by the
        // request and read or written
        $cast = /\(\s{0,3}(Socket|TcpClient|NetworkStream)\s{0,3}\)\s{0,3}(Session|Application)\s{0,3}\[/
        $io = /\.\s{0,3}(Receive|Send)\s{0,3}\(/
        $req = /Request\s{0,3}\.\s{0,3}(Headers|Form|QueryString|InputStream|BinaryRead|Params)\b/
    condition:
        filesize < 300KB and any of ($s*) and any of ($kept*) and (3 of ($v*) or ($h1 and $h2) or ($cast and $io and $req))
}

rule WSA_Aspx_Tunnel_Tunna
{
    meta:
        id = "WSA-ASPX-052"
        description = "Tunna-style tunnel page: ?proxy / file / upload / close query switches with a non-blocking socket kept in Session"
        family = "Tunna"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/SECFORCE/Tunna"
        mitre_attack = "T1505.003"
    strings:
        $q1 = /QueryString\s{0,3}\[\s{0,3}["']proxy["']/ nocase
        $q2 = /Request\s{0,3}\[\s{0,3}["']proxy["']/ nocase
        $q3 = "[Server]"
        $s1 = "Socket" nocase
        $s2 = /Session\s{0,3}\[\s{0,3}["'](socket|running)["']/ nocase
        $s3 = "Blocking" nocase
    condition:
        filesize < 300KB and any of ($q*) and 2 of ($s*)
}

rule WSA_Aspx_Sniffer_RawSocket
{
    meta:
        id = "WSA-ASPX-053"
        description = "ASP.NET page opens a raw IP socket in promiscuous mode (SocketType.Raw + IOControl ReceiveAll): network sniffer run through the web server"
        family = "Web sniffer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $r = "SocketType.Raw" nocase
        $i = "ReceiveAll" nocase
        $m1 = "<%@" nocase
        $m2 = /runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 500KB and any of ($m*) and $r and $i
}

rule WSA_Aspx_Tunnel_RequestSocketRelay
{
    meta:
        id = "WSA-ASPX-140"
        description = "ASP.NET page opens a TCP connection to a host the request names, keeps it in Session/Application and relays request bytes into it and its bytes into the response: an HTTP tunnel of any verb set (reGeorg, suo5 and their rewrites)"
        family = "Tunnel"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $s = /new\s{1,3}(System\.Net\.Sockets\.)?(TcpClient|Socket)\s{0,3}\(/
        // the peer comes from the request (a header, a form field, the query)
        $h = /(TcpClient|Connect|ConnectAsync|IPEndPoint|GetHostAddresses|GetHostEntry|IPAddress\.Parse)\s{0,3}\([^;\n]{0,80}Request/
        $kept = /(Session|Application)\s{0,3}\[/
        $in = /BinaryRead\s{0,3}\(|Request\s{0,3}\.\s{0,3}InputStream|GetBufferlessInputStream/
        $out = /BinaryWrite\s{0,3}\(|OutputStream\s{0,3}\.\s{0,3}Write\s{0,3}\(/
    condition:
        filesize < 300KB and $s and $h and $kept and $in and $out
}
