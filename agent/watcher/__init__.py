"""Watching web roots: observers with an event filter, a handler that only enqueues, a settle
stage that decides when a path is ready, overflow detection and rescans."""
