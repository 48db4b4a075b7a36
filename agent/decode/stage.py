"""The decode stage: from the file's bytes, bounded layers of what the code really says, each
scanned with the same rules.

The one yara pass over the file also runs the *trigger* rules (tag `decode_trigger`, meta
`decoder`, in `signatures/decode/triggers.yar`): they say which decoder may have work and at
which offsets. A clean file that trips no trigger pays nothing more. Each decoder yields
layers; each layer is scanned, and the triggers found on it lead one level deeper, up to the
limits (depth, layers, bytes, time) in `Limits`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agent.decode import (
    charset,
    cstyle,
    flow,
    folding,
    gotoflow,
    islands,
    jspx,
    names,
    padding,
    payload,
    phpspelling,
    script_encoder,
    varnames,
    vbscript,
)
from agent.decode.folding import fold, small_page_cue
from agent.decode.limits import Budget, Limits

TRIGGER_TAG = "decode_trigger"
CONTEXT = 256  # bytes of the enclosing layer kept in front of a decoded payload (`<?php`, `<%@`)
# Folding runs on windows around the trigger offsets (its regex passes are Python's, and the
# GIL is held), the loose-literal search too once the layer is not small.
WHOLE = 64 * 1024
FOLD_SPAN = 2 * 1024
FOLD_REST = 32 * 1024  # a page up to this size keeps its unfolded rest in its fold layer
LOOSE_SPAN = 16 * 1024
# A decoded layer (a payload) up to this size is folded whole, not in windows (256 KB of the
# costliest fold patterns takes under 0.2 s; on the dev corpus 256 KB cost 4.5 s of CPU over
# windows only, 128 KB 2.6 s, 64 KB 0.7 s but one shell fewer).
DECODED_WHOLE = 128 * 1024
# How far a fold window may run on to finish the statement it cuts (a packed literal).
STATEMENT_END = 256 * 1024
# ... and a loose literal's window: a hex payload is twice the page it packs (a 300 KB shell
# XORed and hex-encoded is a 600 KB literal); the loose pass is two linear regexes over it
LOOSE_END = 1024 * 1024

# A flow layer is padded to the file's size up to this, so rules that key on a small
# `filesize` still judge the page and not the few lines the flow pass wrote out.
FLOW_PAD = 256 * 1024

# A page under this size is folded on one cue of `folding.SMALL_PAGE_CUES`; checked here and
# not in the trigger rule, because yara would test those regexes at every `'.'` or `]` of a
# file of any size before `filesize` could rule it out.
SMALL_PAGE = 4 * 1024

Hits = dict[str, list[int]]
# scan(layer bytes, timeout seconds) -> yara matches; may raise yara.Error
ScanFn = Callable[[bytes, float], list[Any]]


def is_trigger(match: Any) -> bool:
    return TRIGGER_TAG in match.tags


# The fold trigger's plain splits (`$c1`..: `'.'`, `" + "`, `"&"` ..) count only between two
# word characters, where a name or payload is cut (`"gzin"."flate`), not where a page glues a
# dot or a space onto variables (`$a.'.'.$b`, `explode('.', ..)`). yara cannot say what is
# around an atom without a regex that every quote of every file would pay for; here it is a
# look at two bytes. On the dev corpus and tune18 this left 419 benign pages unfolded and no
# finding lost (the malicious pages it skips are found on their plain text).
_SPLIT = re.compile(r"\$c\d+")
SPLITS_MIN = 3  # splits inside words that fold a page whatever they spell
SPLITS_LOOKED_AT = 512  # splits looked at per page (a page of them is no reason to loop)
NAME_SPAN = 40  # bytes of each piece read around a split
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _cut_words(data: bytes, m: Any) -> bool:
    """Whether a fold trigger that fired on plain splits alone has enough of them inside words,
    or one that glues a telling name back (`"cmd.ex" + "e /c "`, `"java.lang.Run" + "time"`)
    (True for any other fold trigger match). At most SPLITS_LOOKED_AT splits are looked at."""
    if not all(_SPLIT.fullmatch(s.identifier) for s in m.strings):
        return True
    cut = looked = 0
    for s in m.strings:
        for inst in s.instances:
            if looked >= SPLITS_LOOKED_AT:
                return False
            looked += 1
            a, b = inst.offset, inst.offset + inst.matched_length
            if _glues_a_name(data, a, b):
                return True
            cut += a > 0 and b < len(data) and data[a - 1] in _WORD and data[b] in _WORD
            if cut >= SPLITS_MIN:
                return True
    return False


def _glues_a_name(data: bytes, a: int, b: int) -> bool:
    """Whether the two literal pieces around the split at `a`..`b` spell a telling name across
    it, as the fold pass will find it (`folding.cuts_a_name`)."""
    q = data[a : a + 1]  # the quote that closes the left piece
    left = data[max(0, a - NAME_SPAN) : a]
    right = data[b : b + NAME_SPAN]
    left = left[left.rfind(q) + 1 :]
    end = right.find(q)
    right = right if end < 0 else right[:end]
    return folding.cuts_a_name(left, right)


def hits_of(found: list[Any], limit: int, data: bytes) -> Hits:
    """Decoder name -> sorted trigger offsets (at most `limit` each) of the `found` matches on
    `data`."""
    out: dict[str, set[int]] = defaultdict(set)
    for m in found:
        if not is_trigger(m):
            continue
        name = str(m.meta.get("decoder", ""))
        if name == "fold" and not _cut_words(data, m):
            continue
        offsets = out[name]
        for s in m.strings:
            for inst in s.instances[:limit]:
                offsets.add(inst.offset)
    return {k: sorted(v)[:limit] for k, v in out.items()}


def small_split(buf: bytes) -> int | None:
    """Offset of the first split of a small page, if it is one and has one."""
    if len(buf) >= SMALL_PAGE:
        return None
    return small_page_cue(buf)


# An opaque literal: this many base64 characters in a row. yara cannot look for it (a run of a
# character class has no atom), so it is found here with two C loops over the file.
BLOB = 1000
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_RUNS = bytes(0x61 if c in _B64_ALPHABET else 0x2E for c in range(256))
_BLOB_NEEDLE = b"a" * BLOB
# What applications carry as base64 on purpose: images, fonts, certificates, SVG.
_DATA_PREFIXES = (
    b"iVBORw0KGgo", b"/9j/", b"R0lGOD", b"Qk", b"UklGR", b"AAABAA", b"PHN2Zy", b"PD94bWwg",
    b"d09GR", b"d09GMg", b"AAEAAA", b"T1RUTw", b"LS0tLS1CRUdJTi", b"MII",
)  # fmt: skip


def blob_at(data: bytes) -> int | None:
    """Offset of the first run of `BLOB` base64 characters that is not an image, font or
    certificate: a payload whose decoding call may be hidden, to be tried as a loose literal."""
    runs = data.translate(_RUNS)
    i = runs.find(_BLOB_NEEDLE)
    while i >= 0:
        start = runs.rfind(b".", 0, i) + 1
        if not data.startswith(_DATA_PREFIXES, start):
            return start
        end = runs.find(b".", i)
        if end < 0:
            return None
        i = runs.find(_BLOB_NEEDLE, end)
    return None


def names_at(data: bytes) -> int | None:
    """Offset of a PHP variable named in UTF-8 above ASCII, in a page with two of them (yara
    cannot look for it: `$` and any of 128 bytes has no atom)."""
    return names.written_names(data) if b"<?" in data else None


def with_small_split(buf: bytes, hits: Hits) -> Hits:
    """`hits`, plus a fold trigger at a small page's first split when folding has none yet,
    a flow trigger when a small page calls a variable and reads the request, and a names
    trigger when PHP names its variables above ASCII."""
    at = None if "fold" in hits else small_split(buf)
    if at is not None:
        hits = {**hits, "fold": [at]}
    if "flow" not in hits and flow.small_page_cue(buf):
        hits = {**hits, "flow": [0]}
    if (at := names_at(buf)) is not None:
        hits = {**hits, "names": [at]}
    return hits


def first_hits(data: bytes, found: list[Any], limit: int) -> Hits:
    """The file's own triggers, whose yara matches are `found`, and the cues yara cannot look
    for (a small page's split, an opaque literal, names above ASCII, blank padding); empty when
    the decode stage has no work on the file. The flow pass only restates, as a one-liner, what
    a page does through its variables: on a file the rules already judged it adds nothing but
    cost."""
    hits = with_small_split(data, hits_of(found, limit, data))
    if "flow" in hits and any(not is_trigger(m) for m in found):
        del hits["flow"]
    if (at := blob_at(data)) is not None:
        # its opening quote, where a literal is read (the call decoding it may be far away)
        hits["blob"] = [max(0, at - 1)]
    if (at := padding.padded_at(data)) is not None:
        hits["padding"] = [at]
    if cues := cstyle.cues_at(data, limit):
        hits["cstyle"] = cues
    if "php-spelling" in hits and phpspelling.cue_at(data) is None:
        del hits["php-spelling"]  # only headers every client sends: nothing to restate
    if len(data) > islands.ISLAND_PAGE:
        hits["islands"] = [0]
    return hits


def context_of(buf: bytes) -> bytes:
    """The head of a layer kept in front of what is decoded from it (`<?php`, `<%@ Page ..%>`,
    the call that decodes it): its first CONTEXT bytes, cut at the last line break, with the
    literal it leaves open emptied and closed and the calls closed (`eval('?>'.base64_decode(
    'PD9w..` becomes `eval('?>'.base64_decode(''));`). Left open, they would make the code
    after the head one unterminated string or argument to every pass that reads the layer's
    statements; cut off, the rules would lose the call that runs the payload."""
    head = buf[:CONTEXT]
    if len(buf) > CONTEXT and (nl := head.rfind(b"\n")) > 0:
        head = head[:nl]
    quote = opened = depth = 0
    escaped = False
    for i, c in enumerate(head):
        if quote:
            if escaped:
                escaped = False
            elif c == 0x5C:  # backslash
                escaped = True
            elif c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote, opened = c, i
        elif c == 0x28:
            depth += 1
        elif c == 0x29:
            depth = max(0, depth - 1)
    if quote:  # the literal being decoded, left empty: its text is the layer's own, and a
        # rule that tells `eval(base64_decode('..'))` from `eval(base64_decode($x))` still can
        head = head[: opened + 1] + bytes([quote])
    return head + b")" * depth + b";" if quote or depth else head


def _packed_on(
    path: tuple[str, ...], layer: bytes, found: list[Any], limits: Limits, skip: int
) -> bool:
    """Whether every layer of `path` is a payload decoded from a literal and the last one
    still holds a literal payload of its own past its first `skip` bytes (the enclosing
    layer's head it carries for context): a packer nesting past the depth limit."""
    if any(name in _RESTATED or name in ("island", "inline") for name in path):
        return False
    offsets = hits_of(found, limits.regions, layer).get("payload", [])
    return any(o >= skip for o in offsets) or payload.LONG_B64.search(layer, skip) is not None


def _nested_payload(name: str, layer: bytes, hits: Hits) -> Hits:
    """A payload decoded from a literal that again holds long literals (a packer that wraps its
    own wrapper) is searched for them too, though no decoder is named in it."""
    if "payload" in hits or name in _RESTATED:
        return hits
    m = payload.LONG_B64.search(layer)
    return hits if m is None else {**hits, "payload": [m.start()]}


def windows(
    buf: bytes, offsets: list[int], span: int, whole: int = WHOLE, to_end: int = 0
) -> bytes:
    """`buf` itself when small, else the merged spans around `offsets`, one per line. With
    `to_end`, a span runs on to the end of its statement (`;` or a line end, at most `to_end`
    bytes further), so a long literal the span cuts (a packed payload) arrives whole."""
    if len(buf) <= whole:
        return buf
    return b"\n".join(buf[lo:hi] for lo, hi in _spans(buf, offsets, span, to_end))


def outside(buf: bytes, offsets: list[int], span: int, to_end: int = 0) -> bytes:
    """What `windows` leaves out of `buf`, one gap per line."""
    gaps, last = [], 0
    for lo, hi in _spans(buf, offsets, span, to_end):
        gaps.append(buf[last:lo])
        last = hi
    gaps.append(buf[last:])
    return b"\n".join(g for g in gaps if g)


def _spans(buf: bytes, offsets: list[int], span: int, to_end: int) -> list[list[int]]:
    # PHP ends a statement with `;` only (a packed literal may hold line breaks); VBScript and
    # the others end one at a line break too.
    stops = (b";",) if b"<?" in buf else (b";", b"\n")
    spans: list[list[int]] = []
    for off in sorted(offsets):
        lo, hi = max(0, off - span), min(len(buf), off + span)
        if to_end and hi < len(buf):
            ends = [e + 1 for e in (buf.find(c, hi, hi + to_end) for c in stops) if e >= 0]
            hi = min(ends, default=min(len(buf), hi + to_end))
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    return spans


# Decoders that read the whole layer, in the order they run: (trigger name, decode(buf, cap)).
WHOLE_PAGE: tuple[tuple[str, Callable[[bytes, int], bytes | None]], ...] = (
    ("script-encoder", script_encoder.decode_page),
    ("jspx", jspx.decode_document),
    ("padding", padding.squeeze),
    ("gap", padding.ungap),
    ("names", names.ascii_names),
    ("goto", gotoflow.linearize),
    ("cstyle", cstyle.normalise),
    ("vbscript", vbscript.normalise),
    ("php-spelling", phpspelling.normalise),
    ("varnames", varnames.resolve),
)
# Spelling layers restate code the rules already read, in another spelling; a page over 1 MiB
# is restated in windows around its cues (a page of 20 MiB respelt whole was a 4 MiB layer, 1 s
# of yara over the 2 s budget; a 115 KB shell respelt in windows lost its exec to them)
SPELLING = frozenset(("cstyle", "vbscript", "php-spelling"))
SPELLING_SPAN = 4 * 1024
SPELLING_WHOLE = 1024 * 1024
# Layers that restate the page rather than decode a payload out of it
_RESTATED = frozenset(("fold", "flow", "charset", "islands", *(name for name, _ in WHOLE_PAGE)))


def layers_of(
    buf: bytes, hits: Hits, budget: Budget, from_fold: bool = False, page: bytes = b""
) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each layer the triggered decoders produce from `buf` (a folded layer
    is not folded again: folding already did all it can). `page`: the file, whose variables a
    decoded layer may name."""
    cap = budget.bytes_left
    if "islands" in hits:
        for block in islands.edge_blocks(buf):
            yield "island", block
    if "charset" in hits:
        decoded = charset.decode_declared(buf, hits["charset"], cap)
        if decoded is not None:
            yield "charset", decoded
    for name, decode in WHOLE_PAGE:
        if name not in hits:
            continue
        near = windows(buf, hits[name], SPELLING_SPAN, SPELLING_WHOLE) if name in SPELLING else buf
        if (decoded := decode(near, cap)) is not None:
            if len(near) < len(buf):  # windows of a large page: judged at the page's size
                decoded = decoded.ljust(min(len(buf), cap), b"\n")
            yield name, decoded
    blob = hits.get("blob", [])
    offsets = hits.get("payload", []) + blob
    alias: dict[str, str] = {}
    if "fold" in hits:
        # a decoder named through a variable with an escaped name: the payload is read here, in
        # the whole layer, because a fold layer keeps only windows of a long literal
        alias = payload.aliases(buf)
        offsets = offsets + payload.alias_calls(buf, alias, budget.limits.regions)
    if offsets:
        context = context_of(buf) + b"\n"
        # One layer per decoding chain, however many literals went through it.
        by_chain: dict[str, list[bytes]] = {}
        for name, data in payload.chains(buf, offsets, cap, alias, page):
            # A payload found verbatim in the layer it came from (`strrev(strrev(..))`, a
            # rot13 pair) shows the rules nothing new: not scanned again.
            if data not in buf:
                by_chain.setdefault(name, []).append(data)
        found = bool(by_chain)
        for name, datas in by_chain.items():
            yield name, (context + b"\n".join(datas))[:cap]
        if found and (page_inlined := payload.inlined(buf, offsets, alias)) is not None:
            yield "inline", page_inlined[:cap]
        # an opaque literal is tried loose even when another call decoded something
        loose_at = blob if found else offsets
        if loose_at:
            # (each span runs on to the end of its statement: a long literal arrives whole)
            near = windows(buf, loose_at, LOOSE_SPAN, to_end=LOOSE_END)
            keys = payload.xor_keys(buf)
            loose = payload.loose(near, cap, budget.limits.regions, keys, partial=not found)
            for name, data in loose:
                if data not in buf:
                    yield name, context + data
    if "flow" in hits:
        written = flow.flow_layer(buf)
        if written is not None:
            yield "flow", written[:cap].ljust(min(len(buf), FLOW_PAD, cap), b"\n")
    if "fold" in hits and not from_fold:
        # A decoded layer is code its author hid whole: folded whole (up to DECODED_WHOLE)
        whole = DECODED_WHOLE if page else 2 * FOLD_SPAN
        near = windows(buf, hits["fold"], FOLD_SPAN, whole=whole, to_end=STATEMENT_END)
        folded = fold(near)
        if folded.telling:
            body = folded.layer(cap)
            if len(near) < len(buf):
                # In a page up to FOLD_REST, the rest of the page follows the folded windows, as
                # it is: a rule may need a folded name and a line far from any split
                # (`CreateObject(Chr(87)&..)` at the top, `.ComputerName & .UserName` at the
                # end). Beyond, the windows alone: the rest of a large page doubled yara's work
                # on fold layers. At least the file's size (with newlines, which no rule keys
                # on): a rule that keys on a small `filesize` judges the file, not a few windows
                # of it (a CMS's 90 KB database class).
                if len(buf) <= FOLD_REST:
                    body += b"\n" + outside(buf, hits["fold"], FOLD_SPAN, STATEMENT_END)
                body = body.ljust(len(buf), b"\n")
            yield "fold", (context_of(buf) + b"\n" + body)[:cap]


@dataclass(frozen=True, slots=True)
class LayerMatches:
    path: str  # e.g. "script-encoder > base64"
    found: list[Any]  # yara matches on that layer, triggers left out


@dataclass
class Outcome:
    layers: list[LayerMatches]
    decoded: int = 0  # layers produced and scanned
    # why decoding stopped early: "time", "bytes", "layers", "scan-timeout", or "settled" (a
    # layer's findings left nothing for the others to change)
    stopped: str = ""
    # the path of a layer at the depth limit that still holds a literal payload, every layer
    # above it a payload decoded from a literal ("" when none): code packed deeper than the
    # stage unwraps, itself a finding (issue: a bound must not be an evasion)
    too_deep: str = ""


def explore(
    data: bytes,
    found: list[Any],
    scan: ScanFn,
    limits: Limits | None = None,
    hits: Hits | None = None,
    settles: Callable[[list[Any]], bool] | None = None,
) -> Outcome:
    """Breadth first through the layers below `data`, whose yara matches are `found`; `hits`:
    `first_hits` of them when the caller has it already. `settles(findings)`: True when a
    layer's findings decide the file for good; the layers left are then not produced."""
    limits = limits or Limits()
    if hits is None:
        hits = first_hits(data, found, limits.regions)
    budget = Budget.start(limits, len(data))
    out = Outcome([])
    seen = {hashlib.sha1(data, usedforsecurity=False).digest()}
    todo: list[tuple[tuple[str, ...], bytes, Hits]] = [((), data, hits)]
    while todo:
        path, buf, hits = todo.pop(0)
        if not hits:
            continue
        from_fold = path[-1:] == ("fold",)
        for name, layer in layers_of(buf, hits, budget, from_fold, data if path else b""):
            if budget.out_of_time():
                out.stopped = budget.exhausted
                return out
            digest = hashlib.sha1(layer, usedforsecurity=False).digest()
            if digest in seen:
                continue
            seen.add(digest)
            layer = layer[: max(0, budget.bytes_left)]  # a bomb is scanned up to the budget
            if not layer or not budget.take(len(layer)):
                out.stopped = budget.exhausted
                return out
            here = (*path, name)
            try:
                layer_found = scan(layer, max(1.0, budget.seconds_left()))
            except Exception as e:  # yara.TimeoutError or yara.Error: stop, say why
                out.stopped = "scan-timeout" if "time" in str(e).lower() else "scan-error"
                return out
            out.decoded += 1
            findings = [m for m in layer_found if not is_trigger(m)]
            if findings:
                out.layers.append(LayerMatches(" > ".join(here), findings))
                if settles is not None and settles(findings):
                    out.stopped = "settled"
                    return out
            if len(here) < limits.depth:
                hits = with_small_split(layer, hits_of(layer_found, limits.regions, layer))
                todo.append((here, layer, _nested_payload(name, layer, hits)))
            elif not out.too_deep and _packed_on(
                here, layer, layer_found, limits, len(context_of(buf)) + 1
            ):
                out.too_deep = " > ".join(here)
    out.stopped = budget.exhausted
    return out
