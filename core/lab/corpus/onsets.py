"""Onsets of the same phones in two timings, matched by label sequence (silences left out)."""

import difflib

from ...phones.phone_set import SILENCE, Phone


def matched_onsets(reference: list[Phone], test: list[Phone]) -> list[tuple[str, float, float]]:
    """(label, reference onset s, test onset s) for phones matched by label sequence."""
    ref = [p for p in reference if p.label != SILENCE]
    hyp = [p for p in test if p.label != SILENCE]
    matcher = difflib.SequenceMatcher(
        a=[p.label for p in ref], b=[p.label for p in hyp], autojunk=False
    )
    return [
        (ref[a + k].label, ref[a + k].start_s, hyp[b + k].start_s)
        for a, b, n in matcher.get_matching_blocks()
        for k in range(n)
    ]
