"""MBROLA voices through espeak-ng (opt-in only: `make corpus MBROLA=1`).

espeak-ng drives the MBROLA diphone synthesiser for its `mb-*` voices and still reports phoneme
events, so timings come exactly as for espeak's own voices (burst-corrected stop onsets). The
only difference is the output rate: an MBROLA voice speaks at its database's rate (16 kHz for
us1/us2/en1), not at the 22,050 Hz espeak_Initialize reports, so the rate is read back from
the library after every utterance.

Licence: the MBROLA voice databases (Debian contrib/non-free `mbrola-us1`, `mbrola-us2`,
`mbrola-en1`) may be used for non-commercial, non-military purposes only, with their authors
credited. They are never used unless asked for, their shards are labelled engine
"espeak-mbrola", and any model trained on them must say so in its card.
"""

import ctypes
from pathlib import Path

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from . import espeak
from .bursts import correct_stop_onsets
from .synthesis import Synthesis

ENGINE = "espeak-mbrola"
VOICES = ("mb-us1", "mb-us2", "mb-en1")  # espeak-ng voice files mb/mb-<db> (F, M, British M)
DATABASE_DIR = Path("/usr/share/mbrola")
LICENCE_NOTE = (
    "MBROLA voices (mbrola-us1, mbrola-us2, mbrola-en1; Debian contrib/non-free) are licensed "
    "for non-commercial, non-military use only: a model trained on them must say so."
)


def check_voice(voice: str) -> None:
    """Fail with an install hint when the MBROLA database behind an `mb-*` voice is missing."""
    database = voice.removeprefix("mb-")
    if not (DATABASE_DIR / database / database).exists():
        raise CorpusError(
            f"MBROLA voice '{database}' is not installed; run "
            "`sudo tools/setup/install_engines.sh --mbrola` (Debian contrib/non-free)."
        )


def synthesize(
    text: str, voice: str = "mb-us1", rate_wpm: int = 175, pitch: int = 50, pitch_range: int = 50
) -> Synthesis:
    """Speak English `text` with an MBROLA voice via espeak-ng: 16 kHz audio and ARPAbet phones."""
    check_voice(voice)
    library = espeak._library()
    pcm, events = library.synth(text, voice, rate_wpm, pitch, pitch_range)
    get_rate = library.lib.espeak_ng_GetSampleRate
    get_rate.restype = ctypes.c_int
    rate = int(get_rate())
    if rate <= 0:
        raise CorpusError(f"espeak-ng reported no sample rate for the voice '{voice}'.")
    audio = resample(pcm, rate, SAMPLE_RATE)
    duration_s = len(audio) / SAMPLE_RATE
    event_phones = espeak.events_to_phones(events, duration_s, "en")
    return Synthesis(audio, correct_stop_onsets(audio, event_phones), event_phones)
