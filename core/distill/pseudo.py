"""Pseudo-labelling: the trained teacher labels clean and augmented audio, cached as shards.

Sources default to train/ (augmented copies) and lang/ (voices and languages the teacher never
trained on). Output shards use the corpus format with the teacher's weights at 60 fps; a shard
already on disk is skipped, so an interrupted run resumes where it stopped.
"""

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..audio import SAMPLE_RATE
from ..corpus.augment import augment
from ..corpus.dataset import LABEL_FPS, iter_corpus, write_shard
from ..errors import CorpusError
from ..models.configs import FRAME_RATE, config_from_dict
from .checkpoint import load_checkpoint


def resample_to_label_fps(frames_100: np.ndarray, n_samples: int) -> np.ndarray:
    """100 fps frames (T, K) -> LABEL_FPS frames (ceil(duration * 60), K) by interpolation."""
    n_out = int(np.ceil(n_samples / SAMPLE_RATE * LABEL_FPS))
    position = np.arange(n_out) / LABEL_FPS * FRAME_RATE
    columns = [np.interp(position, np.arange(len(frames_100)), c) for c in frames_100.T]
    return np.stack(columns, axis=1).astype(np.float32)


def _jobs(corpus_dir: Path, sources: tuple[str, ...], copies: int) -> Iterator[tuple]:
    for source in sources:
        for utterance in iter_corpus(corpus_dir / source):
            for copy in range(copies):
                yield source, copy, utterance


def pseudo_label(
    teacher_checkpoint: Path,
    corpus_dir: Path,
    out_dir: Path,
    sources: tuple[str, ...] = ("train", "lang"),
    copies: int = 2,
    seed: int = 0,
    shard_size: int = 64,
    device: str = "cpu",
    limit: int = 0,
) -> Path:
    """Label every source utterance `copies` times (copy 0 clean, others augmented)."""
    import torch

    from ..models.teacher import Teacher

    state = load_checkpoint(Path(teacher_checkpoint))
    if state is None:
        raise CorpusError(f"{teacher_checkpoint}: no teacher checkpoint; train the teacher first.")
    teacher = Teacher(config_from_dict(state["config"]))
    teacher.load_state_dict(state["model"])
    teacher.to(device).eval()
    jobs = list(_jobs(Path(corpus_dir), sources, copies))
    if limit:
        jobs = jobs[:limit]
    out_dir = Path(out_dir)
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
    return out_dir
