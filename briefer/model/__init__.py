"""The model: the one openai path, the embedded server and its files, grammars, tokens, cache."""
