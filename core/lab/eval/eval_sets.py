"""The evaluation sets of `make eval`: the real dev set's two halves and the synthetic sets."""

from pathlib import Path

from ...errors import LipSyncError
from ...rig.arkit import LOWER_FACE
from ..corpus.dataset import LABEL_FPS, iter_corpus
from .devset import load_devset
from .devset_split import CHOOSE, FIRST_BATCH, REPORT, split_clips
from .scoring import EVAL_FPS, EvalItem

# The dev set's first version (its speaker groups of 2026-12-05): the reference rows.
REAL_CHOOSE = "real dev set, choose half"  # recipes and thresholds may be tuned on it
REAL_REPORT = "real dev set, report half"  # only reported (the README quotes it)
REAL_HALVES = {CHOOSE: REAL_CHOOSE, REPORT: REAL_REPORT}
# The whole dev set: the first version plus the groups added since (devset_more_sources).
REAL_V2_CHOOSE = "real dev set v2, choose half"
REAL_V2_REPORT = "real dev set v2, report half"
REAL_V2_HALVES = {CHOOSE: REAL_V2_CHOOSE, REPORT: REAL_V2_REPORT}
SYNTHETIC_CLIPS = 150  # per synthetic set, spread over its voices


def real_items(devset_dir: Path, max_clips: int | None) -> list[EvalItem]:
    """The whole dev set's clips as evaluation items (references are filled in later)."""
    clips = load_devset(devset_dir)[:max_clips]
    return [EvalItem(c.clip_id, c.audio, c.phones, text=c.text) for c in clips]


def real_halves(devset_dir: Path, max_clips: int | None) -> dict[str, list[EvalItem]]:
    """The dev set's choose and report halves (split by speaker), each at most max_clips long:
    those of its first version and, where later groups are on disk, those of the whole set (v2);
    an empty half is left out."""
    clips = load_devset(devset_dir)
    versions = [(REAL_HALVES, True)]
    if any(c.speaker not in FIRST_BATCH for c in clips):
        versions.append((REAL_V2_HALVES, False))
    sets = {}
    for names, first_only in versions:
        for half, members in split_clips(clips, first_batch_only=first_only).items():
            items = [EvalItem(c.clip_id, c.audio, c.phones, text=c.text) for c in members]
            if items[:max_clips]:
                sets[names[half]] = items[:max_clips]
    return sets


def synthetic_items(folder: Path, max_clips: int | None) -> list[EvalItem]:
    """Utterances spread evenly over a corpus folder (every voice), with their label curves.

    At most max_clips, else SYNTHETIC_CLIPS: a full held-out split is hours of speech.
    """
    if LABEL_FPS != EVAL_FPS:
        raise LipSyncError(f"corpus labels are {LABEL_FPS} fps; evaluation needs {EVAL_FPS}.")
    utterances = list(iter_corpus(folder))
    keep = max_clips if max_clips is not None else SYNTHETIC_CLIPS
    utterances = utterances[:: max(1, -(-len(utterances) // max(1, keep)))][:keep]
    items = []
    for utterance in utterances:
        name = f"{utterance.utt_id}{'+' + utterance.augmentation if utterance.augmentation else ''}"
        items.append(
            EvalItem(
                name,
                utterance.audio,
                utterance.phones,
                utterance.weights,
                LOWER_FACE,
                utterance.text,
            )
        )
    return items
