"""Inputs: files, URLs (the hardened fetcher), stdin → Article."""
