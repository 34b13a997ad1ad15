"""Briefing: plan the calls, write the prompts, compose the Brief within its length budget."""
