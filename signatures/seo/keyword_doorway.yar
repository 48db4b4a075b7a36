/*
    Keyword doorways: one planted PHP page that answers as many landing pages (gambling, pills,
    counterfeit goods) as a list file has keywords, and as a missing page to anyone else.
*/

rule WSA_Seo_KeywordDoorway
{
    meta:
        id = "WSA-GEN-021"
        description = "PHP page that looks the request's keyword up in a local list file (file(.., FILE_IGNORE_NEW_LINES)), answers 404 or 410 when it is not there, and otherwise renders a full landing page around the keyword (written in upper case or echoed all over it): a doorway generator planted on a compromised site for search spam"
        family = "SEO spam doorway"
        severity = "medium"
        author = "webshell-agent project"
        date = "2026-12-07"
        reference = "https://developers.google.com/search/docs/essentials/spam-policies#doorways"
        mitre_attack = "T1505.003"
    strings:
        $php = "<?" ascii
        $list = /file\s{0,3}\([^;]{1,80}FILE_IGNORE_NEW_LINES/
        $get = /\$_GET\s{0,3}\[/
        $nf = /header\s{0,3}\(\s{0,3}['"]HTTP\/1\.[01]\s{1,3}(404|410)/ nocase
        $html = /<html|<!DOCTYPE/ nocase
        $up = /=\s{0,3}(mb_)?strtoupper\s{0,3}\(/
        $echo = /<\?(php\s{1,3}echo\s{1,3}|=\s{0,3})\$[A-Za-z_]{3,20}\s{0,3};?\s{0,3}\?>/
    condition:
        filesize < 5MB and $php and $list and $get and $nf and $html and ($up or #echo >= 5)
}
