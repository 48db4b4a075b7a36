/*
  web.config abuse: a configuration file that itself runs code (Classic ASP in a web.config after
  remapping *.config to asp.dll) or that remaps handlers to execute arbitrary extensions.
*/

rule WSA_Aspx_WebConfig_ConfigAsScript
{
    meta:
        id = "WSA-ASPX-070"
        description = "web.config maps the .config extension to a script engine (asp.dll) and/or removes .config from request filtering: the web.config web-shell trick"
        family = "web.config shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/swisskyrepo/PayloadsAllTheThings/tree/master/Upload%20Insecure%20Files/Configuration%20IIS%20web.config"
        mitre_attack = "T1505.003"
    strings:
        $cfg = "<configuration" nocase
        $h1 = /path\s{0,3}=\s{0,3}["']\*\.config["'][^<>]{0,150}(asp\.dll|IsapiModule|CgiModule|FastCgiModule)/ nocase
        $h2 = /(asp\.dll|IsapiModule)[^<>]{0,150}path\s{0,3}=\s{0,3}["']\*\.config["']/ nocase
        $r1 = /<remove\s{1,3}fileExtension\s{0,3}=\s{0,3}["']\.config["']/ nocase
        $r2 = /<remove\s{1,3}segment\s{0,3}=\s{0,3}["']web\.config["']/ nocase
    condition:
        filesize < 200KB and $cfg and (any of ($h*) or ($r1 and $r2))
}

rule WSA_Aspx_WebConfig_EmbeddedCode
{
    meta:
        id = "WSA-ASPX-071"
        description = "web.config carries server-side script (<% ... %> with Response/eval/execute/CreateObject/Request), i.e. a configuration file used as a shell"
        family = "web.config shell"
        severity = "critical"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/swisskyrepo/PayloadsAllTheThings/tree/master/Upload%20Insecure%20Files/Configuration%20IIS%20web.config"
        mitre_attack = "T1505.003"
    strings:
        $cfg = "<configuration" nocase
        $code = /<%[^%]{0,150}(Response\s{0,2}\.\s{0,2}Write|eval\s{0,3}[\( ]|execute\s{0,3}[\( ]|CreateObject|Request\s{0,3}[\(\.\[])/ nocase
        $cfgext = "<system.web" nocase
    condition:
        filesize < 200KB and (extension == ".config" or extension == "") and $cfg and $cfgext and $code
}

rule WSA_Aspx_WebConfig_StaticExtensionAsScript
{
    meta:
        id = "WSA-ASPX-072"
        description = "web.config maps an image/text/static extension (*.jpg, *.png, *.gif, *.txt, *.ico, *.css, *.js ...; not *.xml, which Exchange Autodiscover maps legitimately, nor *.htm/*.html, which sites serve as Web Forms pages on purpose) to a script handler (PageHandlerFactory, SimpleHandlerFactory, asp.dll, FastCGI) or build provider, so an uploaded 'image' runs as a page"
        family = "web.config shell"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://github.com/swisskyrepo/PayloadsAllTheThings/tree/master/Upload%20Insecure%20Files/Configuration%20IIS%20web.config"
        mitre_attack = "T1505.003"
    strings:
        $cfg = "<configuration" nocase
        $h1 = /path\s{0,3}=\s{0,3}["']\*\.(jpe?g|png|gif|bmp|ico|txt|css|js|log|pdf|zip)["'][^<>]{0,150}(PageHandlerFactory|SimpleHandlerFactory|asp\.dll|php-cgi|FastCgiModule)/ nocase
        $h2 = /(PageHandlerFactory|SimpleHandlerFactory|asp\.dll|php-cgi|FastCgiModule)[^<>]{0,150}path\s{0,3}=\s{0,3}["']\*\.(jpe?g|png|gif|bmp|ico|txt|css|js|log|pdf|zip)["']/ nocase
        $b1 = /extension\s{0,3}=\s{0,3}["']\.(jpe?g|png|gif|bmp|ico|txt|css|js|log|pdf|zip)["'][^<>]{0,120}(PageBuildProvider|WebHandlerBuildProvider|WebServiceBuildProvider)/ nocase
        $b2 = /(PageBuildProvider|WebHandlerBuildProvider|WebServiceBuildProvider)[^<>]{0,120}extension\s{0,3}=\s{0,3}["']\.(jpe?g|png|gif|bmp|ico|txt|css|js|log|pdf|zip)["']/ nocase
    condition:
        filesize < 200KB and $cfg and any of ($h*, $b*)
}
