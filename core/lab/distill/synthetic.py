"""A small synthetic corpus whose labels are a function of the audio, for tests and dry runs.

Each utterance is a sequence of 60-200 ms segments of four sound classes (silence, a low
harmonic tone, a high tone, a noise burst); each class has a fixed mouth pose, so a model that
hears the class can predict the weights. Written in the real corpus shard format.

    python -m core.lab.distill.synthetic --out data/synthetic --utterances 64
"""

import argparse
from pathlib import Path

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ...phones.phone_set import Phone
from ...rig.arkit import LOWER_FACE, channel_index
from ..corpus.dataset import LABEL_FPS, Utterance, write_shard

CLASSES = ("SIL", "AA", "IY", "S")
POSES = {  # class -> {channel: weight}; unnamed channels stay 0
    "SIL": {"mouthClose": 0.6},
    "AA": {"jawOpen": 0.8, "mouthLowerDownLeft": 0.4, "mouthLowerDownRight": 0.4},
    "IY": {"mouthStretchLeft": 0.6, "mouthStretchRight": 0.6, "jawOpen": 0.2},
    "S": {"mouthPucker": 0.5, "mouthFunnel": 0.3},
}


def _pose(label: str) -> np.ndarray:
    index = channel_index(LOWER_FACE)
    pose = np.zeros(len(LOWER_FACE), np.float32)
    for name, weight in POSES[label].items():
        pose[index[name]] = weight
    return pose


def _segment_audio(label: str, n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    envelope = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / 80.0)
    if label == "SIL":
        return 0.002 * rng.standard_normal(n)
    if label == "AA":
        f0 = rng.uniform(110, 180)
        return envelope * sum(0.3 / h * np.sin(2 * np.pi * f0 * h * t) for h in range(1, 6))
    if label == "IY":
        return envelope * 0.3 * np.sin(2 * np.pi * rng.uniform(1800, 2600) * t)
    return envelope * 0.15 * rng.standard_normal(n)


def synthetic_utterance(
    utt_id: str, rng: np.random.Generator, duration_s: float, language: str = "en"
) -> Utterance:
    """One utterance of random segments with labels that follow the segment classes."""
    pieces, phones, start = [], [], 0
    total = int(duration_s * SAMPLE_RATE)
    while start < total:
        n = min(total - start, int(rng.uniform(0.06, 0.2) * SAMPLE_RATE))
        label = CLASSES[int(rng.integers(len(CLASSES)))]
        pieces.append(_segment_audio(label, n, rng))
        phones.append(Phone(start / SAMPLE_RATE, (start + n) / SAMPLE_RATE, label))
        start += n
    audio = np.concatenate(pieces).astype(np.float32)
    n_frames = int(np.ceil(total / SAMPLE_RATE * LABEL_FPS))
    times = np.arange(n_frames) / LABEL_FPS
    weights = np.zeros((n_frames, len(LOWER_FACE)), np.float32)
    for phone in phones:
        weights[(times >= phone.start_s) & (times < phone.end_s)] = _pose(phone.label)
    kernel = np.ones(3, np.float32) / 3  # a little coarticulation
    padded = np.pad(weights, ((1, 1), (0, 0)), mode="edge")
    weights = padded[:-2] * kernel[0] + padded[1:-1] * kernel[1] + padded[2:] * kernel[2]
    return Utterance(
        utt_id,
        audio,
        weights.astype(np.float32),
        tuple(phones),
        " ".join(p.label for p in phones),
        "synthetic",
        "tones",
        language,
    )


def make_synthetic_corpus(
    out_dir: Path,
    n_utterances: int = 32,
    seed: int = 0,
    duration_s: tuple[float, float] = (1.0, 3.0),
) -> Path:
    """Write train/, heldout/ and lang/ synthetic corpora under out_dir; return out_dir."""
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    for split, count, language in (
        ("train", n_utterances, "en"),
        ("heldout", max(2, n_utterances // 8), "en"),
        ("lang", max(2, n_utterances // 8), "xx"),
    ):
        utterances = [
            synthetic_utterance(f"{split}-{i:05d}", rng, rng.uniform(*duration_s), language)
            for i in range(count)
        ]
        write_shard(out_dir / split / "shard-00000.npz", utterances)
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a small synthetic corpus.")
    parser.add_argument("--out", type=Path, default=Path("data/synthetic"))
    parser.add_argument("--utterances", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(make_synthetic_corpus(args.out, args.utterances, args.seed))


if __name__ == "__main__":
    main()
