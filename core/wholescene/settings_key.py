"""A short key of everything a take was made from, so a take made again with the same
settings can be recognised and skipped."""

import hashlib
import json


def settings_key(settings: dict) -> str:
    """16 hex digits of the settings (plain JSON values; key order does not matter)."""
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
