"""Student: strided convolutions + a fully-connected head over one waveform window.

Read top-down: the conv stack turns 16 kHz audio (or 100 fps log-mel/MFCC frames) into 100 fps
features; a 1x1 bottleneck narrows them; the "fully-connected" head is a convolution whose
kernel spans every feature frame of the window, so the same module gives one frame for one
window (the definition) or every 100 fps frame of a clip in one pass (fully convolutional).
Frame j of a clip is the window samples[HOP*j - past, HOP*j + future), zeros outside the clip.
"""

import math

import numpy as np
import torch
from torch import nn

from ...rig.seal import finish_pose
from ...runtime.configs import HOP, StudentConfig
from .frontend import LogMel


class Student(nn.Module):
    def __init__(self, config: StudentConfig):
        super().__init__()
        self.config = config
        if config.input_kind == "raw":
            self.frontend = None
        else:
            n_mfcc = config.n_mfcc if config.input_kind == "mfcc" else 0
            self.frontend = LogMel(config.logmel, n_mfcc)
        convs, width = [], config.in_channels
        for layer in config.layers:
            convs.append(nn.Conv1d(width, layer.channels, layer.kernel, layer.stride))
            width = layer.channels
        self.stack = nn.ModuleList(convs)
        self.bottleneck = nn.Conv1d(width, config.bottleneck, 1)
        self.head = nn.Conv1d(config.bottleneck, config.hidden, config.head_frames)  # the FC
        # A second hidden layer, frame-wise: a few percent of the head's multiply-adds.
        self.head2 = nn.Conv1d(config.hidden, config.hidden2, 1) if config.hidden2 else None
        self.out = nn.Conv1d(config.last_hidden, config.n_outputs, 1)  # weights, closure, phones
        hidden = [self.head] + ([self.head2] if self.head2 is not None else [])
        for conv in [*self.stack, self.bottleneck, *hidden]:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)

    def features(self, samples: torch.Tensor) -> list[torch.Tensor]:
        """Every conv layer's ReLU output for samples (B, N): a list of (B, C_l, T_l)."""
        x = samples[:, None, :] if self.frontend is None else self.frontend(samples)
        feats = []
        for conv in self.stack:
            x = torch.relu(conv(x))
            feats.append(x)
        return feats

    def forward(self, samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, list]:
        """Samples (B, HOP*(T-1) + window) -> weights (B, T, K) in [0, 1] before the seal, the
        other outputs' logits (B, T, closure + phones) and the conv features."""
        feats = self.features(samples)
        x = torch.relu(self.bottleneck(feats[-1]))  # (B, bottleneck, T + F - 1)
        x = torch.relu(self.head(x))  # (B, hidden, T)
        if self.head2 is not None:
            x = torch.relu(self.head2(x))  # (B, hidden2, T)
        logits = self.out(x).transpose(1, 2)  # (B, T, n_outputs)
        n = len(self.config.channels)
        return torch.sigmoid(logits[..., :n]), logits[..., n:], feats

    def predict_clip(self, samples: torch.Tensor) -> torch.Tensor:
        """Fully convolutional over whole clips (B, N) -> (B, ceil(N / HOP), K) at 100 fps,
        sealed by the closure head like the numpy runtime."""
        n_frames = math.ceil(samples.shape[-1] / HOP)
        padded = pad_clip(samples, self.config, n_frames)
        weights, logits, _ = self.forward(padded)
        return self.sealed(weights[:, :n_frames], logits[:, :n_frames])

    def sealed(self, weights: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """forward's weights (B, T, K) sealed where its closure logit is confident (inference)."""
        if not self.config.closure_head:
            return weights
        sealed = [
            finish_pose(w.numpy(), torch.sigmoid(c[:, 0]).numpy(), c[:, 1:].numpy(), self.config)
            for w, c in zip(weights, logits, strict=True)
        ]
        return torch.from_numpy(np.stack(sealed))


def pad_clip(samples: torch.Tensor, config: StudentConfig, n_frames: int) -> torch.Tensor:
    """Zero-pad (B, N) so that frame j's window starts at HOP*j: (B, HOP*(T-1) + window)."""
    right = HOP * (n_frames - 1) + config.future_samples - samples.shape[-1]
    return nn.functional.pad(samples, (config.past_samples, max(0, right)))


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters())
