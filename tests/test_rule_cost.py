"""The worst-case cost bench's probes (tests/bench/rule_cost.py): what it lays out, not how long
yara takes on it (timings belong to `make bench-rules`)."""

from __future__ import annotations

from tests.bench.rule_cost import PREFIX, SCREEN, fill, probes, scaled

LOOPED = b"""
rule Near
{
    strings:
        $a = "alpha"
        $b = "bravo"
        $need = "needed"
        $no = "spoiler"
    condition:
        filesize < 64KB and $need and not $no and
        for any i in (1..#a) : (for any j in (1..#b) : (@b[j] - @a[i] < 100))
}
"""


def test_a_condition_looping_over_matches_is_probed_with_each_pair_apart() -> None:
    apart = {label: p for label, p in probes(LOOPED) if isinstance(p, tuple)}
    assert set(apart) == {"$a then $b apart", "$b then $a apart"}
    head, first, second = apart["$a then $b apart"]
    # the head holds what the condition needs, not what it negates nor the looped strings
    # (a pair of them together in the head would end the loop at once)
    assert head == b"needed" and (first, second) == (b"alpha", b"bravo")


def test_a_pair_apart_fills_one_half_each() -> None:
    data = fill((b"needed", b"alpha", b"bravo"), 4096)
    half = len(data) // 2
    assert len(data) == 4096 and data.startswith(PREFIX + b"needed\n")
    assert b"bravo" not in data[:half] and b"alpha" not in data[half:]
    assert data.count(b"alpha") > 100 and data.count(b"bravo") > 100


def test_a_condition_without_loops_has_no_pairs() -> None:
    flat = LOOPED.replace(
        b"for any i in (1..#a) : (for any j in (1..#b) : (@b[j] - @a[i] < 100))", b"$a and $b"
    )
    assert all(not isinstance(p, tuple) for _, p in probes(flat))


def test_a_pair_apart_is_screened_as_cubic() -> None:
    # Nested loops over 16 times the matches of each string, each `@b[j]` found by walking the
    # list, cost 16**3 times more: a square estimate let WSA-ASP-034 pass at 0.2 s for 2.3 s.
    assert scaled(0.001, apart=True) == 0.001 * SCREEN**3
    assert scaled(0.001, apart=False) == 0.001 * SCREEN
