"""Distillation losses: output reconstruction + velocity, and feature matching to a frozen S0."""

import torch
from torch import nn


def output_loss(
    pred: torch.Tensor, target: torch.Tensor, velocity_weight: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """MSE on weights (B, T, K) and on their frame-to-frame differences; returns both terms."""
    reconstruction = nn.functional.mse_loss(pred, target)
    velocity = nn.functional.mse_loss(pred.diff(dim=1), target.diff(dim=1))
    return reconstruction, velocity_weight * velocity


class FeatureLoss(nn.Module):
    """MSE between student features and frozen S0 features through learned 1x1 projections."""

    def __init__(self, student_widths: list[int], s0_widths: list[int]):
        super().__init__()
        self.projections = nn.ModuleList(
            nn.Conv1d(s, t, 1) for s, t in zip(student_widths, s0_widths, strict=True)
        )

    def forward(self, student_feats: list[torch.Tensor], s0_feats: list[torch.Tensor]):
        """Mean over layers of MSE(projection(student (B, C_s, T)), s0 (B, C_0, T)) / mean(s0^2)."""
        total = 0.0
        for projection, s, t in zip(self.projections, student_feats, s0_feats, strict=True):
            if s.shape[-1] != t.shape[-1]:
                raise ValueError(f"feature lengths differ: {s.shape[-1]} vs {t.shape[-1]}")
            t = t.detach()
            scale = t.pow(2).mean().clamp(min=1e-8)  # relative error: S0's feature scale varies
            total = total + nn.functional.mse_loss(projection(s), t) / scale
        return total / len(self.projections)
