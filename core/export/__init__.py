"""Animation out: CSV, JSON, Live Link Face, key reduction, lipsync files."""
