"""Whisper feature cache: the frozen encoder runs once per corpus utterance, training reads it.

    python -m core.lab.distill.features --corpus data/corpus --out runs/features [--split train]

One cache shard per corpus shard (same name, under the split's folder), written atomically and
skipped when present, so the job resumes anywhere and follows a corpus that is still growing.
Each holds, per utterance, the encoder features (L, F) float16 at 50 tokens/s and the 100 fps
targets (2L frames): procedural weights, phone-class ids and the shard's engine/voice, so the
head trains in minutes on two cores instead of re-running the encoder every step.
"""

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ...errors import CorpusError
from ...runtime.configs import FRAMES_PER_TOKEN, TEACHER_PHONES, WhisperTeacherConfig
from ...runtime.whisper_teacher import encoder_features, load_encoder
from ..corpus.dataset import list_shards, read_shard, shard_engine
from .data import labels_at_frames, phone_ids_at_frames

BILABIAL_IDS = tuple(TEACHER_PHONES.index(p) for p in ("P", "B", "M"))


@dataclass(frozen=True)
class CachedUtterance:
    features: np.ndarray  # (L, F) float16
    weights: np.ndarray  # (2L, K) float32, procedural labels at 100 fps
    phone_ids: np.ndarray  # (2L,) int8 into config.phones
    engine: str
    voice: str
    source: str  # "<shard name>/<index>"


def write_cache_shard(
    out_path: Path,
    feats: list,
    weights: list,
    ids: list,
    names: list[str],
    engines: list[str],
    voices: list[str],
) -> None:
    """Write one cache shard atomically: per-utterance arrays concatenated, token offsets."""
    offsets = np.concatenate([[0], np.cumsum([len(f) for f in feats])]).astype(np.int64)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial.npz")
    np.savez(
        partial,
        features=np.concatenate(feats),
        token_offsets=offsets,
        weights=np.concatenate(weights),
        phone_ids=np.concatenate(ids),
        source=np.array(names),
        engine=np.array(engines),
        voice=np.array(voices),
    )
    partial.replace(out_path)


def cache_shard(corpus_shard: Path, out_path: Path, encoder, config: WhisperTeacherConfig) -> int:
    """Encode every utterance of one corpus shard into out_path; returns the utterance count."""
    feats, weights, ids, names = [], [], [], []
    engines, voices = [], []
    for k, utterance in enumerate(read_shard(corpus_shard)):
        features = encoder_features(encoder, utterance.audio, config.feature_layers)  # (L, F)
        n_frames = FRAMES_PER_TOKEN * len(features)
        feats.append(features.astype(np.float16))
        weights.append(labels_at_frames(utterance.weights, 0, n_frames).astype(np.float16))
        ids.append(phone_ids_at_frames(utterance.phones, n_frames, config.phones))
        names.append(f"{corpus_shard.stem}/{k}")
        engines.append(utterance.engine)
        voices.append(utterance.voice)
    if not feats:
        raise CorpusError(f"{corpus_shard}: holds no utterances.")
    write_cache_shard(out_path, feats, weights, ids, names, engines, voices)
    return len(feats)


QUIET_NAME = "shard-quiet.npz"  # no corpus shard of this name: the pseudo-labeller skips it


def cache_quiet(
    out_path: Path, encoder, config: WhisperTeacherConfig, count: int = 60, seed: int = 0
) -> None:
    """A cache shard of quiet clips (digital silence, room tone, quiet noise, 1-8 s) whose
    targets are the rest pose and silence: what lies between lines."""
    from .data import quiet_crop

    rng = np.random.default_rng([seed, 11])
    feats, weights, ids = [], [], []
    for _ in range(count):
        audio = quiet_crop(int(rng.uniform(1.0, 8.0) * 16000), rng)
        features = encoder_features(encoder, audio, config.feature_layers)
        feats.append(features.astype(np.float16))
        weights.append(
            np.zeros((FRAMES_PER_TOKEN * len(features), len(config.channels)), np.float16)
        )
        ids.append(np.zeros(FRAMES_PER_TOKEN * len(features), np.int8))
    names = [f"quiet/{i}" for i in range(count)]
    write_cache_shard(out_path, feats, weights, ids, names, ["quiet"] * count, ["quiet"] * count)


def read_cache_shard(path: Path, engines: tuple[str, ...] = ()) -> Iterator[CachedUtterance]:
    """The cached utterances of one feature shard in corpus order (of `engines` only, if given)."""
    with np.load(path, allow_pickle=False) as data:
        if engines and not set(engines) & set(data["engine"].tolist()):
            return
        tokens, feats = data["token_offsets"], data["features"]
        weights, ids = data["weights"].astype(np.float32), data["phone_ids"]
        for i in range(len(tokens) - 1):
            if engines and str(data["engine"][i]) not in engines:
                continue
            a, b = int(tokens[i]), int(tokens[i + 1])
            s, e = FRAMES_PER_TOKEN * a, FRAMES_PER_TOKEN * b
            yield CachedUtterance(
                feats[a:b],
                weights[s:e],
                ids[s:e],
                str(data["engine"][i]),
                str(data["voice"][i]),
                str(data["source"][i]),
            )


def read_cache(folder: Path, engines: tuple[str, ...] = ()) -> Iterator[CachedUtterance]:
    """Every cached utterance of one split folder, optionally of the given engines only."""
    for path in list_shards(folder):
        yield from read_cache_shard(path, engines)


def interleave_voices(todo: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """Shards reordered round-robin over voices (the first of every voice, then the second...),
    so a cache stopped early still covers every voice."""
    seen: dict[str, int] = {}
    ranked = []
    for shard, out in todo:
        voice = shard.stem.split("-", 2)[-1]  # shard-00012-espeak-en-us+f3 -> espeak-en-us+f3
        seen[voice] = seen.get(voice, -1) + 1
        ranked.append((seen[voice], shard.name, shard, out))
    return [(shard, out) for _, _, shard, out in sorted(ranked)]


def still_to_cache(todo: list[tuple[Path, Path]], limit: int) -> list[tuple[Path, Path]]:
    """Of (corpus shard, cache path) pairs, the first `limit` round-robin over voices (0: all)
    whose cache file is missing. The order is taken over every pair, cached or not, so a run
    resumed after an interruption caches the same shards as one that was not interrupted."""
    return [
        (shard, out) for shard, out in interleave_voices(todo)[: limit or None] if not out.exists()
    ]


def build_cache(
    corpus_dir: Path,
    out_dir: Path,
    splits: tuple[str, ...],
    encoder_path: Path,
    limit: int = 0,
    engines: tuple[str, ...] = (),
    skip_engines: tuple[str, ...] = (),
) -> int:
    """Cache every finished corpus shard of `splits` (of `engines`, if given; not of
    `skip_engines`) not cached yet, or with a `limit`, the first `limit` of them round-robin over
    voices (0: all). The same shards whether the run was interrupted or not: the order is taken
    over every shard, cached or not, so a resumed run does not fill its limit with the second
    shards of the voices it had already reached. Returns shards written."""
    config = WhisperTeacherConfig()
    encoder = load_encoder(encoder_path)
    todo = [
        (shard, Path(out_dir) / split / shard.name)
        for split in splits
        for shard in list_shards(Path(corpus_dir) / split)
        if (not engines or shard_engine(shard) in engines)
        and shard_engine(shard) not in skip_engines
    ]
    todo = still_to_cache(todo, limit)
    started = time.perf_counter()
    quiet = Path(out_dir) / "train" / QUIET_NAME
    if "train" in splits and not quiet.exists():
        cache_quiet(quiet, encoder, config)
    for shard, out in tqdm(todo, desc="whisper features", unit="shard"):
        cache_shard(shard, out, encoder, config)
    print(f"cached {len(todo)} shards in {time.perf_counter() - started:.0f} s")
    return len(todo)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    from ...runtime.whisper_teacher import DEFAULT_ENCODER

    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.features", description=__doc__
    )
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--out", type=Path, default=Path("runs/features"))
    parser.add_argument("--split", action="append", default=[], help="default: train, heldout")
    parser.add_argument("--encoder", type=Path, default=DEFAULT_ENCODER)
    parser.add_argument("--limit", type=int, default=0, help="cache at most this many shards")
    parser.add_argument("--engine", action="append", default=[], help="only this engine's shards")
    args = parser.parse_args(argv)
    build_cache(
        args.corpus,
        args.out,
        tuple(args.split or ("train", "heldout")),
        args.encoder,
        args.limit,
        tuple(args.engine),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
