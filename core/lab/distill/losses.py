"""Distillation losses: output reconstruction + velocity, the demo head's lip gap and mouth
width, and feature matching to a frozen S0."""

import numpy as np
import torch
from torch import nn

from ...demohead.head import CLOSED_GAP_M, head_columns, lip_probe, load_demo_head
from ..eval.mouth_shape import ROUNDED, corner_motion


def output_loss(
    pred: torch.Tensor, target: torch.Tensor, velocity_weight: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """MSE on weights (B, T, K) and on their frame-to-frame differences; returns both terms."""
    reconstruction = nn.functional.mse_loss(pred, target)
    velocity = nn.functional.mse_loss(pred.diff(dim=1), target.diff(dim=1))
    return reconstruction, velocity_weight * velocity


def rest_loss(pred: torch.Tensor) -> torch.Tensor:
    """How far quiet rows' weights (B, T, K) are from the rest pose (all zeros): the squared
    weights summed over channels. Weight MSE averages a jaw left at 0.06 in hiss over 29
    channels and every speech frame to nothing; the face still visibly talks to the noise.
    No rows: zero."""
    return pred.pow(2).sum(dim=-1).mean() if len(pred) else pred.sum()


def rounded_columns(phones: tuple[str, ...]) -> torch.Tensor:
    """(P,) 1.0 at the rounded phones (core.lab.eval.mouth_shape.ROUNDED) of a phone set."""
    return torch.tensor([float(p in ROUNDED) for p in phones])


def phone_aware_loss(
    logits: torch.Tensor,
    aux: torch.Tensor,
    closure_head: bool,
    settings,
    rounded: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """A student's closure and phone objectives: logits (B, T, [1] + P) against the teacher's
    closure probability and phone posteriors (or the procedural truth), aux (B, T, 1 + P).

    Closure: binary cross-entropy on the (soft) probability, frames that are not closures but
    have speech weighted up as hard negatives, and further (settings.rounded_negative_weight)
    where the teacher hears a rounded phone (rounded: (P,) mask of rounded_columns). /w/ is
    labial: small students put a little closure probability on it, their low seal ramps turn
    that into sealed, pressed (wider) lips, and the rounding is lost (reports/training_log.md).
    Phones: cross-entropy on the soft posteriors.
    """
    terms = {}
    if closure_head:
        target = aux[..., 0]
        speech = 1.0 - aux[..., 1]  # 1 - P(SIL)
        negative = settings.hard_negative_weight - 1.0
        if rounded is not None and settings.rounded_negative_weight != 1.0:
            rounded_share = (aux[..., 1:] * rounded).sum(-1)
            negative = negative + (settings.rounded_negative_weight - 1.0) * rounded_share
        weight = 1.0 + negative * speech * (1.0 - target)
        t = settings.temperature
        bce = nn.functional.binary_cross_entropy_with_logits(
            logits[..., 0] / t, soften_closure(target, t), weight
        )
        terms["closure"] = settings.closure_weight * t * t * bce
        if settings.peak_weight:
            terms["closure_peak"] = settings.peak_weight * closure_peak_loss(
                logits[..., 0], target, settings.peak_frames
            )
        if settings.quiet_weight:
            terms["closure_quiet"] = settings.quiet_weight * closure_quiet_loss(
                logits[..., 0], target, speech, settings.peak_frames
            )
    phone_logits = logits[..., int(closure_head) :]
    if phone_logits.shape[-1]:
        t = settings.temperature
        target = soften_phones(aux[..., 1:], t)
        cross_entropy = -(target * nn.functional.log_softmax(phone_logits / t, dim=-1)).sum(-1)
        terms["phones"] = settings.phone_weight * t * t * cross_entropy.mean()
    return terms


# The teacher's labels are stored as float16 probabilities: those under this are treated as it.
SMALLEST_PROBABILITY = 1e-6


def soften_closure(probability: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's closure probability with its logit divided by the temperature. The
    teacher is sure almost everywhere; softened, how near a /d/ or an /f/ came to a closure
    still teaches the student which sounds lie close to p/b/m (Hinton's distillation)."""
    if temperature == 1.0:
        return probability
    p = probability.clamp(SMALLEST_PROBABILITY, 1.0 - SMALLEST_PROBABILITY)
    return torch.sigmoid(torch.logit(p) / temperature)


def soften_phones(posteriors: torch.Tensor, temperature: float) -> torch.Tensor:
    """The teacher's phone posteriors (..., P) as the softmax of their log divided by the
    temperature: the same ranking, more weight on the runners-up."""
    if temperature == 1.0:
        return posteriors
    logits = posteriors.clamp_min(SMALLEST_PROBABILITY).log() / temperature
    return nn.functional.softmax(logits, dim=-1)


def closure_peak_loss(logits: torch.Tensor, target: torch.Tensor, frames: int) -> torch.Tensor:
    """Cross-entropy between the highest closure logit (B, T) within 2 * frames - 1 frames and
    the teacher's highest probability (B, T) within `frames`, wherever the latter passes 0.5.
    Frame-wise cross-entropy lets a student hedge near a p/b/m of unclear audio, spreading a low
    probability over several frames; here each of the teacher's closures must peak as high
    somewhere near it (a frame or two early or late costs nothing). Where the teacher has no
    closure, the frame-wise term with its hard negatives keeps the student low."""
    taught = nn.functional.max_pool1d(target[:, None], frames, 1, frames // 2)[:, 0]
    reach = 2 * frames - 1
    peak = nn.functional.max_pool1d(logits[:, None], reach, 1, reach // 2)[:, 0]
    closed = taught > 0.5
    if not closed.any():
        return logits.sum() * 0.0
    return nn.functional.binary_cross_entropy_with_logits(peak[closed], taught[closed])


def closure_quiet_loss(
    logits: torch.Tensor, target: torch.Tensor, speech: torch.Tensor, frames: int
) -> torch.Tensor:
    """The other half of closure_peak_loss: wherever the teacher's closure probability stays
    under 0.5 within 2 * frames - 1 frames, cross-entropy between the student's highest closure
    logit there and the teacher's highest probability, weighted by speech (B, T). Frame-wise
    cross-entropy averages a lone spike away, but one spike past the seal ramp is a false
    closure; students close falsely on /dh t n f/ between real ones (reports/training_log.md)."""
    reach = 2 * frames - 1
    peak = nn.functional.max_pool1d(logits[:, None], reach, 1, reach // 2)[:, 0]
    taught = nn.functional.max_pool1d(target[:, None], reach, 1, reach // 2)[:, 0]
    quiet = taught < 0.5
    weight = speech * quiet
    bce = nn.functional.binary_cross_entropy_with_logits(peak, taught, reduction="none")
    return (bce * weight).sum() / weight.sum().clamp_min(1.0)


PRESS = "mouthPressLeft"  # the animator presses the lips on p/b/m only
PRESSED = 0.1


class LipGapLoss(nn.Module):
    """Squared error of the demo head's midline lip gap (cm), bilabial closures weighted up.

    Weight MSE alone leaves short closures soft: a jaw at 0.1 already parts the lips by 3 mm,
    so a student that dips toward a bilabial but hedges never seals them. The gap is linear in
    the weights up to a min/max over a few lip vertices (core.demohead.head.lip_gap), so it is
    cheap and
    differentiable here. Only closures with pressed lips (mouthPress in the target: p/b/m) are
    weighted up, not the closed rest pose of pauses: weighting those too taught the students to
    close on every stop and pause of real speech (reports/training_log.md).
    """

    def __init__(
        self, channel_names: tuple[str, ...], closed_weight: float = 4.0, pressed_only: bool = True
    ):
        super().__init__()
        head = load_demo_head()
        probe = lip_probe(head)
        cols, keys = head_columns(head, channel_names)
        dz = np.zeros((len(channel_names), len(probe.z)), np.float32)
        dz[cols] = probe.dz[keys]
        self.register_buffer("z", torch.from_numpy(probe.z.astype(np.float32)))
        self.register_buffer("dz", torch.from_numpy(dz))  # (K, U + B) metres per unit weight
        self.n_upper = len(probe.upper)
        self.closed_weight = closed_weight
        has_press = pressed_only and PRESS in channel_names
        self.press = channel_names.index(PRESS) if has_press else None

    def gap_m(self, weights: torch.Tensor) -> torch.Tensor:
        """Lip gap (B, T) in metres of weights (B, T, K), clipped at 0 like
        core.demohead.head.lip_gap."""
        z = self.z + weights.clamp(0.0, 1.0) @ self.dz
        gap = z[..., : self.n_upper].amin(dim=-1) - z[..., self.n_upper :].amax(dim=-1)
        return gap.clamp(min=0.0)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target_gap = self.gap_m(target)
        bilabial = target_gap <= CLOSED_GAP_M
        if self.press is not None:
            bilabial = bilabial & (target[..., self.press] > PRESSED)
        weight = 1.0 + self.closed_weight * bilabial.float()
        return (weight * (100.0 * (self.gap_m(pred) - target_gap)) ** 2).mean()


class MouthWidthLoss(nn.Module):
    """Squared error of the demo head's mouth width (cm between its mouth corners), the geometry
    the rounding measure reads (core.lab.eval.mouth_shape).

    Weight MSE spreads a pucker over a few of 29 channels; a student that keeps the corners near
    rest on every vowel loses little by it and barely rounds (reports/eval.md: a third of the
    teacher's rounding contrast). The width is linear in the weights up to a norm, so it is cheap
    and differentiable here.
    """

    def __init__(self, channel_names: tuple[str, ...]):
        super().__init__()
        rest, offsets = corner_motion(load_demo_head(), channel_names)
        self.register_buffer("span", torch.from_numpy((rest[0] - rest[1]).astype(np.float32)))
        # (K, 3) metres per unit weight: how each channel moves the left corner from the right
        self.register_buffer(
            "d_span", torch.from_numpy((offsets[0] - offsets[1]).astype(np.float32))
        )

    def width_m(self, weights: torch.Tensor) -> torch.Tensor:
        """Mouth width (B, T) in metres of weights (B, T, K), clipped like mouth_width_mm."""
        return (self.span + weights.clamp(0.0, 1.0) @ self.d_span).norm(dim=-1)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return ((100.0 * (self.width_m(pred) - self.width_m(target))) ** 2).mean()


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
