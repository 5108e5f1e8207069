"""The dev set's two halves, split by speaker: recipes and thresholds are chosen on one half,
the other half only reports (so the reported table is not tuned to its own data).

The split is a fixed table of speaker groups (docs/devset.md says why each group sits where it
does): the two halves hold about the same number of p/b/m and one female speaker each, and the
pocketsphinx test recordings, which may share speakers, stay together. A speaker group missing
from the table is an error, never a silent guess.
"""

from collections.abc import Sequence

from ...errors import CorpusError
from .devset_clip import DevClip
from .devset_summary import bilabial_counts

CHOOSE, REPORT = "choose", "report"
HALVES = (CHOOSE, REPORT)
SPEAKER_HALF = {
    # choose: isolated words, short commands and sentences (9 groups)
    "ktuberling-en": CHOOSE,
    "pocketsphinx-goforward": CHOOSE,
    "pocketsphinx-something": CHOOSE,
    "pocketsphinx-tidigits-dhd-2934z": CHOOSE,
    "pocketsphinx-forever-2": CHOOSE,
    "pocketsphinx-forever-4": CHOOSE,
    "pocketsphinx-cards": CHOOSE,
    "arctic-slt": CHOOSE,
    "arctic-pysptk-male": CHOOSE,
    # report: continuous read speech, two LibriVox readers
    "librivox-sense-and-sensibility": REPORT,
    "librivox-sonnet-1": REPORT,
}


def half_of(speaker: str) -> str:
    """The half ("choose" or "report") a speaker group belongs to."""
    try:
        return SPEAKER_HALF[speaker]
    except KeyError:
        raise CorpusError(
            f"Dev-set speaker group {speaker!r} has no half: add it to SPEAKER_HALF in "
            "core/lab/eval/devset_split.py (and to docs/devset.md)."
        ) from None


def split_clips(clips: Sequence[DevClip]) -> dict[str, list[DevClip]]:
    """The clips of each half, in dev-set order."""
    halves: dict[str, list] = {half: [] for half in HALVES}
    for clip in clips:
        halves[half_of(clip.speaker)].append(clip)
    return halves


def split_lines(clips: Sequence[DevClip]) -> list[str]:
    """A Markdown table of the halves: speaker groups, sexes, clips, seconds, P/B/M."""
    lines = [
        "| half | speaker groups | F / M groups | clips | seconds | P/B/M |",
        "|---|---|---|---|---|---|",
    ]
    for half, members in split_clips(clips).items():
        speakers = dict.fromkeys(c.speaker for c in members)
        sexes = {c.speaker: c.sex for c in members}
        n_f = sum(sexes[s] == "F" for s in speakers)
        counts = bilabial_counts([p for c in members for p in c.phones])
        seconds = sum(c.duration_s for c in members)
        lines.append(
            f"| {half} | {', '.join(speakers)} | {n_f} / {len(speakers) - n_f} | {len(members)} "
            f"| {seconds:.1f} | {counts['P']}/{counts['B']}/{counts['M']} = "
            f"{sum(counts.values())} |"
        )
    return lines
