"""One clip of the real-speech dev set: audio, aligned phones and who is speaking."""

from dataclasses import dataclass

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ...phones.phone_set import Phone


@dataclass(frozen=True)
class DevClip:
    """One aligned real-speech recording of the dev set."""

    clip_id: str
    audio: np.ndarray  # (N,) float32 at SAMPLE_RATE
    phones: tuple[Phone, ...]  # pocketsphinx forced alignment, covering the audio
    text: str
    source: str
    speaker: str
    sex: str
    licence: str
    reference_phones: tuple[Phone, ...] = ()  # independent timings, where the package has them

    @property
    def duration_s(self) -> float:
        return len(self.audio) / SAMPLE_RATE
