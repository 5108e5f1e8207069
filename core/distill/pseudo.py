"""Pseudo-labelling: the trained teacher labels corpus audio, cached as shards.

Sources default to train/ (lang/ and heldout/ stay unseen: they are evaluation sets; a source
folder without shards is skipped with a note). Copy 0 is clean; further copies are augmented
before labelling (training also augments crops on the fly, so one clean copy is the default).
A seeded `share` of the utterances keeps the CPU cost bounded. Output shards use the corpus
format with the teacher's weights at 60 fps; a shard already on disk is skipped, so a run
resumes where it stopped.
"""

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..audio import SAMPLE_RATE
from ..corpus.augment import augment
from ..corpus.dataset import LABEL_FPS, iter_corpus, list_shards, write_shard
from ..errors import CorpusError
from ..models.configs import FRAME_RATE, config_from_dict
from .checkpoint import load_checkpoint

DONE_NAME = "pseudo_labels.json"


def resample_to_label_fps(frames_100: np.ndarray, n_samples: int) -> np.ndarray:
    """100 fps frames (T, K) -> LABEL_FPS frames (ceil(duration * 60), K) by interpolation."""
    n_out = int(np.ceil(n_samples / SAMPLE_RATE * LABEL_FPS))
    position = np.arange(n_out) / LABEL_FPS * FRAME_RATE
    columns = [np.interp(position, np.arange(len(frames_100)), c) for c in frames_100.T]
    return np.stack(columns, axis=1).astype(np.float32)


def _jobs(
    corpus_dir: Path, sources: tuple[str, ...], copies: int, share: float, seed: int
) -> Iterator[tuple]:
    pick = np.random.default_rng([seed, 7])
    for source in sources:
        if not list_shards(corpus_dir / source):
            print(f"pseudo-labelling: {corpus_dir / source} has no shards; skipped.")
            continue
        for utterance in iter_corpus(corpus_dir / source):
            if pick.random() >= share:
                continue
            for copy in range(copies):
                yield source, copy, utterance


def pseudo_label(
    teacher_checkpoint: Path,
    corpus_dir: Path,
    out_dir: Path,
    sources: tuple[str, ...] = ("train",),
    copies: int = 1,
    seed: int = 0,
    share: float = 1.0,
    shard_size: int = 64,
    device: str = "cpu",
    limit: int = 0,
) -> Path:
    """Label a `share` of the source utterances `copies` times (copy 0 clean, others augmented).

    A finished run leaves DONE_NAME, recording its arguments: a rerun with the same ones returns
    at once (listing the corpus alone takes minutes), with other ones it is an error.
    """
    import torch

    out_dir = Path(out_dir)
    arguments = {"teacher": str(teacher_checkpoint), "corpus": str(corpus_dir),
                 "sources": list(sources), "copies": copies, "seed": seed, "share": share,
                 "limit": limit}  # fmt: skip
    done = out_dir / DONE_NAME
    if done.exists():
        if json.loads(done.read_text()) != arguments:
            raise CorpusError(f"{out_dir}: holds pseudo-labels made otherwise; delete it first.")
        return out_dir

    from ..models.teacher import Teacher

    state = load_checkpoint(Path(teacher_checkpoint))
    if state is None:
        raise CorpusError(f"{teacher_checkpoint}: no teacher checkpoint; train the teacher first.")
    teacher = Teacher(config_from_dict(state["config"]))
    teacher.load_state_dict(state["model"])
    teacher.to(device).eval()
    jobs = list(_jobs(Path(corpus_dir), sources, copies, share, seed))
    if not jobs:
        raise CorpusError(f"{corpus_dir}: nothing to pseudo-label in {', '.join(sources)}.")
    if limit:
        jobs = jobs[:limit]
    for shard_index in tqdm(range(0, len(jobs), shard_size), desc="pseudo-labelling", unit="shard"):
        path = out_dir / f"shard-{shard_index // shard_size:05d}.npz"
        if path.exists():
            continue
        rng = np.random.default_rng([seed, shard_index])
        labelled, previous = [], None
        for source, copy, utterance in jobs[shard_index : shard_index + shard_size]:
            audio, desc = utterance.audio, ""
            if copy:
                audio, desc = augment(audio, rng, other_audio=previous)
            previous = utterance.audio
            with torch.no_grad():
                frames = teacher.predict(torch.from_numpy(audio)[None].to(device))[0]
            weights = resample_to_label_fps(frames.cpu().numpy(), len(audio))
            labelled.append(
                replace(
                    utterance,
                    utt_id=f"{source}/{utterance.utt_id}/{copy}",
                    audio=audio,
                    weights=weights,
                    augmentation=desc,
                )
            )
        write_shard(path, labelled)
    done.write_text(json.dumps(arguments))
    return out_dir
