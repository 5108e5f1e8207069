"""Encoder hints: a student's last conv layer also learns to predict the teacher's Whisper
encoder features of the *clean* clip, through a learned 1x1 projection (training only).

The teacher's robustness comes from its pretrained encoder: on the Kokoro held-out voices under
0.5 s of reverb it still closes 97 % of p/b/m, S-tiny 32 % (reports/training_log.md, session 9).
The students see augmented crops (reverb, noise, codecs of the channel) with the clean clip's
labels; the hint adds the clean clip's encoder features as a dense target for their features,
as the paper's hybrid KD adds S0's, but from the model that is robust.

Alignment: output frame i of a student's last conv layer covers crop samples
[HOP*i, HOP*i + receptive_field); a crop of clip frames j0.. starts past_samples before frame
j0, so frame i is centred on clip frame j0 + i + hint_offset(config); Whisper token k holds clip
frames 2k and 2k + 1 (FRAMES_PER_TOKEN).
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..errors import CorpusError
from ..runtime.configs import FRAMES_PER_TOKEN, HOP, StudentConfig
from .features import read_cache_shard


def shard_features(features_dir: Path, corpus_shard: Path) -> list[np.ndarray]:
    """Encoder features (L, F) float16 of every utterance of a corpus (or pseudo) shard, from the
    cache shard of the same name in any split folder of features_dir."""
    found = sorted(Path(features_dir).glob(f"*/{corpus_shard.name}"))
    if not found:
        raise CorpusError(f"{corpus_shard.name}: no Whisper features under {features_dir}; "
                          "build them with core.distill.features.")  # fmt: skip
    return [u.features for u in read_cache_shard(found[0])]


def hint_offset(config: StudentConfig) -> int:
    """Clip frame (relative to a crop's first output frame j0) at the centre of the last conv
    layer's output frame 0."""
    return round((config.receptive_field / 2 - config.past_samples) / HOP)


def hint_targets(draws: list, config: StudentConfig, n_frames: int,
                 width: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Encoder features under each of the last conv layer's n_frames output frames, (B, F, T)
    float32, and where they exist (B, T) bool: not on quiet rows, not outside the clip."""
    targets = np.zeros((len(draws), width, n_frames), np.float32)
    valid = np.zeros((len(draws), n_frames), bool)
    for b, draw in enumerate(draws):
        if draw is None or draw[0].features is None:
            continue
        clip, first = draw
        tokens = (first + hint_offset(config) + np.arange(n_frames)) // FRAMES_PER_TOKEN
        inside = (tokens >= 0) & (tokens < len(clip.features))
        targets[b][:, inside] = clip.features[tokens[inside]].T
        valid[b] = inside
    return targets, valid


def whitening(clips: list, dims: int = 64, sample: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Mean (F,) and a basis (F, dims) that maps encoder features onto their `dims` principal
    components with unit variance, from a fixed sample of clips: the hint predicts those, so
    no dimension dominates the loss and the projection stays small."""
    with_features = [c.features for c in clips if c.features is not None]
    if not with_features:
        raise CorpusError("No clip has encoder features: pass the Whisper feature cache.")
    step = max(1, len(with_features) // sample)
    stacked = np.concatenate(with_features[::step]).astype(np.float64)
    mean = stacked.mean(0)
    variances, vectors = np.linalg.eigh(np.cov(stacked - mean, rowvar=False))
    top = np.argsort(variances)[::-1][:dims]
    scale = np.sqrt(np.maximum(variances[top], 1e-6 * variances.max() + 1e-12))  # rank-deficient
    return mean.astype(np.float32), (vectors[:, top] / scale).astype(np.float32)


def whitened_clips(clips: list, mean: np.ndarray, basis: np.ndarray) -> list:
    """The clips with their encoder features replaced by the whitened components (L, dims)."""
    return [c if c.features is None else
            replace(c, features=((c.features.astype(np.float32) - mean) @ basis).astype(np.float16))
            for c in clips]  # fmt: skip


class EncoderHint(nn.Module):
    """Masked MSE between a 1x1 projection of student features and the whitened encoder
    features; the projection trains with the student and is dropped at export."""

    def __init__(self, student_width: int, dims: int):
        super().__init__()
        self.projection = nn.Conv1d(student_width, dims, 1)

    def forward(self, feats: torch.Tensor, targets: torch.Tensor, valid: torch.Tensor):
        """feats (B, C, T), targets (B, dims, T), valid (B, T) -> mean squared error per
        dimension over valid frames (0 when no frame is valid)."""
        error = (self.projection(feats) - targets).pow(2).mean(1)
        weight = valid.to(error.dtype)
        return (error * weight).sum() / weight.sum().clamp(min=1.0)
