"""webshell-agent: watch web roots, scan new or changed files with YARA, ship alerts."""

__version__ = "0.1.0"
