"""Layered content analysis: decode what a page hides (Script Encoder, folded strings, literal
payloads) and scan each decoded layer with the same rules, within hard per-file bounds."""

from agent.decode.limits import Limits
from agent.decode.stage import TRIGGER_TAG, Outcome, explore, first_hits, is_trigger

__all__ = ["TRIGGER_TAG", "Limits", "Outcome", "explore", "first_hits", "is_trigger"]
