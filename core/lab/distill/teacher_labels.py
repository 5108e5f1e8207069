"""Pseudo-labels from the Whisper teacher: its head over the cached features of every utterance.

    python -m core.lab.distill.teacher_labels --teacher runs/teacher --features runs/features \
        --corpus data/corpus --out runs/pseudo

The students' targets are what the shipped teacher outputs (closure rule and speech margin
included), written as corpus shards (same audio, the teacher's weights at 60 fps, and its closure
probability and phone posteriors for the students' phone-aware heads) so the student trainer
reads them like any corpus. Every utterance of train/ (clean and augmented copies, every engine)
and of unlabelled/ (real human speech, core.lab.corpus.unlabelled_speech) is labelled; a shard
already on disk is skipped, so the job resumes and follows a growing cache.
"""

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ...audio.prepare import SAMPLE_RATE
from ...errors import CorpusError
from ...rig.seal import part_near_speech, seal_closures
from ...runtime.configs import FRAME_RATE, config_from_dict
from ..corpus.dataset import LABEL_FPS, list_shards, read_shard, write_shard
from ..corpus.unlabelled_speech import SPLIT as UNLABELLED
from .checkpoint import trained_state
from .features import read_cache_shard

# The synthetic corpus's train/ and the unlabelled real speech (where built): the students'
# whole training audio. heldout/ and lang/ stay evaluation sets.
PSEUDO_SPLITS = ("train", UNLABELLED)
LABELS_NOTE = "labels.json"  # beside the shards: how the teacher labelled them, for the cards


def labels_note(pseudo_dir: Path) -> dict:
    """What label_corpus recorded of the teacher that labelled pseudo_dir ({} if nothing)."""
    path = Path(pseudo_dir) / LABELS_NOTE
    return json.loads(path.read_text()) if path.exists() else {}


def resample_to_label_fps(frames_100: np.ndarray, n_samples: int) -> np.ndarray:
    """100 fps frames (T, K) -> LABEL_FPS frames (ceil(duration * 60), K) by interpolation."""
    n_out = int(np.ceil(n_samples / SAMPLE_RATE * LABEL_FPS))
    position = np.arange(n_out) / LABEL_FPS * FRAME_RATE
    columns = [np.interp(position, np.arange(len(frames_100)), c) for c in frames_100.T]
    return np.stack(columns, axis=1).astype(np.float32)


def load_head(source: Path):
    """The trained TeacherHead (torch, eval mode) of a teacher run folder or model file."""
    from ..models.teacher_head import TeacherHead

    state = trained_state(source)
    if state is None:
        raise CorpusError(f"{source}: no teacher checkpoint; train the teacher first.")
    head = TeacherHead(config_from_dict(state["config"]))
    head.load_state_dict(state["model"])
    return head.eval()


def head_outputs(head, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of features (L, F): weights (2L, K) after the closure rule, and the other targets the
    students learn, (2L, 1 + P): closure probability, then phone posteriors."""
    import torch

    with torch.no_grad():
        weights, phones, closure = head(torch.from_numpy(features.astype(np.float32))[None])
    probability = torch.sigmoid(closure[0]).numpy()
    posteriors = torch.softmax(phones[0], dim=-1).numpy()
    sealed = seal_closures(weights[0].numpy(), probability, head.config.channels)
    if head.config.speech_margin:  # the students learn to part the lips ahead within their window
        silence = posteriors[:, head.config.phones.index("SIL")]
        sealed = part_near_speech(sealed, probability, silence, head.config)
    return sealed, np.concatenate([probability[:, None], posteriors], axis=1)


def label_corpus(
    teacher_dir: Path,
    features_dir: Path,
    corpus_dir: Path,
    out_dir: Path,
    splits: tuple[str, ...] = PSEUDO_SPLITS,
) -> int:
    """Write a pseudo-labelled copy of every cached corpus shard of `splits` into out_dir;
    returns shards made."""
    head = load_head(teacher_dir)
    note = {"speech_margin_ms": round(head.config.speech_margin * 1000 / FRAME_RATE)}
    written = labels_note(out_dir)
    if written and written != note:  # one folder, one margin: mixed labels would mislead
        raise CorpusError(f"{out_dir}: labelled by a teacher with {written}; use another --out.")
    if not any(Path(out_dir).glob("shard-*.npz")):  # shards with no note: teacher unknown
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        (Path(out_dir) / LABELS_NOTE).write_text(json.dumps(note) + "\n")
    made = 0
    cached = {p.name: p for split in splits for p in list_shards(Path(features_dir) / split)}
    shards = [
        p for split in splits for p in list_shards(Path(corpus_dir) / split) if p.name in cached
    ]
    for shard in tqdm(shards, desc="teacher pseudo-labels", unit="shard"):
        out = Path(out_dir) / shard.name
        if out.exists():
            continue
        features = [u.features for u in read_cache_shard(cached[shard.name])]
        labelled = []
        for utterance, feats in zip(read_shard(shard), features, strict=True):
            weights, teacher = (
                resample_to_label_fps(frames, len(utterance.audio))
                for frames in head_outputs(head, feats)
            )
            labelled.append(replace(utterance, weights=weights, teacher=teacher))
        write_shard(out, labelled)
        made += 1
    return made


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m core.lab.distill.teacher_labels")
    parser.add_argument(
        "--teacher",
        type=Path,
        default=Path("runs/teacher"),
        help="a teacher run folder or model file (assets/models/teacher.npz)",
    )
    parser.add_argument("--features", type=Path, default=Path("runs/features"))
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--out", type=Path, default=Path("runs/pseudo"))
    args = parser.parse_args(argv)
    made = label_corpus(args.teacher, args.features, args.corpus, args.out)
    print(f"pseudo-labelled {made} shards into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
