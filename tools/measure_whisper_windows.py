"""Measure how Whisper encoder frames depend on the window they are encoded in (real speech).

(a) a clip encoded alone, in a window of its own length, against the same clip zero-padded to
    30 s as Whisper was trained; also padded to shorter minimum windows.
(b) a 30 s stretch of real speech encoded in one window against shorter overlapping windows
    (the chunk rule for long clips): frame similarity as a function of the distance from the
    window edge, and of the window length.

Cosines are per frame, printed as plain / centred: "centred" subtracts the reference's mean
frame first (Whisper's frames share a large constant part, which flatters the plain cosine);
p5 = 5th percentile of the centred cosine; end = its mean over each clip's last 25 frames.

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


OPTIONS = {"own length": 0, "min 5 s": 250, "min 10 s": 500, "min 20 s": 1000}  # pad to frames


def window_study(encoder: we.WhisperEncoder, clips: list[np.ndarray]) -> None:
    layers = (2, 3, 4)
    groups = {"words < 2 s": [c for c in clips if len(c) < 2 * we.SAMPLE_RATE],
              "clips 2-30 s": [c for c in clips if len(c) >= 2 * we.SAMPLE_RATE]}  # fmt: skip
    print("(a) window of the clip's own length or padded to a minimum, vs zero-padded to 30 s")
    for group, members in groups.items():
        seconds = sum(len(c) for c in members) / we.SAMPLE_RATE
        print(f"  {group}: {len(members)} clips, {seconds:.0f} s")
        references = [encode_window(encoder, c, we.MAX_FRAMES, layers) for c in members]
        for option, frames in OPTIONS.items():
            outputs = [encode_window(encoder, c, frames, layers) for c in members]
            cells = []
            for i, layer in enumerate(layers):
                ref = np.concatenate([r[i] for r in references])
                out = np.concatenate([o[i] for o in outputs])
                mean = ref.mean(0)
                centred = cosines(out, ref, mean)
                pairs = zip(outputs, references, strict=True)
                tail = np.concatenate([cosines(o[i][-25:], r[i][-25:], mean) for o, r in pairs])
                plain = cosines(out, ref).mean()
                p5 = np.percentile(centred, 5)
                cells.append(
                    f"L{layer} {plain:.3f} / {centred.mean():.3f} p5 {p5:.2f} end {tail.mean():.2f}"
                )
            print(f"    {option:10s} " + " | ".join(cells))


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
    parser.add_argument("--window", type=int, default=500, help="(b): window length, frames")
    parser.add_argument("--skip-a", action="store_true", help="only (b)")
    args = parser.parse_args()
    encoder = we.load_whisper_encoder()
    paths = sorted(args.devset.glob("*.wav")) or [ROOT / "assets" / "sample_speech.wav"]
    audio = [sf.read(path, dtype="float32")[0] for path in paths]
    if not args.skip_a:
        window_study(encoder, [a for a in audio if len(a) <= 30 * we.SAMPLE_RATE])
    long = np.concatenate(sorted(audio, key=len, reverse=True))[: 90 * we.SAMPLE_RATE]
    chunk_study(encoder, long, args.window)


if __name__ == "__main__":
    main()
