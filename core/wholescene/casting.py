"""Which object a sound strip belongs to, and which strips of one object overlap.

The name rule: a strip whose name begins with an object's name and a colon ("Alice: line 12")
belongs to that object; where several object names fit ("Alice" and "Alice B" for
"Alice B: hi"), the longest wins. A target picked for the strip in the panel overrides the rule.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BY_PANEL = "picked in the panel"
BY_NAME = "by its name"


def owner_from_name(strip_name: str, object_names: Iterable[str]) -> str | None:
    """The object a strip's name gives ('Alice: line 12' -> 'Alice'), or None."""
    fits = [name for name in object_names if name and strip_name.startswith(name + ":")]
    return max(fits, key=len) if fits else None


@dataclass(frozen=True)
class StripSpan:
    """A strip's name, its target and the scene frames [start, stop) it plays."""

    strip: str
    target: str
    start: float
    stop: float


def cast(strip_name: str, picked: str, object_names: Iterable[str]) -> tuple[str, str]:
    """(target, why) of a strip: the object picked in the panel, else the name rule's, else
    ('', '')."""
    if picked:
        return picked, BY_PANEL
    owner = owner_from_name(strip_name, object_names)
    return (owner, BY_NAME) if owner else ("", "")


def overlaps(spans: Sequence[StripSpan]) -> dict[str, list[str]]:
    """Strip name -> the other strips of its target that play on some of the same frames."""
    found: dict[str, list[str]] = {}
    by_target: dict[str, list[StripSpan]] = {}
    for span in spans:
        if span.target:
            by_target.setdefault(span.target, []).append(span)
    for group in by_target.values():
        group = sorted(group, key=lambda s: (s.start, s.stop))
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if second.start >= first.stop:
                    break
                found.setdefault(first.strip, []).append(second.strip)
                found.setdefault(second.strip, []).append(first.strip)
    return found
