/*
  Classic ASP capability rules: request data reaching Execute/Eval when the code string is built at
  run time (character codes, literal pieces, arrays), keywords and ProgIDs split into literal pieces,
  and code hidden behind an image header. Written for what the page does, not for one sample.
*/

rule WSA_Asp_Eval_RuntimeBuiltCode
{
    meta:
        id = "WSA-ASP-030"
        description = "Classic ASP hands Eval/Execute/ExecuteGlobal a string assembled at run time - a chain of tiny literal pieces, Chr() codes that spell Request(/Request. or eval(/execute, or an Array joined back together: Chopper-style one-liner with its text hidden"
        family = "Obfuscated eval"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://attack.mitre.org/software/S0020/"
        mitre_attack = "T1505.003"
    strings:
        $ev = /[^a-z0-9_.](eval|execute|executeglobal)\b/ nocase
        // eval("e"&"v"&"a"&"l"&"("&"r"&...) : five or more pieces of at most three characters
        $p1 = /[^a-z0-9_.](eval|execute|executeglobal)[ \t(]{1,4}("[^"\r\n]{0,3}"[ \t]{0,2}[&+][ \t]{0,2}){5}/ nocase
        // Request( / Request.x spelled with Chr codes (a licence check reads Request.ServerVariables)
        $c1 = /chrw?\(\s{0,2}(114|82)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(101|69)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(113|81)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(117|85)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(101|69)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(115|83)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(116|84)\s{0,2}\)(\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(40|46\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(102|70|105|73|113|81|98|66))\s{0,2}\)|\s{0,2}\)\s{0,2}\()/ nocase
        $c2 = /chrw?\(\s{0,2}(101|69)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}((118|86)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(97|65)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(108|76)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(40|32)\s{0,2}\)|(120|88)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(101|69)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(99|67)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(117|85)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(116|84)\s{0,2}\)\s{0,3}[&+]\s{0,3}chrw?\(\s{0,2}(101|69)\s{0,2}\))/ nocase
        // Execute(Join(Array(...))) or an Array of the letters of request/execute/eval
        $j1 = /(eval|execute|executeglobal)[ \t(]{1,4}join[ \t]{0,2}\([ \t]{0,2}array[ \t]{0,2}\(/ nocase
        $j2 = /array[ \t]{0,2}\([ \t]{0,2}"?(114|82|r)"?[ \t]{0,2},[ \t]{0,2}"?(101|69|e)"?[ \t]{0,2},[ \t]{0,2}"?(113|81|q)"?[ \t]{0,2},/ nocase
        $j3 = /array[ \t]{0,2}\([ \t]{0,2}"?(101|69|e)"?[ \t]{0,2},[ \t]{0,2}"?(120|88|118|86|x|v)"?[ \t]{0,2},[ \t]{0,2}"?(101|69|97|65|e|a)"?[ \t]{0,2},/ nocase
        // a request read that literal pieces and character codes spell: the fold layer writes
        // each string it glues on a line of its own (no page writes its code as text to run)
        $v = /\n[ \t]{0,4}request[ \t]{0,2}(\.[ \t]{0,2}(form|querystring|item|cookies)[ \t]{0,2})?\([ \t]{0,2}"[^"\r\n]{1,40}"[ \t]{0,2}\)[ \t]{0,2}(\r?\n|$)/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 1MB and any of ($tag*) and ($p1 or $j1 or ($ev and any of ($c*, $j2, $j3, $v)))
}

rule WSA_Asp_Evasion_SplitKeyword : conceals
{
    meta:
        id = "WSA-ASP-031"
        description = "Classic ASP spells request, execute, eval or a dangerous COM ProgID (WScript.Shell, Scripting.FileSystemObject, Shell.Application, WScript.Network) as concatenated literal pieces, or any ProgID in character codes: keyword splitting to evade signatures (stock upload classes split only ADODB.Stream/Dictionary, which this ignores)"
        family = "Obfuscated COM creation"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $k1_0 = /"r"[ \t]{0,2}[&+][ \t]{0,2}"e("[ \t]{0,2}[&+][ \t]{0,2}")?q("[ \t]{0,2}[&+][ \t]{0,2}")?u|"re"[ \t]{0,2}[&+][ \t]{0,2}"q("[ \t]{0,2}[&+][ \t]{0,2}")?u("[ \t]{0,2}[&+][ \t]{0,2}")?e|"req"[ \t]{0,2}[&+][ \t]{0,2}"u("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?s/ nocase
        $k1_1 = /"requ"[ \t]{0,2}[&+][ \t]{0,2}"e("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?t|"reque"[ \t]{0,2}[&+][ \t]{0,2}"s("[ \t]{0,2}[&+][ \t]{0,2}")?t|"reques"[ \t]{0,2}[&+][ \t]{0,2}"t/ nocase
        $k2_0 = /"e"[ \t]{0,2}[&+][ \t]{0,2}"x("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?c|"ex"[ \t]{0,2}[&+][ \t]{0,2}"e("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?u|"exe"[ \t]{0,2}[&+][ \t]{0,2}"c("[ \t]{0,2}[&+][ \t]{0,2}")?u("[ \t]{0,2}[&+][ \t]{0,2}")?t/ nocase
        $k2_1 = /"exec"[ \t]{0,2}[&+][ \t]{0,2}"u("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?e|"execu"[ \t]{0,2}[&+][ \t]{0,2}"t("[ \t]{0,2}[&+][ \t]{0,2}")?e|"execut"[ \t]{0,2}[&+][ \t]{0,2}"e/ nocase
        $k3_0 = /"e"[ \t]{0,2}[&+][ \t]{0,2}"v("[ \t]{0,2}[&+][ \t]{0,2}")?a|"ev"[ \t]{0,2}[&+][ \t]{0,2}"a("[ \t]{0,2}[&+][ \t]{0,2}")?l|"eva"[ \t]{0,2}[&+][ \t]{0,2}"l/ nocase
        // CreateObject("WScr" & "ipt.Shell"): a dangerous ProgID written in literal pieces
        $p1 = /CreateObject[ \t]{0,2}\([ \t]{0,2}"w("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?r("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?p("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?\.("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?h("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?l("[ \t]{0,2}[&+][ \t]{0,2}")?l/ nocase
        $p2 = /CreateObject[ \t]{0,2}\([ \t]{0,2}"s("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?r("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?p("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?n("[ \t]{0,2}[&+][ \t]{0,2}")?g("[ \t]{0,2}[&+][ \t]{0,2}")?\.("[ \t]{0,2}[&+][ \t]{0,2}")?f("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?l("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?y("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?m("[ \t]{0,2}[&+][ \t]{0,2}")?o("[ \t]{0,2}[&+][ \t]{0,2}")?b("[ \t]{0,2}[&+][ \t]{0,2}")?j("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?t/ nocase
        $p3 = /CreateObject[ \t]{0,2}\([ \t]{0,2}"s("[ \t]{0,2}[&+][ \t]{0,2}")?h("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?l("[ \t]{0,2}[&+][ \t]{0,2}")?l("[ \t]{0,2}[&+][ \t]{0,2}")?\.("[ \t]{0,2}[&+][ \t]{0,2}")?a("[ \t]{0,2}[&+][ \t]{0,2}")?p("[ \t]{0,2}[&+][ \t]{0,2}")?p("[ \t]{0,2}[&+][ \t]{0,2}")?l("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?a("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?o("[ \t]{0,2}[&+][ \t]{0,2}")?n/ nocase
        $p4 = /CreateObject[ \t]{0,2}\([ \t]{0,2}"w("[ \t]{0,2}[&+][ \t]{0,2}")?s("[ \t]{0,2}[&+][ \t]{0,2}")?c("[ \t]{0,2}[&+][ \t]{0,2}")?r("[ \t]{0,2}[&+][ \t]{0,2}")?i("[ \t]{0,2}[&+][ \t]{0,2}")?p("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?\.("[ \t]{0,2}[&+][ \t]{0,2}")?n("[ \t]{0,2}[&+][ \t]{0,2}")?e("[ \t]{0,2}[&+][ \t]{0,2}")?t("[ \t]{0,2}[&+][ \t]{0,2}")?w("[ \t]{0,2}[&+][ \t]{0,2}")?o("[ \t]{0,2}[&+][ \t]{0,2}")?r("[ \t]{0,2}[&+][ \t]{0,2}")?k/ nocase
        // ...or a ProgID spelt in character codes, `CreateObject(Chr(87)&Chr(83)&..)`: no page
        // hides the name of the object it creates but to dodge a scanner
        $pc = /CreateObject[ \t]{0,2}\([ \t]{0,2}\(?[ \t]{0,2}Chrw?[ \t]{0,2}\([ \t]{0,2}(&h)?[0-9a-f]{1,4}[ \t]{0,2}\)[ \t]{0,2}[&+][ \t]{0,2}Chrw?[ \t]{0,2}\(/ nocase
        // FileSystemObject split is how CMSes dodged hosts that banned the name: it counts only
        // on a page that changes files (a CMS's disk-usage page only reads folder sizes)
        $fsox = /\.(CreateTextFile|OpenTextFile|DeleteFile|DeleteFolder|CopyFile|MoveFile|CopyFolder|MoveFolder|SaveToFile)[ \t]{0,2}[( ]|\.attributes[ \t]{0,2}=|Shell\.Application/ nocase
        // ...and that stands alone: a CMS's upload class sits in pages that include the site's own
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
        // ...or is one: an upload class parsing the posted body, whose helpers make the folder
        // and move the file it saved
        $ucls = /[\r\n][ \t]{0,8}Class[ \t]{1,3}\w{1,40}[ \t]{0,8}[\r\n]/ nocase
        $ubin = /Request\.BinaryRead[ \t]{0,2}\([ \t]{0,2}Request\.TotalBytes/ nocase
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 2MB and any of ($tag*) and (any of ($k*) or $pc or
            for any i in (1..#p1) : (!p1[i] > 31) or (for any i in (1..#p2) : (!p2[i] > 44) and $fsox and not $ssi and not ($ucls and $ubin)) or
            for any i in (1..#p3) : (!p3[i] > 35) or for any i in (1..#p4) : (!p4[i] > 33))
}

rule WSA_Asp_ImageHeader_ServerCode
{
    meta:
        id = "WSA-ASP-032"
        description = "File that starts as an image (GIF89a/GIF87a, PNG or JPEG header) yet carries classic-ASP server code that reads the request and evaluates, writes files or creates COM objects: image-polyglot shell planted to pass upload checks"
        family = "Image polyglot"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-03"
        reference = "https://owasp.org/www-community/vulnerabilities/Unrestricted_File_Upload"
        mitre_attack = "T1505.003"
    strings:
        $g1 = "GIF89a"
        $g2 = "GIF87a"
        $png = { 89 50 4E 47 0D 0A 1A 0A }
        $jpg = { FF D8 FF }
        $open = /<%[^@%]/
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $rq = /request[ \t]{0,2}(\.[ \t]{0,2}(form|querystring|item|cookies)[ \t]{0,2})?[\(\[]/ nocase
        $s1 = /[^a-z0-9_.](eval|execute|executeglobal)\b/ nocase
        $s2 = /CreateTextFile|OpenTextFile|SaveToFile/ nocase
        $s3 = /CreateObject[ \t]{0,2}\(/ nocase
        // or a fixed command: WScript.Shell run from inside an image
        $w = /CreateObject[ \t]{0,2}\([ \t]{0,2}["']WScript\.Shell["'][ \t]{0,2}\)[ \t]{0,2}\.[ \t]{0,2}(Exec|Run)\b/ nocase
    condition:
        filesize < 2MB and ($g1 at 0 or $g2 at 0 or $png at 0 or $jpg at 0) and ($open or $tagr) and (($rq and any of ($s*)) or $w)
}

rule WSA_Asp_Writer_RequestNamedFile
{
    meta:
        id = "WSA-ASP-033"
        description = "Classic ASP writes text taken from the request into a file whose name or folder also comes from the request, with no application session or include around it: remote file writer (often password-gated) that plants pages and shells on demand"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        // the content: request data written as is (ADODB.Stream .WriteText = request(..), FSO .Write request(..))
        $body = /\.write(text|line)?[ \t]{0,3}=?[ \t]{0,3}\(?[ \t]{0,3}request[ \t]{0,3}(\.form|\.querystring|\.item|\.cookies)?[ \t]{0,3}\(/ nocase
        // the target: a path concatenated from a variable, not a literal name
        $save = /\.(SaveToFile|CreateTextFile|OpenTextFile)[ \t(]{1,3}[^\r\n&]{0,60}&[ \t]{0,3}([^\r\n&]{0,20}&[ \t]{0,3}){0,3}[a-z_]\w{0,30}/ nocase
        // ... and some variable holding a file name, path or folder read from the request
        $name = /[a-z_]\w{0,30}[ \t]{0,3}=[ \t]{0,3}(trim[ \t]{0,2}\(|cstr[ \t]{0,2}\()?request[ \t]{0,3}(\.form|\.querystring|\.item|\.cookies)?[ \t]{0,3}\([ \t]{0,3}"\w{0,12}(file|path|name|dir|folder|fn)\w{0,12}"/ nocase
        // pages of an application: a session check or an include of its own code
        $sess = /session[ \t]{0,2}\([ \t]{0,2}"/ nocase
        $inc = "#include" nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 64KB and ($tag or $tagr) and $body and $save and $name and not $sess and not $inc
}

rule WSA_Asp_SeoParasite_RemoteContent
{
    meta:
        id = "WSA-ASP-034"
        description = "Classic ASP page sends the visited host and page to a remote server named in a literal and writes the answer back to the visitor: remote-controlled content injector (SEO parasite or cloaking doorway) planted in a web root"
        family = "SEO parasite"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $http = /CreateObject[ \t]{0,2}\([ \t]{0,2}"(msxml2\.)?(server)?xmlhttp/ nocase
        $remote = /=[ \t]{0,3}"https?:\/\/[a-z0-9.-]{4,64}(:\d{2,5})?\/?[^"\r\n]{0,60}"/ nocase
        $host = /servervariables[ \t]{0,2}\([ \t]{0,2}"(http_host|server_name)"/ nocase
        $page = /servervariables[ \t]{0,2}\([ \t]{0,2}"(script_name|url|path_info|query_string|http_x_original_url|http_x_rewrite_url)"/ nocase
        // the remote answer goes back to the visitor as the page
        $out = /response\.(binary)?write[ \t(]{1,3}[a-z_]\w{0,30}[ \t]{0,3}\)?[ \t]{0,3}(\r|\n|:|%)/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        // the visited address is built from host and page together (one apart from the other is a
        // cookie domain and a path check, as in any login page). The first 32 host reads are
        // looked at: nested loops over both lists cost the cube of the file (2.3 s at 64 KB).
        filesize < 64KB and ($tag or $tagr) and $http and $remote and $out and
        for any i in (1..32) : ($page in (@host[i] - 299 .. @host[i] + 299))
}

rule WSA_Asp_Writer_MswcProcessForm
{
    meta:
        id = "WSA-ASP-035"
        description = "Classic ASP drives the IIS MSWC.Tools component's ProcessForm with an output file that is not a literal, in a page that reads the request: ProcessForm writes any file from a template, a file writer used by index-replacing defacement tools"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://learn.microsoft.com/en-us/previous-versions/iis/6.0-sdk/ms525281(v=vs.90)"
        mitre_attack = "T1505.003"
    strings:
        $tools = /CreateObject[ \t]{0,2}\([ \t]{0,2}"MSWC\.Tools"/ nocase
        // ProcessForm OutputFile, TemplateFile: the output named by a variable or a request value
        $pf = /\.ProcessForm[ \t(]{1,3}(request|[a-z_]\w{0,30}[ \t]{0,3}[,&)])/ nocase
        $rq = /request[ \t]{0,2}(\.form|\.querystring|\.item|\.cookies)?[ \t]{0,2}\(/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 1MB and ($tag or $tagr) and $tools and $pf and $rq
}

rule WSA_Asp_RemoteCode_FetchAndExecute
{
    meta:
        id = "WSA-ASP-036"
        description = "Classic ASP fetches text over HTTP (ServerXMLHTTP/XMLHTTP responseText or responseBody) and runs a variable with Execute/ExecuteGlobal/Eval: a loader whose real code lives on the attacker's server (often cached in Session)"
        family = "Remote code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $http = /CreateObject[ \t]{0,2}\([ \t]{0,2}"(msxml2\.|microsoft\.)?(server)?xmlhttp/ nocase
        $resp = /\.(responseText|responseBody)\b/ nocase
        // Execute of a variable as a statement (line start, after ':' or '<%'; `x = Execute(..)`
        // is a function of the application, not the statement) or Eval of a variable; neither
        // SQL text nor a word in a comment
        // (the variable, or the fetching object's own answer: ExecuteGlobal http.responseText)
        $exec = /[\r\n:%][ \t]{0,16}(execute|executeglobal)[ \t(]{1,3}[a-z_]\w{0,30}(\.(responseText|responseBody))?[ \t]{0,3}\)?[ \t]{0,3}(\r|\n|%>|:)/ nocase
        $eval = /[=(][ \t]{0,3}eval[ \t]{0,3}\([ \t]{0,3}[a-z_]\w{0,30}(\.(responseText|responseBody))?[ \t]{0,3}\)/ nocase
        $sql = /[\r\n:%][ \t]{0,16}(execute|executeglobal)[ \t(]{1,3}\w{0,8}(sql|query)/ nocase
        $decl = /(function|sub)[ \t]{1,3}(eval|execute|executeglobal)[ \t]{0,3}\(/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 256KB and ($tag or $tagr) and $http and $resp and (#exec > #sql or $eval) and not $decl and
        // a loader is a small page; in a larger one (an XML-RPC library: an HTTP client here, a
        // dispatcher eval of a method name there) the run must be near one of the first fetches
        // (a fixed count of them: a loop over every pair would cost their product)
        (filesize < 8KB or
         for any i in (1..16) : (
             $eval in (@resp[i] - 2048 .. @resp[i] + 2048) or $exec in (@resp[i] - 2048 .. @resp[i] + 2048)))
}

rule WSA_Asp_Sql_CmdShellFromRequest
{
    meta:
        id = "WSA-ASP-038"
        description = "Classic ASP builds an xp_cmdshell (or sp_oacreate/sp_oamethod) call from request data and runs it through its database connection: an operating-system command shell by way of SQL Server"
        family = "Generic SQL shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://learn.microsoft.com/en-us/sql/relational-databases/system-stored-procedures/xp-cmdshell-transact-sql"
        mitre_attack = "T1505.003"
    strings:
        // "exec master..xp_cmdshell '" & Request.Form("cmd") & "'"
        $x1 = /(xp_cmdshell|sp_oamethod)[^\r\n"]{0,30}["'][ \t]{0,2}[&+][ \t]{0,2}(trim[ \t]{0,2}\()?request/ nocase
        // ... xp_cmdshell '" & cmd & "'" with cmd = Request("cmd") in the lines just before
        $x2 = /(xp_cmdshell|sp_oamethod)[^\r\n"]{0,30}["'][ \t]{0,2}[&+][ \t]{0,2}[a-z_]\w{0,20}[ \t]{0,2}[&+]/ nocase
        $in = /[a-z_]\w{0,20}[ \t]{0,2}=[ \t]{0,2}(trim[ \t]{0,2}\()?request[ \t]{0,2}(\.form|\.querystring|\.cookies)?[ \t]{0,2}\(/ nocase
        $ex = /\.execute[ \t]{0,2}[( ]/ nocase
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        filesize < 1MB and ($tag or $tagr) and $ex and ($x1 or (#x2 < 16 and #in < 256 and
            for any i in (1..#x2) : (for any j in (1..#in) : (@in[j] < @x2[i] and @x2[i] - @in[j] < 400))))
}

rule WSA_Asp_SeoRelay_RemotePage
{
    meta:
        id = "WSA-ASP-040"
        description = "A small classic-ASP page that fetches a hard-coded remote address with its own query string appended (ServerXMLHTTP) and writes the answer as its own page: the doorway/SEO-spam relay planted on compromised IIS sites"
        family = "SEO spam relay"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-04"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $base = /\w{1,30}\s{0,3}=\s{0,3}"https?:\/\/[^"\s\/]{4,80}[^"\s]{0,80}"/ nocase
        $relay = /\w{1,30}\s{0,3}&\s{0,3}("[?&\/][^"]{0,40}"\s{0,3}&\s{0,3})?Request\.(QueryString|ServerVariables\s{0,3}\(\s{0,3}"(QUERY_STRING|URL|PATH_INFO|HTTP_URL)")/ nocase
        $http = /(Msxml2|Microsoft|WinHttp)\.(Server)?(XMLHTTP|WinHttpRequest)/ nocase
        // the answer itself is written out: a fetching function's result or the response text
        $write = /Response\.(Write|BinaryWrite)\s{0,3}\(?\s{0,3}\w{1,40}(\s{0,3}\(|\.Response(Text|Body))/ nocase
        $tag = "<%" ascii
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
    condition:
        // the query string is appended after the address is set (an error logger that copies the
        // query string into its report and posts it elsewhere relays nothing)
        filesize < 16KB and ($tag or $tagr) and $http and $write and
        for any i in (1..#base) : (for any j in (1..#relay) : (@relay[j] > @base[i] and @relay[j] - @base[i] < 2000))
}

rule WSA_Asp_Recon_LocalAccounts
{
    meta:
        id = "WSA-ASP-042"
        description = "Classic-ASP page binds the local machine's account database through ADSI (GetObject of WinNT:// the local host) and walks it listing users or groups: account reconnaissance page left by an intruder"
        family = "Reconnaissance page"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://attack.mitre.org/techniques/T1087/001/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $g = /GetObject\s{0,3}\(\s{0,3}"WinNT:\/\/(127\.0\.0\.1|localhost|\.)?["\/,]/ nocase
        $g2 = /GetObject\s{0,3}\(\s{0,3}"WinNT:\/\/"\s{0,3}&\s{0,3}\w{0,40}(ComputerName|Server_Name|LOCAL_ADDR|SERVER_NAME|\.Network)/ nocase
        $walk = /For\s{1,3}Each\s{1,3}\w{1,30}\s{1,3}In\s{1,3}\w{1,30}/ nocase
        $cls = /\.Class\s{0,3}=\s{0,3}"(User|Group)"/ nocase
    condition:
        filesize < 200KB and ($tag or $tagr) and ($g or $g2) and $walk and $cls
}

rule WSA_Asp_Exec_ShellApplicationOrScriptlet
{
    meta:
        id = "WSA-ASP-140"
        description = "classic ASP runs what the request says through other COM doors than WScript.Shell: Shell.Application's ShellExecute, or a scriptlet loaded with GetObject(\"script:...\") from a request-given address"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/windows/win32/shell/shell-shellexecute"
        mitre_attack = "T1505.003"
    strings:
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $sa = /CreateObject[ \t]{0,3}\([ \t]{0,3}["']Shell\.Application["']/ nocase
        $se = /\.ShellExecute([ \t]{1,3}|[ \t]{0,3}\()/ nocase
        $sc = /GetObject[ \t]{0,3}\([ \t]{0,3}["']script:["']?[ \t]{0,3}&?[ \t]{0,3}[^)\r\n]{0,40}request/ nocase
        $req = /request[ \t]{0,3}(\.[ \t]{0,2}(form|querystring|item|cookies|servervariables))?[ \t]{0,3}[\(\[]/ nocase
    condition:
        filesize < 200KB and any of ($tag*) and (($sa and $se and $req) or $sc)
}

rule WSA_Asp_Wmi_ProcessCreate
{
    meta:
        id = "WSA-ASP-141"
        description = "classic ASP or ASP.NET page starts a process through WMI (Win32_Process.Create, winmgmts or ManagementClass.InvokeMethod(\"Create\")) with request data: a command shell that never names WScript.Shell or Process"
        family = "Generic command execution of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/create-method-in-class-win32-process"
        mitre_attack = "T1505.003"
    strings:
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $w = "Win32_Process" nocase
        // the Create method: invoked by name, called on the class object, or given the request
        $c1 = /InvokeMethod[ \t]{0,3}\([ \t]{0,3}"Create"/ nocase
        $c2 = /Win32_Process["'][ \t]{0,3}\)[ \t]{0,3}\.[ \t]{0,3}Create[ \t]{0,3}[( ]/ nocase
        $c3 = /\.[ \t]{0,3}Create[ \t]{0,3}[( ][ \t]{0,3}[^)\r\n]{0,60}request/ nocase
        $req = /request[ \t]{0,3}(\.[ \t]{0,2}(form|querystring|item|cookies|servervariables|headers|params))?[ \t]{0,3}[\(\[]/ nocase
    condition:
        filesize < 500KB and any of ($tag*) and $w and $req and any of ($c*)
}

rule WSA_Asp_Execute_RequestInCodeLiteral
{
    meta:
        id = "WSA-ASP-142"
        description = "classic ASP Eval/Execute/ExecuteGlobal of a string that carries the request call inside a literal (Eval n & \"(Request(\"\"p\"\"))\"): the code to run is assembled at run time around request data, whatever spells the keyword"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/previous-versions/windows/internet-explorer/ie-developer/scripting-articles/0z5x4094(v=vs.84)"
        mitre_attack = "T1505.003"
    strings:
        // 60 characters to the `&`, not 120: a run of `Execute(` on one line cost 2.5 s of CPU
        // at 1 MB (budget 2 s); the pages this rule finds join the request within 40
        $tag1 = "<%"
        $tag2 = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // not a method (`conn.Execute(sql)`): the VBScript statement or function itself, the
        // literal appended (`&`) within the statement (not a `<%# Eval(..) %>` binding's line)
        // ...with the key spelled in the literal (`Request(""p"")`, `Request(""" & k & """)`):
        // `Eval(filter & "(Request.Form(v))")` passes a helper's own variable to a function the
        // helper's caller named (a CMS's input filter), the request value as data
        $x = /(^|[^.\w])(Eval|Execute|ExecuteGlobal)[ \t(]{1,3}[^\r\n%]{0,60}&[ \t]{0,3}"[^"\r\n]{0,60}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item|Cookies))?[ \t]{0,2}\([ \t]{0,2}"/ nocase
    condition:
        filesize < 500KB and any of ($tag*) and $x
}

rule WSA_Asp_Reader_RequestPathFile
{
    meta:
        id = "WSA-ASP-143"
        description = "classic ASP reads the file at a path the request gives, as given and not mapped into the site (ADODB.Stream.LoadFromFile, FileSystemObject.OpenTextFile of a raw request value), and sends it: a reader of any file the worker can open (global.asa, databases, configuration elsewhere on the disk)"
        family = "Config grabber"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1005/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        // a raw request value: Server.MapPath(Request(..)) stays inside the site (a page showing
        // one of the site's files), an absolute path from the request does not
        $r1 = /\.LoadFromFile[ \t(]{1,3}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item))?[ \t]{0,2}\(/ nocase
        $r2 = /OpenTextFile[ \t]{0,2}\([ \t]{0,2}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item))?[ \t]{0,2}\(/ nocase
        $out = /Response\.(BinaryWrite|Write)/ nocase
        // a page of an application (it includes the site's own files: a forum's download or
        // admin page) is not a planted reader
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 200KB and ($tag or $tagr) and $out and ($r1 or $r2) and not $ssi
}

rule WSA_Asp_Proxy_RequestUrl
{
    meta:
        id = "WSA-ASP-144"
        description = "classic ASP fetches the address the request gives with a server-side HTTP object (ServerXMLHTTP, XMLHTTP, WinHttpRequest) and writes the answer into its response: an open relay into the internal network"
        family = "Tunnel"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1090/001/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $h = /(ServerXMLHTTP|Microsoft\.XMLHTTP|WinHttp\.WinHttpRequest)/ nocase
        $o = /\.Open[ \t(]{1,3}("\w{3,7}"|Request[^,\r\n]{0,40})[ \t]{0,2},[ \t]{0,2}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item))?[ \t]{0,2}\(/ nocase
        $w = /Response\.(BinaryWrite|Write)[ \t(]{1,3}\w{1,20}\.(responseBody|responseText|responseStream)/ nocase
        $ssi = /<!--\s{0,3}#include\s{1,3}(file|virtual)/ nocase
    condition:
        filesize < 100KB and ($tag or $tagr) and $h and $o and $w and not $ssi
}

rule WSA_Asp_Sql_RequestConnection
{
    meta:
        id = "WSA-ASP-145"
        description = "classic ASP opens a database connection the request describes (ADODB.Connection.Open of a request value) and runs SQL the request gives: a database console for any server the web host can reach"
        family = "Generic SQL shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $c = /\.Open[ \t(]{1,3}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item|Cookies))?[ \t]{0,2}\(/ nocase
        $a = /ADODB\.Connection/ nocase
        $x = /\.Execute[ \t(]{1,3}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item|Cookies))?[ \t]{0,2}\(/ nocase
    condition:
        filesize < 200KB and ($tag or $tagr) and $a and $c and $x
}

rule WSA_Asp_Execute_ApplicationStored
{
    meta:
        id = "WSA-ASP-146"
        description = "classic ASP stores request data in the Application object and executes it (Application(\"c\") = Request(..) ... Execute Application(\"c\")): a one-liner whose code outlives the request and runs for every visitor"
        family = "Generic eval of request data"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://learn.microsoft.com/en-us/previous-versions/iis/6.0-sdk/ms525360(v=vs.90)"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $s = /Application[ \t]{0,2}\([^)\r\n]{1,30}\)[ \t]{0,2}=[ \t]{0,2}Request/ nocase
        $x = /(^|[^.\w])(Eval|Execute|ExecuteGlobal)[ \t(]{1,6}Application[ \t]{0,2}\(/ nocase
    condition:
        filesize < 200KB and ($tag or $tagr) and $s and $x
}

rule WSA_Asp_Writer_RequestCopy
{
    meta:
        id = "WSA-ASP-147"
        description = "classic ASP copies or moves a file between paths the request gives (FileSystemObject.CopyFile/MoveFile, ADODB.Stream.SaveToFile with a request path on a small page), or runs a page the request names (Server.Execute/Transfer): an uploaded image turned into a script, or a planted page run"
        family = "Generic file writer"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-06"
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        // or a server script block: <script language="VBScript" runat="server">
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $c = /\.(CopyFile|MoveFile)[ \t(]{1,3}(Server\.MapPath[ \t]{0,2}\([ \t]{0,2})?Request[^,\r\n]{0,40},[ \t]{0,2}(Server\.MapPath[ \t]{0,2}\([ \t]{0,2})?Request/ nocase
        $e = /Server\.(Execute|Transfer)[ \t(]{1,3}Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item))?[ \t]{0,2}\(/ nocase
    condition:
        filesize < 200KB and ($tag or $tagr) and ($c or $e)
}

rule WSA_Asp_Include_PictureAsCode
{
    meta:
        id = "WSA-ASP-148"
        description = "classic ASP (or ASP.NET) page includes a picture, archive or data file as server code (<!--#include file/virtual of a .jpg, .gif, .png, .ico, .mdb, .zip ..): the code of a shell uploaded as an image, run through a page that only includes it"
        family = "Remote code loader"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://learn.microsoft.com/en-us/previous-versions/iis/6.0-sdk/ms525134(v=vs.90)"
        mitre_attack = "T1505.003"
    strings:
        $inc = /<!--[ \t]{0,3}#include[ \t]{1,3}(file|virtual)[ \t]{0,3}=[ \t]{0,3}["'][^"'\r\n>]{1,200}\.(jpe?g|gif|png|bmp|ico|webp|tiff?|mdb|accdb|zip|rar|7z|swf|pdf|mp3|mp4|avi|exe|dll)["'][ \t]{0,3}-->/ nocase
    condition:
        filesize < 1MB and $inc
}

rule WSA_Asp_Tool_RegistryFromRequest
{
    meta:
        id = "WSA-ASP-149"
        description = "classic ASP reads, writes or deletes a registry value whose key the request gives (WScript.Shell RegRead/RegWrite/RegDelete): a registry editor planted to read stored passwords (VNC, auto-logon, IIS) or to change the server's settings"
        family = "Attack tool"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-12-08"
        reference = "https://attack.mitre.org/techniques/T1012/"
        mitre_attack = "T1505.003"
    strings:
        $tag = "<%"
        $tagr = /runat[ \t]{0,3}=[ \t]{0,3}["']?server/ nocase
        $r = /\.Reg(Read|Write|Delete)[ \t(]{1,3}(Trim[ \t]{0,2}\([ \t]{0,2})?Request[ \t]{0,2}(\.[ \t]{0,2}(Form|QueryString|Item)[ \t]{0,2})?\(/ nocase
    condition:
        filesize < 500KB and ($tag or $tagr) and $r
}
