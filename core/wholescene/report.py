"""The one report of a whole-scene run: a summary line, then one line per strip."""

from collections.abc import Sequence
from dataclasses import dataclass

KEYED, SKIPPED, FAILED = "keyed", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    """What happened to one strip."""

    strip: str
    target: str  # '' when the strip has none
    status: str  # KEYED, SKIPPED or FAILED
    detail: str  # keyed: frames, model, text; skipped or failed: why (a sentence)

    def line(self) -> str:
        """'Alice: line 1 -> Alice: keyed frames 12-240, s_tiny, no text'."""
        where = f"{self.strip} -> {self.target}" if self.target else self.strip
        return f"{where}: {self.status} {self.detail}".rstrip()


def keyed_detail(first: int, last: int, model: str, text: str, extra: str = "") -> str:
    """The detail of a keyed strip: frames, model, how its text was used."""
    detail = f"frames {first}-{last}, {model}, {text or 'no text'}"
    return f"{detail}; {extra}" if extra else detail


def summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    """'Keyed 18 of 20 sound strips on 3 objects in 2.1 s; 1 skipped, 1 failed.'"""
    keyed = [o for o in outcomes if o.status == KEYED]
    skipped = sum(o.status == SKIPPED for o in outcomes)
    failed = sum(o.status == FAILED for o in outcomes)
    objects = len({o.target for o in keyed})
    line = (
        f"Keyed {len(keyed)} of {len(outcomes)} sound strips on {objects} "
        f"object{'s' if objects != 1 else ''} in {seconds:.1f} s"
    )
    rest = [f"{n} {what}" for n, what in ((skipped, "skipped"), (failed, "failed")) if n]
    return line + (f"; {', '.join(rest)}." if rest else ".")


def scene_report(outcomes: Sequence[Outcome], seconds: float) -> str:
    """The summary and one line per strip, in the scene's strip order."""
    return "\n".join([summary(outcomes, seconds), *(o.line() for o in outcomes)])
