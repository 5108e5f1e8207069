"""Transcript mode: dialogue text + audio -> aligned phones -> the procedural animator."""
