"""One dialogue line: text + 16 kHz audio -> a TextTake (animation, alignment, message).

The aligner (the Whisper teacher) gives phone posteriors; the line's words are looked up in the
lexicon, placed by Viterbi (core.transcript.forced_align) and animated through the procedural
animator where they fit, with the take's model everywhere else (core.transcript.take).
"""

import time
from dataclasses import dataclass

import numpy as np

from ..animation import Animation
from ..runtime.smoothing import resample_frames
from .forced_align import Alignment, align_words, log_softmax
from .lexicon import pronounce
from .take import blend_with_model, fallback_line
from .words import spoken_words


@dataclass(frozen=True)
class TextTake:
    """A transcript-mode take and how its text was used."""

    animation: Animation
    alignment: Alignment | None  # None: no words in the text (the model alone)
    message: str  # one line for the user: what was aligned, what fell back ('' without text)
    align_s: float  # seconds the alignment itself took (lexicon and Viterbi, not the teacher)


def align_text(phone_logits: np.ndarray, phone_set: tuple[str, ...], text: str) -> Alignment:
    """The words of `text` placed on phone logits (T, P) over phone_set."""
    words = [pronounce(word) for word in spoken_words(text)]
    return align_words(log_softmax(phone_logits.astype(np.float64)), phone_set, words)


def text_take(
    model,
    aligner,
    samples_16k: np.ndarray,
    fps: float,
    text: str,
    smoothing: bool = True,
    progress=None,
) -> TextTake:
    """Animate 16 kHz samples (N,) with their dialogue text; `model` and `aligner` are
    core.api.Model (the aligner one with phone outputs; it may be the model itself)."""

    def report(fraction: float, what: str) -> None:
        if progress is not None:
            progress(fraction, what)

    if not spoken_words(text):
        report(0.0, f"Running {model.name}")
        frames = model.frames(samples_16k)
        weights = resample_frames(frames, len(samples_16k), fps, smoothing)
        return TextTake(Animation(float(fps), model.config.channels, weights), None, "", 0.0)
    report(0.0, f"Running {aligner.name} for the text's phones")
    frames, phone_logits = aligner.frames_and_phones(samples_16k)
    if model is not aligner:
        report(0.5, f"Running {model.name}")
        frames = model.frames(samples_16k)
    report(0.8, "Aligning the text")
    started = time.perf_counter()
    alignment = align_text(phone_logits, aligner.config.phones, text)
    align_s = time.perf_counter() - started
    weights = blend_with_model(
        alignment, frames, model.config.channels, len(samples_16k), fps, smoothing
    )
    report(1.0, "Aligned the text")
    animation = Animation(float(fps), model.config.channels, weights)
    return TextTake(animation, alignment, fallback_line(alignment), align_s)
