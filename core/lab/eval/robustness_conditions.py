"""The robustness suite's conditions: fixed channels, rooms, noises, codecs, levels and voices.

Each condition turns a clip's 16 kHz audio into a degraded copy of the same length and timing,
the same every time for the same clip key (seeded by condition and key), so every model hears
the same audio and predictions can be cached. Babble is other people's speech: four stretches
of the babble source (the dev set's choose half, none of the report half's speakers), half of
them reversed.
"""

import io
import zlib
from collections.abc import Callable

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ..corpus.augment import add_noise, babble_noise, band_limit, down_up, pink_noise, reverb
from ..corpus.pitch_shift import pitch_shift

MP3_KBITS = 32  # constant bit rate, MPEG-2 layer III at 16 kHz (libsndfile + LAME)
MP3_LEVEL = 0.85  # libsndfile compression level that gives MP3_KBITS at 16 kHz
MP3_DELAY = 1105  # LAME's encoder + decoder delay in samples, which libsndfile keeps
OPUS_KBITS = 24
OPUS_LEVEL = 0.915  # libsndfile compression level that gives about OPUS_KBITS at 16 kHz


def _codec(audio: np.ndarray, mp3: bool) -> np.ndarray:
    """Encode and decode with libsndfile (MP3 or Opus), trimmed back to the clip's timing."""
    import soundfile

    buffer = io.BytesIO()
    if mp3:
        soundfile.write(
            buffer,
            audio,
            SAMPLE_RATE,
            format="MP3",
            subtype="MPEG_LAYER_III",
            compression_level=MP3_LEVEL,
            bitrate_mode="CONSTANT",
        )
    else:
        soundfile.write(
            buffer, audio, SAMPLE_RATE, format="OGG", subtype="OPUS", compression_level=OPUS_LEVEL
        )
    buffer.seek(0)
    decoded, _ = soundfile.read(buffer, dtype="float32")
    decoded = decoded[MP3_DELAY:] if mp3 else decoded
    return np.pad(decoded, (0, max(0, len(audio) - len(decoded))))[: len(audio)]


def _level(audio: np.ndarray, gain_db: float) -> np.ndarray:
    """Scale by gain_db; what passes full scale clips, as in a recording made too hot."""
    return np.clip(audio * 10.0 ** (gain_db / 20.0), -1.0, 1.0).astype(np.float32)


Condition = Callable[[np.ndarray, np.random.Generator, np.ndarray], np.ndarray]
# name -> (audio, rng, babble source) -> degraded audio; in table order.
CONDITIONS: dict[str, Condition] = {
    "clean": lambda a, rng, b: a,
    "8 kHz": lambda a, rng, b: down_up(a, 8000),
    "11 kHz": lambda a, rng, b: down_up(a, 11025),
    "telephone 300-3400 Hz": lambda a, rng, b: band_limit(a, 300.0, 3400.0),
    "reverb RT60 0.3 s": lambda a, rng, b: reverb(a, rng, 0.3),
    "reverb RT60 0.8 s": lambda a, rng, b: reverb(a, rng, 0.8),
    "pink noise 25 dB": lambda a, rng, b: add_noise(a, pink_noise(len(a), rng), 25.0),
    "pink noise 15 dB": lambda a, rng, b: add_noise(a, pink_noise(len(a), rng), 15.0),
    "babble 25 dB": lambda a, rng, b: add_noise(a, babble_noise(b, len(a), rng), 25.0),
    "babble 15 dB": lambda a, rng, b: add_noise(a, babble_noise(b, len(a), rng), 15.0),
    f"MP3 {MP3_KBITS} kbit/s": lambda a, rng, b: _codec(a, mp3=True),
    f"Opus {OPUS_KBITS} kbit/s": lambda a, rng, b: _codec(a, mp3=False),
    "level -12 dB": lambda a, rng, b: _level(a, -12.0),
    "level +12 dB (clipped)": lambda a, rng, b: _level(a, 12.0),
    "pitch -4 semitones": lambda a, rng, b: pitch_shift(a, -4.0),
    "pitch +4 semitones": lambda a, rng, b: pitch_shift(a, 4.0),
}


def apply_condition(audio: np.ndarray, name: str, key: str, babble: np.ndarray) -> np.ndarray:
    """audio (N,) float32 at 16 kHz under condition `name`, seeded by the name and `key` (the
    clip's id); `babble` (M,) is the speech that babble noise is made of."""
    if name not in CONDITIONS:
        raise ValueError(f"unknown condition {name!r}; one of {', '.join(CONDITIONS)}")
    rng = np.random.default_rng(zlib.crc32(f"suite/{name}/{key}".encode()))
    return np.asarray(CONDITIONS[name](audio, rng, babble), dtype=np.float32)
