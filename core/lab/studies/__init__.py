"""Measurements of the corpus and its timings (make closure-rate, corpus-timing)."""
