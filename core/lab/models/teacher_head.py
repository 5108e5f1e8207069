"""The trained half of the Whisper teacher: a non-causal conv head over frozen encoder features.

Read top-down: the concatenated encoder layers (B, L, F) at 50 tokens/s are normalised and
projected to the head width; residual blocks (LayerNorm, centred conv, GELU, 1x1 conv) mix a
few tokens of context; the output layer emits FRAMES_PER_TOKEN frames per token, each frame
holding sigmoid ARKit weights, phone-class logits and a lip-closure logit. The encoder itself is
not here: training reads its features from a cache (core.lab.distill.features) and the numpy runtime
runs both (core.runtime.whisper_teacher).
"""

import torch
from torch import nn

from ...runtime.configs import FRAMES_PER_TOKEN, WhisperTeacherConfig


class HeadBlock(nn.Module):
    def __init__(self, width: int, kernel: int):
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.conv = nn.Conv1d(width, width, kernel, padding=kernel // 2)
        self.mix = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.conv(self.norm(x).transpose(1, 2)).transpose(1, 2)  # (B, L, W)
        return x + self.mix(nn.functional.gelu(hidden, approximate="tanh"))


class TeacherHead(nn.Module):
    def __init__(self, config: WhisperTeacherConfig):
        super().__init__()
        self.config = config
        self.norm_in = nn.LayerNorm(config.feature_width)
        self.proj = nn.Linear(config.feature_width, config.head_width)
        self.blocks = nn.ModuleList(
            HeadBlock(config.head_width, config.head_kernel) for _ in range(config.head_blocks)
        )
        self.norm_out = nn.LayerNorm(config.head_width)
        self.out = nn.Linear(config.head_width, FRAMES_PER_TOKEN * config.outputs_per_frame)

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Features (B, L, F) -> weights (B, 2L, K), phone logits (B, 2L, P), closure (B, 2L)."""
        batch, length, _ = features.shape
        x = nn.functional.gelu(self.proj(self.norm_in(features)), approximate="tanh")
        for block in self.blocks:
            x = block(x)
        frames = self.out(self.norm_out(x)).view(batch, FRAMES_PER_TOKEN * length, -1)
        k, p = len(self.config.channels), len(self.config.phones)
        return torch.sigmoid(frames[..., :k]), frames[..., k : k + p], frames[..., k + p]
