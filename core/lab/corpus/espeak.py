"""espeak-ng through libespeak-ng (ctypes): audio plus phone timings from its phoneme events.

An event marks where its phoneme starts in the audio; for a stop that is the burst, about 30 ms
after the lips close. `correct_stop_onsets` moves P/B onsets back to the start of the closure.
The library keeps one global voice and callback, so one process synthesises one text at a time.
"""

import ctypes
from functools import lru_cache

import numpy as np

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from ...phones.phone_set import SILENCE, Phone
from .bursts import correct_stop_onsets
from .engine_phones import espeak_event_to_arpabet
from .synthesis import Synthesis

# espeak-ng's library looks voices up by file name: "en" is British English (en-gb).
ENGLISH_ACCENTS = (
    "en-us",
    "en",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-rp",
    "en-gb-x-gbcwmd",
    "en-029",
)
OTHER_LANGUAGES = {"es": "es", "fr": "fr", "de": "de", "it": "it", "pt": "pt", "nl": "nl"}

_EVENT_PHONEME = 7
_EVENT_LIST_TERMINATED = 0
_SET_RATE, _SET_PITCH, _SET_RANGE = 1, 3, 4


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class _Library:
    """The loaded libespeak-ng with its synth callback and the buffers it fills."""

    def __init__(self) -> None:
        try:
            self.lib = ctypes.CDLL("libespeak-ng.so.1")
        except OSError:
            raise CorpusError(
                "libespeak-ng is not installed; run `sudo tools/setup/install_engines.sh`."
            ) from None
        self.lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.chunks: list[np.ndarray] = []
        self.events: list[tuple[int, str]] = []  # (audio position ms, mnemonic)
        self.callback = _CALLBACK(self._on_synth)  # kept alive as long as the library
        self.sample_rate = self.lib.espeak_Initialize(2, 0, None, 1)  # sync, phoneme events
        if self.sample_rate <= 0:
            raise CorpusError("libespeak-ng failed to initialise (is espeak-ng-data installed?).")
        self.lib.espeak_SetSynthCallback(self.callback)

    def _on_synth(self, wav, n_samples, events) -> int:
        if wav and n_samples > 0:
            self.chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            if events[i].type == _EVENT_PHONEME:
                raw = events[i].id.string.decode("ascii", errors="replace")
                self.events.append((events[i].audio_position, raw))
            i += 1
        return 0

    def synth(self, text: str, voice: str, rate_wpm: int, pitch: int, pitch_range: int):
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise CorpusError(f"espeak-ng has no voice '{voice}'.")
        for parameter, value in (
            (_SET_RATE, rate_wpm),
            (_SET_PITCH, pitch),
            (_SET_RANGE, pitch_range),
        ):
            self.lib.espeak_SetParameter(parameter, int(value), 0)
        self.chunks, self.events = [], []
        data = text.encode("utf-8")
        if self.lib.espeak_Synth(data, len(data) + 1, 0, 1, 0, 0, None, None) != 0:
            raise CorpusError(f"espeak-ng failed to synthesise '{text[:60]}'.")
        self.lib.espeak_Synchronize()
        if not self.chunks:
            raise CorpusError(f"espeak-ng produced no audio for '{text[:60]}'.")
        pcm = np.concatenate(self.chunks).astype(np.float32) / 32768.0
        return pcm, list(self.events)


@lru_cache(maxsize=1)
def _library() -> _Library:
    return _Library()


def voice_name(accent: str, variant: str = "") -> str:
    """espeak-ng voice name such as "en-us+f3" from an accent/language and a variant."""
    return f"{accent}+{variant}" if variant else accent


def events_to_phones(
    events: list[tuple[int, str]], duration_s: float, language: str
) -> list[Phone]:
    """Phone intervals from (audio position ms, mnemonic) events; the last ends at duration_s."""
    marks: list[tuple[float, tuple[str, ...]]] = []
    for position_ms, mnemonic in events:
        labels = espeak_event_to_arpabet(mnemonic, language)
        if labels:
            marks.append((min(position_ms / 1000.0, duration_s), labels))
    phones: list[Phone] = []
    starts = [m[0] for m in marks] + [duration_s]
    if not marks or starts[0] > 0:
        phones.append(Phone(0.0, starts[0] if marks else duration_s, SILENCE))
    for k, (start_s, labels) in enumerate(marks):
        end_s = starts[k + 1]
        if end_s <= start_s:
            continue  # a zero-length event (e.g. a word-boundary pause marker)
        step = (end_s - start_s) / len(labels)  # a diphthong + r: split its span evenly
        for j, label in enumerate(labels):
            phones.append(Phone(start_s + j * step, start_s + (j + 1) * step, label))
    merged: list[Phone] = []
    for phone in phones:
        if merged and phone.label == SILENCE and merged[-1].label == SILENCE:
            merged[-1] = Phone(merged[-1].start_s, phone.end_s, SILENCE)
        else:
            merged.append(phone)
    return merged


def synthesize(
    text: str,
    voice: str = "en-us",
    language: str = "en",
    rate_wpm: int = 175,
    pitch: int = 50,
    pitch_range: int = 50,
) -> Synthesis:
    """Speak `text` with an espeak-ng voice ("en-us+f3"): 16 kHz audio and ARPAbet phones.

    `engine_phones` of the result are the raw event timings, `phones` the burst-corrected ones.
    """
    library = _library()
    pcm, events = library.synth(text, voice, rate_wpm, pitch, pitch_range)
    audio = resample(pcm, library.sample_rate, SAMPLE_RATE)
    duration_s = len(audio) / SAMPLE_RATE
    event_phones = events_to_phones(events, duration_s, language)
    return Synthesis(audio, correct_stop_onsets(audio, event_phones), event_phones)
