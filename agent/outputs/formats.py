"""The format table: how one document becomes the text of one message.

A format is a function of the document alone; format-specific choices (the LEEF delimiter) are
bound when the output is built. Used by the syslog transport; HEC and Elasticsearch carry the
JSON document itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from agent.outputs import cef, leef
from agent.outputs.jsonl import render_line
from agent.outputs.options import SyslogOptions

Format = Callable[[dict[str, Any]], str]

FORMATS: dict[str, Callable[[SyslogOptions], Format]] = {
    "json": lambda _o: render_line,
    "cef": lambda _o: cef.format_cef,
    "leef": lambda o: functools.partial(leef.format_leef, delimiter=o.leef_delimiter),
}


def format_for(options: SyslogOptions) -> Format:
    return FORMATS[options.format](options)
