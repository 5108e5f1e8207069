"""What every speech engine returns: 16 kHz audio with ARPAbet phone intervals covering it."""

from dataclasses import dataclass

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ...errors import CorpusError
from ...phones.phone_set import Phone


@dataclass(frozen=True)
class Synthesis:
    audio: np.ndarray  # (N,) float32 at SAMPLE_RATE
    phones: list[Phone]  # ARPAbet + SIL, contiguous, from 0 to the end of the audio
    engine_phones: list[Phone]  # the engine's own timings before any correction (may be [])

    @property
    def duration_s(self) -> float:
        """Audio length in seconds."""
        return len(self.audio) / SAMPLE_RATE


def check_phones(phones: list[Phone], duration_s: float, source: str) -> None:
    """Raise CorpusError unless phones are non-empty, contiguous, increasing and cover the audio."""
    if not phones:
        raise CorpusError(f"{source}: no phones.")
    if abs(phones[0].start_s) > 1e-6 or abs(phones[-1].end_s - duration_s) > 0.011:
        raise CorpusError(
            f"{source}: phones span {phones[0].start_s:.3f}-{phones[-1].end_s:.3f} s "
            f"but the audio is {duration_s:.3f} s."
        )
    for a, b in zip(phones, phones[1:], strict=False):
        if b.start_s < a.start_s or abs(b.start_s - a.end_s) > 1e-6 or b.end_s <= b.start_s:
            raise CorpusError(f"{source}: phone timings are not contiguous at {b.start_s:.3f} s.")


def cover_audio(phones: list[Phone], duration_s: float) -> list[Phone]:
    """Clip phones to [0, duration_s], close gaps with SIL and end exactly at duration_s."""
    out: list[Phone] = []
    for phone in phones:
        start_s = out[-1].end_s if out else 0.0
        end_s = min(phone.end_s, duration_s)
        if phone.start_s > start_s + 1e-6:
            out.append(Phone(start_s, phone.start_s, "SIL"))
            start_s = phone.start_s
        if end_s > start_s + 1e-6:
            out.append(Phone(start_s, end_s, phone.label))
    if not out:
        return [Phone(0.0, duration_s, "SIL")]
    last = out[-1]
    if last.end_s < duration_s:
        if last.label == "SIL":
            out[-1] = Phone(last.start_s, duration_s, "SIL")
        else:
            out.append(Phone(last.end_s, duration_s, "SIL"))
    return out
