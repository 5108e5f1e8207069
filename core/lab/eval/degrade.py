"""Fixed degradations of evaluation audio: how robust a model is to the room and the channel.

The students lose to the teacher on real recordings mostly through robustness (figures in
reports/training_log.md). `python -m core.lab.distill.score_students --degrade` scores a set
under one of these, the same audio for every model (seeded per clip).
"""

import zlib

import numpy as np

from ..corpus.augment import add_noise, band_limit, pink_noise, reverb

DEGRADATIONS = ("reverb", "noise", "lowpass")
REVERB_RT60_S = 0.5  # a living room; the training augmentation draws 0.15-0.9 s
NOISE_SNR_DB = 25.0  # pink noise: a floor 25 dB under the speech, as in the dev set's readings
LOWPASS_HZ = 4000.0


def degrade(audio: np.ndarray, kind: str, key: str) -> np.ndarray:
    """audio (N,) float32 at 16 kHz under `kind`, the same every time for the same key (any
    string naming the clip: its id, or its place in the set)."""
    if kind not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {kind!r}; one of {', '.join(DEGRADATIONS)}")
    rng = np.random.default_rng(zlib.crc32(f"{kind}/{key}".encode()))
    if kind == "reverb":
        return reverb(audio, rng, REVERB_RT60_S)
    if kind == "noise":
        return add_noise(audio, pink_noise(len(audio), rng), NOISE_SNR_DB)
    return band_limit(audio, 0.0, LOWPASS_HZ)
