"""Torch log-mel / MFCC front end, numerically the same as core.runtime.logmel."""

import torch
from torch import nn

from ...runtime.configs import HOP, LogMelConfig
from ...runtime.logmel import dct_matrix, hann_window, mel_filterbank


class LogMel(nn.Module):
    """(B, N) samples -> (B, n_mels or n_mfcc, T) frames; frame i covers [HOP*i, HOP*i + n_fft)."""

    def __init__(self, config: LogMelConfig, n_mfcc: int = 0):
        super().__init__()
        self.config = config
        self.register_buffer("window", torch.from_numpy(hann_window(config.n_fft)), False)
        self.register_buffer("mel", torch.from_numpy(mel_filterbank(config)), False)
        dct = dct_matrix(config.n_mels, n_mfcc) if n_mfcc else None
        self.register_buffer("dct", None if dct is None else torch.from_numpy(dct), False)

    def forward(self, samples: torch.Tensor) -> torch.Tensor:
        frames = samples.unfold(-1, self.config.n_fft, HOP)  # (B, T, n_fft)
        spectrum = torch.fft.rfft(frames * self.window, dim=-1)
        power = spectrum.real**2 + spectrum.imag**2  # (B, T, n_fft // 2 + 1)
        features = torch.log(torch.clamp(power @ self.mel, min=self.config.floor))  # (B, T, M)
        if self.dct is not None:
            features = features @ self.dct  # (B, T, n_mfcc)
        return features.transpose(1, 2)  # (B, C, T)
