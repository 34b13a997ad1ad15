"""Rendering: Markdown, HTML, PDF, atomic output files (never imports briefer.model or the CLI)."""
