"""A take from audio plus its dialogue text: aligned phones through the procedural animator,
the model's own curves wherever the text does not fit the audio.

Words whose alignment confidence is at least CONFIDENT (core.transcript.forced_align) are
animated by core.phones.animator from their aligned phones, exactly as the corpus labels are
made, so "closed on p/b/m" means the same here as in training and evaluation. Skipped or doubtful
words and unscripted speech fall back to the model's frames; the two meet in BLEND_S crossfades.
`fallback_line` says in one line which stretches fell back.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..phones.animator import animate
from ..phones.phone_set import SILENCE, Phone
from ..rig.arkit import LOWER_FACE
from ..runtime.smoothing import interpolate, positions, resample_frames, scene_frame_count
from .forced_align import FRAME_S, AlignedWord, Alignment

CONFIDENT = 0.02  # confidence from which a word's phones are trusted (chosen on the choose half)
BLEND_S = 0.05  # crossfade between aligned and model stretches
MESSAGE_STRETCHES = 3  # stretches named in the one-line message
MIN_UNSCRIPTED_S = 0.1  # shorter unscripted stretches are not worth a mention
MIN_PAUSE_S = 0.15  # a shorter gap between two aligned words is not a pause


@dataclass(frozen=True)
class Stretch:
    """A span that fell back to the model, and the words of the line in it."""

    start_s: float
    end_s: float
    words: tuple[str, ...]  # empty: speech the line has no words for


def trusted(word: AlignedWord) -> bool:
    """Whether a word's aligned phones drive the animation."""
    return bool(word.phones) and word.confidence >= CONFIDENT


def _stretched(word: AlignedWord, start_s: float, end_s: float) -> list[Phone]:
    """A word's phones with its first phone starting at start_s and its last ending at end_s."""
    phones = list(word.phones)
    phones[0] = Phone(start_s, phones[0].end_s, phones[0].label)
    phones[-1] = Phone(phones[-1].start_s, end_s, phones[-1].label)
    return phones


def trusted_words(alignment: Alignment) -> list[list[Phone]]:
    """The phones of each trusted word, stretched over the short gaps around it.

    A gap shorter than MIN_PAUSE_S between two trusted words, or between one and the clip's
    start or end, is no pause: the aligner's gap state also takes a stop's silent closure, the
    breath between words and the encoder's uncertain first and last frames, and resting the
    lips there would close them on speech. The words on either side share such a gap.
    """
    end_of_clip = alignment.n_frames * FRAME_S
    words = [w for w in alignment.words if trusted(w)]
    bounds = [[w.start_s, w.end_s] for w in words]
    for i, word in enumerate(words):
        before = words[i - 1].end_s if i > 0 else 0.0
        after = words[i + 1].start_s if i + 1 < len(words) else end_of_clip
        if word.start_s - before < MIN_PAUSE_S:
            bounds[i][0] = 0.5 * (before + word.start_s) if i > 0 else 0.0
        if after - word.end_s < MIN_PAUSE_S:
            bounds[i][1] = 0.5 * (word.end_s + after) if i + 1 < len(words) else end_of_clip
    return [_stretched(w, s, e) for w, (s, e) in zip(words, bounds, strict=True)]


def timeline(alignment: Alignment) -> list[Phone]:
    """The animator's phones: trusted words' phones, silence everywhere else."""
    phones: list[Phone] = []
    cursor = 0.0
    for word_phones in trusted_words(alignment):
        if word_phones[0].start_s > cursor:
            phones.append(Phone(cursor, word_phones[0].start_s, SILENCE))
        phones.extend(word_phones)
        cursor = word_phones[-1].end_s
    end_s = alignment.n_frames * FRAME_S
    if end_s > cursor:
        phones.append(Phone(cursor, end_s, SILENCE))
    return phones


def trust_frames(alignment: Alignment) -> np.ndarray:
    """Share (T,) of the aligned animation per 10 ms frame: 1 inside trusted words (stretched
    over short gaps), 0 elsewhere, crossfaded over BLEND_S. Pauses and unscripted speech are
    the model's: it rests on silence as it learnt to, and a pause of the alignment may also
    hold a word of the line spoken too faintly to place."""
    trust = np.zeros(alignment.n_frames, np.float32)
    for word_phones in trusted_words(alignment):
        trust[_frame(word_phones[0].start_s) : _frame(word_phones[-1].end_s)] = 1.0
    width = max(1, int(round(BLEND_S / FRAME_S)))
    kernel = np.ones(width, np.float32) / width
    return np.convolve(
        np.pad(trust, (width // 2, width - 1 - width // 2), mode="edge"), kernel, mode="valid"
    )


def _frame(time_s: float) -> int:
    """The 10 ms frame an aligned phone boundary stands for (forced_align._frame_time's inverse)."""
    return int(round(time_s / FRAME_S + 0.5))


def blend_with_model(
    alignment: Alignment,
    model_frames: np.ndarray,
    model_channels: Sequence[str],
    n_samples: int,
    fps: float,
    smoothing: bool,
) -> np.ndarray:
    """Scene-rate weights (T, K) over model_channels: the animator where the alignment is
    trusted, the model's 100 fps frames (T100, K) resampled elsewhere."""
    n_scene = scene_frame_count(n_samples, fps)
    model = resample_frames(model_frames, n_samples, fps, smoothing)  # (n_scene, K)
    if not any(trusted(w) for w in alignment.words):
        return model
    aligned = animate(timeline(alignment), n_scene / fps, fps)[:n_scene]  # (n_scene, 29)
    index = {name: i for i, name in enumerate(LOWER_FACE)}
    aligned = np.stack(
        [aligned[:, index[n]] if n in index else model[:, j] for j, n in enumerate(model_channels)],
        axis=1,
    )
    trust = trust_frames(alignment)[:, None]
    k = np.arange(n_scene, dtype=np.float64)
    share = interpolate(trust, 0, positions(k, fps, 0.0), len(trust) - 1)  # (n_scene, 1)
    return (share * aligned + (1.0 - share) * model).astype(np.float32)


def fallback_stretches(alignment: Alignment) -> list[Stretch]:
    """Stretches that fell back to the model: runs of untrusted words, unscripted speech."""
    marks: list[tuple[float, float, str | None]] = []  # (start, end, word or None)
    for word in alignment.words:
        if word.phones and not trusted(word):
            marks.append((word.start_s, word.end_s, word.word))
    frames = np.flatnonzero(np.diff(np.concatenate([[0], alignment.unscripted.astype(int), [0]])))
    for first, last in zip(frames[::2], frames[1::2], strict=True):
        if (last - first) * FRAME_S >= MIN_UNSCRIPTED_S:
            marks.append((first * FRAME_S, last * FRAME_S, None))
    stretches: list[Stretch] = []
    for start, end, word in sorted(marks, key=lambda m: m[0]):
        if stretches and start <= stretches[-1].end_s + BLEND_S:
            last = stretches[-1]
            words = last.words + ((word,) if word else ())
            stretches[-1] = Stretch(last.start_s, max(last.end_s, end), words)
        else:
            stretches.append(Stretch(start, end, (word,) if word else ()))
    return stretches


def fallback_line(alignment: Alignment) -> str:
    """One line for the user: how many words were used and which stretches fell back."""
    words = alignment.words
    used = sum(trusted(w) for w in words)
    if not words:
        return "The text has no words to align; used the model alone."
    if alignment.too_long:
        return "The take is too long to align with its text in one piece; used the model alone."
    if used == 0:
        return "The text does not match the audio; used the model alone."
    parts = []
    for stretch in fallback_stretches(alignment):
        what = f"'{' '.join(stretch.words)}'" if stretch.words else "unscripted speech"
        parts.append(f"{what} {stretch.start_s:.2f}-{stretch.end_s:.2f} s")
    unheard = [w.word for w in words if not w.phones]
    line = f"Text aligned: {used} of {len(words)} words"
    if parts:
        more = len(parts) - MESSAGE_STRETCHES
        named = ", ".join(parts[:MESSAGE_STRETCHES]) + (f" and {more} more" if more > 0 else "")
        line += f"; the model animates {named}"
    if unheard:
        extra = len(unheard) - MESSAGE_STRETCHES
        line += f"; not heard: {', '.join(unheard[:MESSAGE_STRETCHES])}"
        line += f" (+{extra})" if extra > 0 else ""
    return line + "."
