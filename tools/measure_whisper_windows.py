"""Measure how Whisper encoder frames depend on the window they are encoded in (real speech).

(a) a clip encoded alone, in a window of its own length, against the same clip zero-padded to
    30 s as Whisper was trained; also padded to shorter minimum windows.
(b) a 30 s stretch of real speech encoded in one window against shorter overlapping windows
    (the chunk rule for long clips): frame similarity as a function of the distance from the
    window edge, and of the window length.

Cosines are per frame; "centred" subtracts the mean frame of the reference first (Whisper's
frames share a large constant part, which flatters the plain cosine).

    OMP_NUM_THREADS=1 .venv/bin/python tools/measure_whisper_windows.py [--devset data/devset]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core.runtime import whisper_encoder as we  # noqa: E402


def cosines(a: np.ndarray, b: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Per-frame cosine of a and b (T, C), both centred on mean when given."""
    if mean is not None:
        a, b = a - mean, b - mean
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-12)


def encode_window(encoder: we.WhisperEncoder, samples: np.ndarray, n_frames: int, layers) -> list:
    """Encode samples zero-padded to n_frames frames (as Whisper pads to 30 s); outputs cut to
    the clip's own ceil(N / 320) frames."""
    frames = -(-len(samples) // we.SAMPLES_PER_FRAME)
    padded = np.pad(samples, (0, max(0, n_frames * we.SAMPLES_PER_FRAME - len(samples))))
    return [out[:frames] for out in encoder.encode_mel(we.log_mel(padded), layers)]


def summary(values: np.ndarray) -> str:
    return f"mean {values.mean():.4f}  p5 {np.percentile(values, 5):.4f}  min {values.min():.4f}"


def window_study(encoder: we.WhisperEncoder, clips: list[np.ndarray]) -> None:
    layers = tuple(range(we.N_LAYERS + 1))
    results: dict[tuple[str, int], list[np.ndarray]] = {}
    for samples in clips:
        reference = encode_window(encoder, samples, we.MAX_FRAMES, layers)
        for name, frames in (("own length", 0), ("min 5 s", 250), ("min 10 s", 500)):
            outputs = encode_window(encoder, samples, frames, layers)
            for layer, out, ref in zip(layers, outputs, reference, strict=True):
                results.setdefault((name, layer), []).append(np.stack([ref, out]))
    print("(a) window of the clip's own length (or a minimum) vs zero-padded to 30 s")
    for (name, layer), pairs in results.items():
        refs = np.concatenate([p[0] for p in pairs])
        outs = np.concatenate([p[1] for p in pairs])
        mean = refs.mean(0)
        rel = np.linalg.norm(outs - refs, axis=1) / np.linalg.norm(refs, axis=1)
        print(f"  {name:10s} layer {layer}: cos {summary(cosines(outs, refs))} | centred "
              f"{summary(cosines(outs, refs, mean))} | rel err mean {rel.mean():.3f}")  # fmt: skip


def chunk_study(encoder: we.WhisperEncoder, samples: np.ndarray, window: int) -> None:
    """Right-edge context at equal positions, and the jump between overlapping windows."""
    layers = (2, 3, 4)
    mel = we.log_mel(samples)
    n_frames = len(mel) // 2
    print(f"(b) windows of {window} frames over {n_frames / we.FRAME_RATE:.0f} s of real speech")
    bins = ((0, 5), (5, 10), (10, 25), (25, 50), (50, 100), (100, 250), (250, window))
    by_distance: dict[int, dict[int, list[float]]] = {layer: {} for layer in layers}
    references = {}
    for start in range(0, n_frames - we.MAX_FRAMES + 1, window // 2):
        reference = encoder.encode_mel(mel[2 * start : 2 * (start + we.MAX_FRAMES)], layers)
        out = encoder.encode_mel(mel[2 * start : 2 * (start + window)], layers)
        for layer, o, r in zip(layers, out, reference, strict=True):
            references.setdefault(layer, []).append(r)
            cos = cosines(o, r[:window], np.mean(r, 0))
            for i, value in enumerate(cos):
                by_distance[layer].setdefault(window - 1 - i, []).append(value)
    print("  same start, 30 s window as reference: centred cosine by frames of right context")
    for layer in layers:
        cells = []
        for lo, hi in bins:
            values = [v for d, vs in by_distance[layer].items() if lo <= d < hi for v in vs]
            cells.append(f"{lo}-{hi}: {np.mean(values):.3f}")
        print(f"  layer {layer}: " + "  ".join(cells))
    print("  overlapping windows: centred cosine of the two encodings of each overlap frame")
    for overlap in (50, 100, 250):
        step = window - overlap
        seam: dict[int, list[float]] = {layer: [] for layer in layers}
        middle: dict[int, list[float]] = {layer: [] for layer in layers}
        for start in range(0, n_frames - window - step + 1, step):
            left = encoder.encode_mel(mel[2 * start : 2 * (start + window)], layers)
            right = encoder.encode_mel(
                mel[2 * (start + step) : 2 * (start + step + window)], layers
            )
            for layer, lo, ro in zip(layers, left, right, strict=True):
                mean = np.mean(np.concatenate(references[layer]), 0)
                cos = cosines(lo[step:], ro[:overlap], mean)
                seam[layer].append(cos[overlap // 2 - 2 : overlap // 2 + 2].mean())
                middle[layer].append(cos.mean())
        cells = [f"layer {n}: at the seam {np.mean(seam[n]):.3f}" for n in layers]
        print(f"  overlap {overlap}: " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT / "data" / "devset")
    parser.add_argument("--clips", type=int, default=30, help="at most this many short clips")
    parser.add_argument("--window", type=int, default=500, help="(b): window length, frames")
    parser.add_argument("--skip-a", action="store_true", help="only (b)")
    args = parser.parse_args()
    encoder = we.load_whisper_encoder()
    paths = sorted(args.devset.glob("*.wav")) or [ROOT / "assets" / "sample_speech.wav"]
    audio = [sf.read(path, dtype="float32")[0] for path in paths]
    short = [a for a in audio if len(a) <= 30 * we.SAMPLE_RATE]
    step = max(1, len(short) // args.clips)
    chosen = short[::step][: args.clips]
    seconds = sum(len(a) for a in chosen) / we.SAMPLE_RATE
    print(f"{len(chosen)} real clips, {seconds:.0f} s")
    if not args.skip_a:
        window_study(encoder, chosen)
    long = np.concatenate(sorted(audio, key=len, reverse=True))[: 90 * we.SAMPLE_RATE]
    chunk_study(encoder, long, args.window)


if __name__ == "__main__":
    main()
