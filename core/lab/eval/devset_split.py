"""The dev set's two halves, split by speaker: recipes and thresholds are chosen on one half,
the other half only reports (so the reported table is not tuned to its own data).

The first batch of speaker groups (the dev set of 2026-12-05) is a fixed table (docs/devset.md
says why each group sits where it does): the two halves hold about the same number of p/b/m and
one female speaker each, and the pocketsphinx test recordings, which may share speakers, stay
together. Groups added later are placed by a fixed rule, written down before any model was
scored on them: within each source package, groups sorted by name, every third (positions 2, 5,
8, ...) goes to the choose half and the others to the report half; a package with one group
goes to the report half. A speaker group in neither is an error, never a silent guess.
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
FIRST_BATCH = frozenset(SPEAKER_HALF)  # the groups of the dev set's first version
# Later groups, per source package (core/lab/eval/devset_more_sources.py and
# devset_word_sources.py), placed by rule.
LATER_GROUPS = {
    "codec2-examples": (
        "codec2-g3plx",
        "codec2-ka9q",
        "codec2-sentences",
        "codec2-ve9qrp",
        "codec2-vk5qi",
    ),
    "pyannote.audio": ("pyannote-sample-call",),
    "praatio": ("praatio-examples",),
    "silero-vad": ("silero-lecture", "silero-news"),
    # third batch (core/lab/eval/devset_word_sources.py)
    "tuxpaint-stamps-default": ("tuxpaint-stamps",),
    "klettres-data": ("klettres-en", "klettres-en-gb"),
    "openarena-081-misc": ("openarena-announcer",),
}


def rule_half(position: int, groups_in_package: int) -> str:
    """The half of a later group from its place among its package's groups sorted by name."""
    if groups_in_package == 1:
        return REPORT
    return CHOOSE if position % 3 == 2 else REPORT


for _groups in LATER_GROUPS.values():
    for _position, _group in enumerate(sorted(_groups)):
        SPEAKER_HALF[_group] = rule_half(_position, len(_groups))


def half_of(speaker: str) -> str:
    """The half ("choose" or "report") a speaker group belongs to."""
    try:
        return SPEAKER_HALF[speaker]
    except KeyError:
        raise CorpusError(
            f"Dev-set speaker group {speaker!r} has no half: add it to SPEAKER_HALF in "
            "core/lab/eval/devset_split.py (and to docs/devset.md)."
        ) from None


def split_clips(
    clips: Sequence[DevClip], first_batch_only: bool = False
) -> dict[str, list[DevClip]]:
    """The clips of each half, in dev-set order (only the first batch's groups, if asked)."""
    halves: dict[str, list] = {half: [] for half in HALVES}
    for clip in clips:
        half = half_of(clip.speaker)
        if not first_batch_only or clip.speaker in FIRST_BATCH:
            halves[half].append(clip)
    return halves


def split_lines(clips: Sequence[DevClip]) -> list[str]:
    """A Markdown table of the halves: speaker groups, groups with female / male voices, clips,
    seconds, P/B/M."""
    lines = [
        "| half | speaker groups | groups with F / M voices | clips | seconds | P/B/M |",
        "|---|---|---|---|---|---|",
    ]
    for half, members in split_clips(clips).items():
        speakers = dict.fromkeys(c.speaker for c in members)
        sexes: dict[str, set] = {}
        for clip in members:
            sexes.setdefault(clip.speaker, set()).add(clip.sex)
        n_f = sum("F" in sexes[s] for s in speakers)
        n_m = sum("M" in sexes[s] for s in speakers)
        counts = bilabial_counts([p for c in members for p in c.phones])
        seconds = sum(c.duration_s for c in members)
        lines.append(
            f"| {half} | {', '.join(speakers)} | {n_f} / {n_m} | {len(members)} "
            f"| {seconds:.1f} | {counts['P']}/{counts['B']}/{counts['M']} = "
            f"{sum(counts.values())} |"
        )
    return lines
