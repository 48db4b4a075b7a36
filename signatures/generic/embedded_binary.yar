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

rule WSA_Gen_Dropper_DecodedExecutable
{
    meta:
        id = "WSA-GEN-033"
        description = "A server page (PHP, ASP, ASP.NET or JSP) whose encoded or compressed literal decodes to a Windows or Linux executable (the decode stage keeps such a layer's headers): a dropper that writes a packed program to disk and runs it, the reverse-connect binaries of shell kits among them"
        family = "Dropper"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://attack.mitre.org/techniques/T1105/"
        mitre_attack = "T1505.003"
    strings:
        // the DOS stub every PE linker writes, and an ELF header (class, data, version 1)
        $dos = "This program cannot be run in DOS mode"
        $elf = { 7F 45 4C 46 (01 | 02) (01 | 02) 01 }
        $tag = /<\?|<%|runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        // a layer starts with the page's head (its open tag), or with the program when the
        // payload was the page's first literal; a program file (.exe) is not a page
        filesize < 8MB and ($tag or uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and
        ($dos or $elf) and
        (extension matches /^\.(php\d?|phtml|pht|inc|asp|asa|cer|cdx|aspx|ashx|asmx|ascx|cshtml|jsp|jspx|jspf)$/i)
}

rule WSA_Gen_Dropper_PowerShellCradle
{
    meta:
        id = "WSA-GEN-031"
        description = "A server page (PHP, ASP, ASP.NET or JSP) that starts a process with a PowerShell download cradle (IEX of WebClient.DownloadString, Invoke-WebRequest piped to IEX) or an encoded PowerShell command: a fixed-command stager, the page needs no request input to hand the host to its author"
        family = "Dropper"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
        mitre_attack = "T1505.003"
    strings:
        $c1 = /(IEX|Invoke-Expression)[ \t]{0,3}\(?[ \t]{0,3}\(?[ \t]{0,3}New-Object[ \t]{1,3}(System\.)?Net\.WebClient[ \t]{0,3}\)?[ \t]{0,3}\.[ \t]{0,3}Download(String|Data)/ nocase
        $c2 = /Download(String|Data)[ \t]{0,3}\([^)\r\n]{4,200}\)[ \t]{0,3}\|[ \t]{0,3}(IEX|Invoke-Expression)/ nocase
        $c3 = /(Invoke-WebRequest|iwr|Invoke-RestMethod|irm)[ \t][^\r\n|]{4,200}\|[ \t]{0,3}(IEX|Invoke-Expression)/ nocase
        $c4 = /powershell(\.exe)?[^\r\n]{0,80}[ \t]-(e|ec|en|enc|enco|encod|encode|encodedcommand)[ \t]{1,3}[A-Za-z0-9+\/]{40}/ nocase
        // started by the page: a shell object, a process API or a command function
        $x = /WScript\.Shell|Shell\.Application|\.Exec[ \t]{0,3}\(|Process\.Start|ProcessStartInfo|Runtime\.getRuntime|ProcessBuilder|shell_exec|passthru|proc_open|popen[ \t]{0,3}\(|[^\w>:$.](system|exec)[ \t]{0,3}\(/ nocase
        $tag = /<\?|<%|runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and $tag and any of ($c*) and $x
}

rule WSA_Gen_ReverseShell_CommandLine
{
    meta:
        id = "WSA-GEN-032"
        description = "A server page (PHP, ASP, ASP.NET or JSP) holding a reverse-shell command line: bash -i to /dev/tcp/HOST/PORT, nc or ncat with -e/-c and a shell, a FIFO piped through nc, socat exec, or the python/perl socket one-liners: the page hands an interactive shell to a fixed address, whatever function it uses to start it"
        family = "Reverse shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1059/004/"
        mitre_attack = "T1505.003"
    strings:
        $r1 = /\/dev\/(tcp|udp)\/[0-9A-Za-z.\-]{3,64}\/\d{1,5}/
        $r2 = /\bnc(at)?(\.exe)?[ \t]{1,4}(-[a-z]{1,4}[ \t]{1,4}){0,3}-[ec][ \t]{1,4}['"]?(\/bin\/)?(ba|z|da)?sh\b/
        $r3 = /mkfifo[ \t]{1,4}\/tmp\/[^;|\r\n]{1,40}[;|][^\r\n]{0,120}\bnc(at)?\b/
        $r4 = /socat[ \t][^\r\n]{0,80}exec:['"]?(\/bin\/)?(ba)?sh/ nocase
        // python's and perl's socket one-liners, by the step that ties the shell to the socket
        $r5 = /os\.dup2\(\s{0,2}\w{1,8}\.fileno\(\)|pty\.spawn\(\s{0,2}["'](\/bin\/)?(ba)?sh/
        $r6 = /open\s{0,2}\(\s{0,2}STDIN\s{0,2},\s{0,2}["']>&/
        $tag = /<\?|<%|runat\s{0,3}=\s{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and $tag and any of ($r*)
}
