"""Score one predictor on one evaluation set: closures on the demo head, MSE, jitter, speed."""

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...animation import Animation
from ...demohead.head import DemoHead, is_closed, lip_gap
from ...phones.closures import ClosureTally, closure_tally
from ...phones.phone_set import Phone
from .metrics import jitter, mse

EVAL_FPS = 60.0  # every curve is scored at this rate (the corpus label rate)


@dataclass(frozen=True)
class EvalItem:
    """One utterance to score: audio, phone timings, and reference curves if there are any."""

    item_id: str
    audio: np.ndarray  # (N,) float32 at 16 kHz
    phones: tuple[Phone, ...]
    reference: np.ndarray | None = None  # (T, K) at EVAL_FPS over `reference_channels`
    reference_channels: tuple[str, ...] = ()
    text: str = ""


# an item (its audio; the oracle also reads its phones) -> Animation at EVAL_FPS
Predictor = Callable[[EvalItem], Animation]


@dataclass
class SetScore:
    """A predictor's scores over a whole set."""

    tally: ClosureTally = field(default_factory=ClosureTally)
    squared_error_sum: float = 0.0
    squared_error_count: int = 0
    jitter_weights: list[float] = field(default_factory=list)
    jitter_gap_mm: list[float] = field(default_factory=list)
    reference_jitter_weights: list[float] = field(default_factory=list)
    reference_jitter_gap_mm: list[float] = field(default_factory=list)
    audio_s: float = 0.0
    compute_s: float = 0.0
    gaps_mm: dict[str, np.ndarray] = field(default_factory=dict)  # per item, for plots

    def summary(self) -> dict[str, float]:
        """Every metric of the set as one flat dict (NaN where undefined)."""
        mean = lambda v: float(np.mean(v)) if v else float("nan")  # noqa: E731
        result = self.tally.summary()
        result.update(
            mse=(
                self.squared_error_sum / self.squared_error_count
                if self.squared_error_count
                else float("nan")
            ),
            jitter_weights=mean(self.jitter_weights),
            jitter_gap_mm=mean(self.jitter_gap_mm),
            reference_jitter_weights=mean(self.reference_jitter_weights),
            reference_jitter_gap_mm=mean(self.reference_jitter_gap_mm),
            realtime_factor=self.audio_s / self.compute_s if self.compute_s else float("nan"),
            audio_s=self.audio_s,
        )
        return result


def _columns(weights: np.ndarray, names: Sequence[str], wanted: Sequence[str]) -> np.ndarray:
    """Weights (T, len(wanted)) in `wanted` order; channels a model lacks are zero."""
    index = {name: i for i, name in enumerate(names)}
    out = np.zeros((len(weights), len(wanted)), dtype=np.float64)
    for j, name in enumerate(wanted):
        if name in index:
            out[:, j] = weights[:, index[name]]
    return out


def score_set(
    predictor: Predictor, items: Iterable[EvalItem], head: DemoHead, keep_gaps: Sequence[str] = ()
) -> SetScore:
    """Run `predictor` on every item and accumulate closures, MSE, jitter and speed."""
    score = SetScore()
    for item in items:
        started = time.perf_counter()
        animation = predictor(item)
        score.compute_s += time.perf_counter() - started
        score.audio_s += len(item.audio) / 16000
        if animation.fps != EVAL_FPS:
            raise ValueError(f"predictors must return {EVAL_FPS} fps, got {animation.fps}")
        gap_m = lip_gap(animation.weights, animation.channel_names, head)  # (T,)
        score.tally.merge(closure_tally(is_closed(gap_m), EVAL_FPS, item.phones))
        score.jitter_weights.append(jitter(animation.weights))
        score.jitter_gap_mm.append(jitter(gap_m * 1000.0))
        if item.item_id in keep_gaps:
            score.gaps_mm[item.item_id] = gap_m * 1000.0
        if item.reference is not None:
            predicted = _columns(
                animation.weights, animation.channel_names, item.reference_channels
            )
            frames = min(len(predicted), len(item.reference))
            score.squared_error_sum += mse(predicted, item.reference) * frames * predicted.shape[1]
            score.squared_error_count += frames * predicted.shape[1]
            score.reference_jitter_weights.append(jitter(item.reference))
            reference_gap_m = lip_gap(item.reference, item.reference_channels, head)
            score.reference_jitter_gap_mm.append(jitter(reference_gap_m * 1000.0))
    return score


def closure_summary(model, clips: Iterable, head: DemoHead) -> dict[str, float]:
    """PBM and false-closure figures of a loaded model (core.api) over dev clips (audio,
    phones), scored as `make eval` does: 60 fps, ensemble smoothing on, the demo head's lip gap."""
    from ...api import predict
    from ...audio.prepare import SAMPLE_RATE

    tally = ClosureTally()
    for clip in clips:
        animation = predict(model, clip.audio, SAMPLE_RATE, fps=EVAL_FPS, smoothing=True)
        closed = is_closed(lip_gap(animation.weights, animation.channel_names, head))
        tally.merge(closure_tally(closed, EVAL_FPS, clip.phones))
    return tally.summary()


def closure_cells(summary: dict[str, float]) -> str:
    """Markdown cells of a closure summary: PBM inside | PBM ±40 ms | false cons. | vowels."""
    keys = (
        "pbm_inside_pct",
        "pbm_40ms_pct",
        "false_closure_consonant_pct",
        "false_closure_vowel_pct",
    )
    return " | ".join(f"{summary[key]:.1f}" for key in keys)
