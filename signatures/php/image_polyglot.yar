/*
  PHP code hidden in image files (GIF/PNG/JPEG header followed by PHP), reached through include/LFI
  or a permissive handler; also PHP scripts that start with a fake image header.
*/

rule WSA_Php_InImage_Header
{
    meta:
        id = "WSA-PHP-050"
        description = "file starting with a GIF/PNG/JPEG signature that contains a PHP open tag followed by code-execution or request-input calls"
        family = "PHP in image"
        severity = "high"
        author = "webshell-agent project"
        date = "2026-11-21"
        reference = "https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF"
        mitre_attack = "T1505.003"
    strings:
        $php = /<\?(php|=)[\s\x00-\x20]/ nocase
        $c1 = /[^\w>:$](eval|assert|system|passthru|shell_exec|exec|popen|proc_open|create_function|base64_decode|gzinflate|str_rot13|include|require|file_put_contents|move_uploaded_file)\s{0,5}\(/ nocase
        $c2 = /\$_(GET|POST|REQUEST|COOKIE|FILES)/
    condition:
        // a polyglot is an image header in front of a script, not a large photograph
        filesize < 5MB and (uint32(0) == 0x38464947 or uint32(0) == 0x474e5089 or uint16(0) == 0xd8ff) and $php and ($c1 or $c2)
}
