/*
    SEO spam planted on compromised sites: not a shell, but proof that someone writes into the
    web root. The rules judge every language (the folder is not a language folder).
*/

rule WSA_Seo_HiddenLinkFarm
{
    meta:
        id = "WSA-GEN-020"
        description = "Server page carrying a farm of outbound links hidden from visitors (blocks positioned far off-screen, or a block hidden by a script placed just before it) while search engines still read them: SEO link spam injected into a compromised site"
        family = "SEO spam injection"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-05"
        reference = "https://developers.google.com/search/docs/essentials/spam-policies#hidden-text-and-links"
        mitre_attack = "T1505.003"
    strings:
        // in an element's own style attribute: a stylesheet hiding a widget (.fb_hidden{...}) is not it
        $off = /style\s{0,2}=\s{0,2}\\?["']\s{0,2}position\s{0,2}:\s{0,2}absolute\s{0,2};\s{0,2}(top|left)\s{0,2}:\s{0,2}-\d{3,5}px/ nocase
        $dw = /document\.write\s{0,2}\(\s{0,2}["']<div[^\r\n]{0,40}position\s{0,2}:\s{0,2}absolute\s{0,2};\s{0,2}(top|left)\s{0,2}:\s{0,2}-\d{3,5}px/ nocase
        $hide = /getElementById\s{0,2}\(\s{0,2}["'][\w-]{1,30}["']\s{0,2}\)\s{0,2}\.\s{0,2}style\s{0,2}\.\s{0,2}display\s{0,2}=\s{0,2}["']none["']/ nocase
        $div = /<div\s{1,3}id\s{0,2}=\s{0,2}["']?[\w-]{1,30}/ nocase
        $a = /<a\s{1,3}(title\s{0,2}=\s{0,2}["'][^"'\r\n]{0,80}["']\s{1,3})?href\s{0,2}=\s{0,2}["']?https?:\/\// nocase
    condition:
        filesize < 2MB and #a >= 10 and
        (#off >= 3 or $dw or
         (#hide < 8 and #div < 64 and for any i in (1..#hide) : (for any j in (1..#div) : (@div[j] > @hide[i] and @div[j] - @hide[i] < 200))))
}
