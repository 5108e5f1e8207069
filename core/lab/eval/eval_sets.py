"""The evaluation sets of `make eval`: the real dev set's two halves and the synthetic sets."""

from pathlib import Path

from ...errors import LipSyncError
from ...rig.arkit import LOWER_FACE
from ..corpus.dataset import LABEL_FPS, iter_corpus
from .devset import load_devset
from .devset_split import CHOOSE, REPORT, split_clips
from .scoring import EVAL_FPS, EvalItem

REAL_CHOOSE = "real dev set, choose half"  # recipes and thresholds may be tuned on it
REAL_REPORT = "real dev set, report half"  # only reported (the README quotes it)
REAL_HALVES = {CHOOSE: REAL_CHOOSE, REPORT: REAL_REPORT}
SYNTHETIC_CLIPS = 150  # per synthetic set, spread over its voices


def real_items(devset_dir: Path, max_clips: int | None) -> list[EvalItem]:
    """The whole dev set's clips as evaluation items (references are filled in later)."""
    clips = load_devset(devset_dir)[:max_clips]
    return [EvalItem(c.clip_id, c.audio, c.phones, text=c.text) for c in clips]


def real_halves(devset_dir: Path, max_clips: int | None) -> dict[str, list[EvalItem]]:
    """The dev set's choose and report halves (split by speaker), each at most max_clips long;
    an empty half is left out."""
    halves = split_clips(load_devset(devset_dir))
    sets = {}
    for half, clips in halves.items():
        items = [EvalItem(c.clip_id, c.audio, c.phones, text=c.text) for c in clips[:max_clips]]
        if items:
            sets[REAL_HALVES[half]] = items
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
