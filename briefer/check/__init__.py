"""Checks in pure Python (never imports briefer.model): grounding, verification, scoring."""
