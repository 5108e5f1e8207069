"""The choosing sets: where recipes, checkpoints and thresholds are chosen, never the report half.

The dev set's choose half is real speech, but mostly single words said in quiet rooms. The
product's users animate running dialogue recorded in rooms, so the Kokoro voices that no model
trains on (the corpus's heldout/ split: running English with forced-aligned phones) count too,
clean and under the fixed room and noise of core.lab.eval.degrade. A set's merit is PBM within
40 ms minus false consonant closures; a model's merit weighs the real speech as much as the
synthetic sets together: the mean of the choose half's merit and the Kokoro sets' mean merit.
A plain mean over the four sets let one synthetic voice outvote real speech: seal ramps chosen by
it added 13-15 points of false closures on the choose half for 8-9 points of p/b/m
(reports/training_log.md).
"""

import dataclasses
from pathlib import Path

from ...errors import CorpusError
from ..corpus.dataset import iter_corpus, list_shards, shard_engine
from ..corpus.kokoro import ENGINE as KOKORO
from .degrade import degrade
from .devset import load_devset
from .devset_split import CHOOSE, split_clips

REAL_SET = "choose half"


def kokoro_heldout(corpus: Path) -> list:
    """The clean utterances of the corpus's held-out Kokoro shards (`make corpus-kokoro` builds
    them; audio and forced-aligned phones, as dev clips have)."""
    folder = corpus / "heldout"
    if KOKORO not in {shard_engine(p) for p in list_shards(folder)}:
        raise CorpusError(
            f"{folder}: no Kokoro shards; build them with `make corpus-kokoro` "
            "(core.lab.corpus.build --engine kokoro --split heldout)."
        )
    return [u for u in iter_corpus(folder) if u.engine == KOKORO and not u.augmentation]


def degraded(clips: list, kind: str) -> list:
    """The clips under one fixed degradation, each seeded by its place in the set."""
    return [
        dataclasses.replace(clip, audio=degrade(clip.audio, kind, str(i)))
        for i, clip in enumerate(clips)
    ]


def choosing_sets(devset_dir: Path, corpus: Path) -> dict[str, list]:
    """Name -> clips (audio, phones) of every choosing set."""
    choose = split_clips(load_devset(devset_dir))[CHOOSE]
    if not choose:
        raise CorpusError(f"{devset_dir}: no choose-half clips; run `make devset`.")
    heldout = kokoro_heldout(corpus)
    return {
        REAL_SET: choose,
        "Kokoro held out": heldout,
        "Kokoro held out, reverb": degraded(heldout, "reverb"),
        "Kokoro held out, noise": degraded(heldout, "noise"),
    }


def set_summaries(model, sets: dict[str, list], head) -> dict[str, dict[str, float]]:
    """Name -> closure summary (core.lab.eval.scoring.closure_summary) of a loaded model per set."""
    from .scoring import closure_summary

    return {name: closure_summary(model, clips, head) for name, clips in sets.items()}


def set_merit(summary: dict[str, float]) -> float:
    """One set's merit from a closure summary (core.lab.eval.scoring.closure_summary)."""
    return summary["pbm_40ms_pct"] - summary["false_closure_consonant_pct"]


def merit(summaries: dict[str, dict[str, float]]) -> float:
    """A model's merit from its choosing sets' summaries (the rule above): REAL_SET weighs half,
    the other sets share the other half."""
    synthetic = [set_merit(s) for name, s in summaries.items() if name != REAL_SET]
    real = set_merit(summaries[REAL_SET])
    return (real + sum(synthetic) / len(synthetic)) / 2 if synthetic else real
