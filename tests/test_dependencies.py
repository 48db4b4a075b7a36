"""pyproject.toml holds ranges, constraints.txt the exact versions: every dependency has a pin
inside its range, and what is installed here is what is pinned."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

TOP = Path(__file__).resolve().parents[1]


def pins() -> dict[str, Requirement]:
    out = {}
    for line in (TOP / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", line
            out[canonicalize_name(req.name)] = req
    return out


def test_every_dependency_is_pinned_within_its_range() -> None:
    project = tomllib.loads((TOP / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = pins()
    for text in wanted:
        req = Requirement(text)
        pin = pinned[canonicalize_name(req.name)]
        (exact,) = pin.specifier
        assert req.specifier.contains(exact.version), (text, str(pin))
        assert "==" not in str(req.specifier), (
            f"{text}: a range belongs here, the pin in constraints"
        )


def test_the_environment_matches_the_pins() -> None:
    for name, pin in pins().items():
        if pin.marker is not None and not pin.marker.evaluate():
            continue
        (exact,) = pin.specifier
        assert metadata.version(name) == exact.version, name
