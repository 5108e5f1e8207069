"""Teacher: a non-causal transformer over a whole utterance, log-mel in, 100 fps weights out.

Read top-down: log-mel frames centred on each 100 fps frame time; a conv stem that merges
`stem_stride` frames into one token; pre-norm transformer blocks whose attention carries a
symmetric ALiBi bias (-slope * |i - j| tokens), a relative position code that works for any
length; a head that emits `stem_stride` frames of sigmoid weights per token. Long clips run in
chunks with context on both sides (`predict`), so memory stays bounded; the numpy runtime
follows the same chunk rule.
"""

import math

import torch
from torch import nn

from ...runtime.configs import HOP, TeacherConfig
from ...runtime.teacher import chunk_plan  # one chunking rule for training and the runtime
from .frontend import LogMel


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """Per-head slopes 2^(-8 (h + 1) / n_heads), (H,)."""
    return torch.tensor([2.0 ** (-8.0 * (h + 1) / n_heads) for h in range(n_heads)])


class Block(nn.Module):
    def __init__(self, config: TeacherConfig):
        super().__init__()
        self.n_heads = config.n_heads
        self.norm1 = nn.LayerNorm(config.d_model)
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.norm2 = nn.LayerNorm(config.d_model)
        self.fc1 = nn.Linear(config.d_model, config.ffn)
        self.fc2 = nn.Linear(config.ffn, config.d_model)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape  # (B, L, D)
        q, k, v = self.qkv(self.norm1(x)).split(width, dim=-1)
        q, k, v = (t.view(batch, length, self.n_heads, -1).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias  # (B, H, L, L)
        attended = torch.softmax(scores, dim=-1) @ v  # (B, H, L, D / H)
        x = x + self.proj(attended.transpose(1, 2).reshape(batch, length, width))
        return x + self.fc2(nn.functional.gelu(self.fc1(self.norm2(x)), approximate="tanh"))


class Teacher(nn.Module):
    def __init__(self, config: TeacherConfig):
        super().__init__()
        self.config = config
        self.frontend = LogMel(config.logmel)
        self.stem1 = nn.Conv1d(config.logmel.n_mels, config.d_model, 3, padding=1)
        self.stem2 = nn.Conv1d(
            config.d_model, config.d_model, config.stem_stride, config.stem_stride
        )
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layers))
        self.norm = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.stem_stride * len(config.channels))
        self.register_buffer("slopes", alibi_slopes(config.n_heads), persistent=False)

    def tokens(self, samples: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Samples (B, N) -> stem tokens (B, L, D) and the frame count T = ceil(N / HOP)."""
        n_frames = math.ceil(samples.shape[-1] / HOP)
        n_tokens = math.ceil(n_frames / self.config.stem_stride)
        half = self.config.logmel.n_fft // 2
        right = HOP * (n_tokens * self.config.stem_stride - 1) + half - samples.shape[-1]
        padded = nn.functional.pad(samples, (half, max(0, right)))  # frame i centred at HOP*i
        mel = self.frontend(padded)  # (B, M, S*L)
        x = nn.functional.gelu(self.stem1(mel), approximate="tanh")
        x = nn.functional.gelu(self.stem2(x), approximate="tanh")  # (B, D, L)
        return x.transpose(1, 2), n_frames

    def encode(self, tokens: torch.Tensor) -> torch.Tensor:
        """Transformer + head over tokens (B, L, D) -> weights (B, S*L, K)."""
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        distance = (positions[None, :] - positions[:, None]).abs().float()  # (L, L)
        bias = -self.slopes[:, None, None] * distance  # (H, L, L)
        x = tokens
        for block in self.blocks:
            x = block(x, bias)
        out = torch.sigmoid(self.head(self.norm(x)))  # (B, L, S*K)
        return out.reshape(x.shape[0], -1, len(self.config.channels))

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        """Whole utterances (B, N) -> weights (B, ceil(N / HOP), K) at 100 fps (training)."""
        tokens, n_frames = self.tokens(samples)
        return self.encode(tokens)[:, :n_frames]

    @torch.no_grad()
    def predict(self, samples: torch.Tensor) -> torch.Tensor:
        """Like forward, but long clips run in chunks with context (the runtime's rule)."""
        tokens, n_frames = self.tokens(samples)
        pieces = [
            self.encode(tokens[:, a:b])[:, s:e]
            for a, b, s, e in chunk_plan(tokens.shape[1], self.config)
        ]
        return torch.cat(pieces, dim=1)[:, :n_frames]
