"""Text: numbered sentences, parts for long inputs, wording cues."""
