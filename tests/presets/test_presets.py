"""Preset discovery: Linux roots, Exchange install root, IIS sites from applicationHost.config."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from hypothesis import given
from hypothesis import strategies as st

from agent.presets import discover, exchange_roots, expand_env, iis_site_roots

# Our own minimal applicationHost.config: two sites, nested applications, env variables.
APPHOST = r"""<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools><add name="DefaultAppPool" /></applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\inetpub\wwwroot" />
        </application>
        <application path="/owa" applicationPool="MSExchangeOWAAppPool">
          <virtualDirectory path="/" physicalPath="C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa" />
        </application>
        <bindings><binding protocol="https" bindingInformation="*:443:" /></bindings>
      </site>
      <site name="Shop" id="2">
        <application path="/">
          <virtualDirectory path="/" physicalPath="D:\sites\shop" />
          <virtualDirectory path="/media" physicalPath="%SHOP_MEDIA%\files" />
        </application>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
"""


def test_iis_site_roots_from_application_host_config() -> None:
    env = {"SYSTEMDRIVE": "C:", "Shop_Media": r"E:\media"}
    assert iis_site_roots(APPHOST, env) == [
        r"C:\inetpub\wwwroot",
        r"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\owa",
        r"D:\sites\shop",
        r"E:\media\files",
    ]


def test_a_broken_config_is_a_clear_error() -> None:
    try:
        iis_site_roots("<configuration><sites>", {})
    except ValueError as e:
        assert "not valid XML" in str(e)
    else:
        raise AssertionError("no error")


def test_exchange_roots_with_or_without_trailing_backslash() -> None:
    a = exchange_roots("C:\\Program Files\\Microsoft\\Exchange Server\\V15\\")
    b = exchange_roots("C:\\Program Files\\Microsoft\\Exchange Server\\V15")
    assert a == b
    assert "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa" in a
    assert "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\ecp" in a


def test_discover_on_windows_reports_found_and_missing() -> None:
    env = {"windir": r"C:\Windows", "SystemDrive": "C:", "ExchangeInstallPath": "D:\\Exchange\\"}
    present = {r"C:\inetpub\wwwroot", r"D:\Exchange\FrontEnd\HttpProxy\owa", r"D:\sites\shop"}
    found = discover(
        ["exchange", "iis"],
        environ=env,
        is_dir=present.__contains__,
        read_text=lambda p: APPHOST if p.endswith("applicationHost.config") else None,
        registry=lambda: None,
        windows=True,
    )
    assert set(found.roots()) == present
    assert ("exchange", r"D:\Exchange\ClientAccess\owa") in found.missing


def test_discover_exchange_prefers_the_registry_and_says_when_nothing_is_there() -> None:
    found = discover(
        ["exchange"], environ={}, is_dir=lambda p: True, registry=lambda: "F:\\Ex\\", windows=True
    )
    assert ("exchange", "F:\\Ex\\FrontEnd\\HttpProxy\\ecp") in found.found
    none = discover(
        ["exchange"], environ={}, is_dir=lambda p: False, registry=lambda: None, windows=True
    )
    assert none.found == [] and "not found" in none.missing[0][1]


def test_discover_linux_roots() -> None:
    found = discover(
        ["nginx", "apache"], environ={}, is_dir={"/var/www"}.__contains__, windows=False
    )
    assert found.roots() == ["/var/www"]
    assert ("nginx", "/usr/share/nginx/html") in found.missing
    auto = discover(["auto"], environ={}, is_dir=lambda p: False, windows=False)
    assert {p for p, _ in auto.missing} == {"apache", "nginx", "tomcat"}


@given(st.text(alphabet=st.characters(blacklist_characters="%"), max_size=40))
def test_expand_env_leaves_text_without_variables_alone(text: str) -> None:
    assert expand_env(text, {"A": "x"}) == text


@given(
    st.lists(
        st.from_regex(
            r"[A-Z]:\\[A-Za-z0-9 _.\-]{1,12}(\\[A-Za-z0-9_.\-]{1,8}){0,3}", fullmatch=True
        ),
        min_size=1,
        max_size=5,
        unique=True,
    )
)
def test_every_physical_path_is_found(paths: list[str]) -> None:
    sites = "".join(
        f'<site name="s{i}"><application path="/"><virtualDirectory path="/" physicalPath={quoteattr(p)} />'
        "</application></site>"
        for i, p in enumerate(paths)
    )
    xml = f"<configuration><system.applicationHost><sites>{sites}</sites></system.applicationHost></configuration>"
    assert iis_site_roots(xml, {}) == [str(__import__("pathlib").PureWindowsPath(p)) for p in paths]
