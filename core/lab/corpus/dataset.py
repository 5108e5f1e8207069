"""Corpus shards on disk: utterances with 16 kHz audio, phone timings and 60 fps label curves.

A corpus is a folder of `shard-XXXXX.npz` files (written with np.savez, no pickles) plus a
`manifest.json`. Each shard holds many utterances, concatenated along time with offsets.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import CorpusError
from ...phones.phone_set import Phone

LABEL_FPS = 60


@dataclass(frozen=True)
class Utterance:
    utt_id: str
    audio: np.ndarray  # (N,) float32 at SAMPLE_RATE
    weights: np.ndarray  # (T, K) float32 at LABEL_FPS over core.rig.arkit.LOWER_FACE
    phones: tuple[Phone, ...]
    text: str
    engine: str  # "espeak", "festival", "flite", "mbrola"
    voice: str
    language: str  # "en", "es", "fr", ...
    augmentation: str = ""  # empty for clean audio
    # Pseudo-labelled shards only: the teacher's closure probability and phone posteriors,
    # (T, 1 + P) at LABEL_FPS over core.runtime.configs.TEACHER_PHONES.
    teacher: np.ndarray | None = None


def _offsets(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def write_shard(path: Path, utterances: list[Utterance]) -> None:
    """Write utterances to one shard atomically (a temporary file, then a rename)."""
    if not utterances:
        raise CorpusError(f"{path}: refusing to write an empty shard.")
    phones = [p for u in utterances for p in u.phones]
    arrays = {
        "audio": np.concatenate(
            [np.clip(np.round(u.audio * 32767), -32768, 32767).astype(np.int16) for u in utterances]
        ),
        "audio_offsets": _offsets([len(u.audio) for u in utterances]),
        "weights": np.concatenate([u.weights.astype(np.float16) for u in utterances]),
        "frame_offsets": _offsets([len(u.weights) for u in utterances]),
        "phone_start_s": np.array([p.start_s for p in phones], dtype=np.float32),
        "phone_end_s": np.array([p.end_s for p in phones], dtype=np.float32),
        "phone_label": np.array([p.label for p in phones], dtype=np.str_),
        "phone_offsets": _offsets([len(u.phones) for u in utterances]),
    }
    for field in ("utt_id", "text", "engine", "voice", "language", "augmentation"):
        arrays[field] = np.array([getattr(u, field) for u in utterances], dtype=np.str_)
    if all(u.teacher is not None for u in utterances):
        if any(len(u.teacher) != len(u.weights) for u in utterances):
            raise CorpusError(f"{path}: teacher outputs and weights differ in length.")
        arrays["teacher"] = np.concatenate([u.teacher.astype(np.float16) for u in utterances])
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, **arrays)
    partial.replace(path)


def open_shard(path: Path):
    """The shard's arrays (an NpzFile, a context manager); a clear error if unreadable."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise CorpusError(f"{path}: unreadable corpus shard ({error}).") from None


def read_shard(path: Path) -> Iterator[Utterance]:
    """Yield the utterances of one shard."""
    with open_shard(path) as data:
        ao, fo, po = data["audio_offsets"], data["frame_offsets"], data["phone_offsets"]
        for i in range(len(ao) - 1):
            phones = tuple(
                Phone(float(s), float(e), str(lab))
                for s, e, lab in zip(
                    data["phone_start_s"][po[i] : po[i + 1]],
                    data["phone_end_s"][po[i] : po[i + 1]],
                    data["phone_label"][po[i] : po[i + 1]],
                    strict=True,
                )
            )
            yield Utterance(
                utt_id=str(data["utt_id"][i]),
                audio=data["audio"][ao[i] : ao[i + 1]].astype(np.float32) / 32767,
                weights=data["weights"][fo[i] : fo[i + 1]].astype(np.float32),
                phones=phones,
                text=str(data["text"][i]),
                engine=str(data["engine"][i]),
                voice=str(data["voice"][i]),
                language=str(data["language"][i]),
                augmentation=str(data["augmentation"][i]),
                teacher=(
                    data["teacher"][fo[i] : fo[i + 1]].astype(np.float32)
                    if "teacher" in data
                    else None
                ),
            )


@dataclass(frozen=True)
class Signals:
    """One utterance as training reads it (no float copy of the audio, no Phone objects)."""

    audio: np.ndarray  # (N,) int16
    weights: np.ndarray  # (T60, K) float32
    teacher: np.ndarray | None  # (T60, 1 + P) float32, pseudo-labelled shards only
    phone_labels: np.ndarray  # (n,) str
    phone_starts_s: np.ndarray  # (n,) float32
    phone_ends_s: np.ndarray  # (n,) float32


def read_shard_signals(path: Path) -> Iterator[Signals]:
    """Yield each utterance's Signals: training's fast path."""
    with open_shard(path) as data:
        audio, weights = data["audio"], data["weights"].astype(np.float32)
        teacher = data["teacher"].astype(np.float32) if "teacher" in data else None
        labels, starts, ends = data["phone_label"], data["phone_start_s"], data["phone_end_s"]
        ao, fo, po = data["audio_offsets"], data["frame_offsets"], data["phone_offsets"]
        for i in range(len(ao) - 1):
            yield Signals(
                audio[ao[i] : ao[i + 1]],
                weights[fo[i] : fo[i + 1]],
                None if teacher is None else teacher[fo[i] : fo[i + 1]],
                labels[po[i] : po[i + 1]],
                starts[po[i] : po[i + 1]],
                ends[po[i] : po[i + 1]],
            )


def list_shards(folder: Path) -> list[Path]:
    """A folder's finished shards in a stable order ([] if none; half-written ones skipped)."""
    paths = sorted(Path(folder).glob("shard-*.npz"))
    return [path for path in paths if not path.name.endswith(".partial.npz")]


def shard_engine(shard: Path) -> str:
    """The engine in a corpus shard's name: shard-00012-espeak-en-us+f3 -> espeak (the
    unlabelled real speech's shards say "real"); "" for a bare shard-00012."""
    parts = shard.stem.split("-", 3)
    return parts[2] if len(parts) > 2 else ""


def shard_paths(corpus_dir: Path) -> list[Path]:
    """The corpus's shards in a stable order; an error when there are none."""
    paths = list_shards(corpus_dir)
    if not paths:
        raise CorpusError(f"{corpus_dir}: no corpus shards here; run `make corpus` first.")
    return paths


def iter_corpus(corpus_dir: Path) -> Iterator[Utterance]:
    """Yield every utterance of a corpus folder, shard by shard."""
    for path in shard_paths(corpus_dir):
        yield from read_shard(path)
