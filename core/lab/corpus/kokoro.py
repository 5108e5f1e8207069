"""Kokoro-82M voices (neural TTS, Apache-2.0): audio from its int8 ONNX model, phones timed.

The model (installed by `make kokoro`, tools/setup/install_kokoro.py) takes espeak-ng IPA tokens
(kokoro-onnx 0.6.1's tokenizer, espeak-ng bundled in espeakng-loader), a style vector and a
speed, and speaks at 24 kHz. The installer exposes the per-token frame counts
(`/encoder/Cast_output_0`; one frame = 600 samples = 25 ms), so every token has a span.
Those spans run about 65-70 ms late against forced alignment and against the acoustic
closures themselves (energy dips; reports/corpus_timing.md, tools/plot_kokoro_timing.py), so
the labels come from pocketsphinx forced alignment, as for flite, and the duration spans stay
in `engine_phones`. Where the aligner fails or strays from the durations shifted by their
measured lag (median onset disagreement over MAX_DISAGREEMENT_S), the shifted durations
are the labels instead.

Voices: 20 en-US (af_*, am_*) and 8 en-GB (bf_*, bm_*) style tables of shape (510, 256), one
row per token count, and weighted mixes of them named like "af_bella40+bm_lewis60".
"""

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from ...phones.phone_set import SILENCE, Phone
from .align import align
from .onsets import matched_onsets
from .synthesis import Synthesis, cover_audio

ENGINE = "kokoro"
MODEL_DIR = Path(__file__).resolve().parents[3] / "data" / "engines" / "kokoro"
MODEL_FILE = "kokoro-v1.0.int8.durations.onnx"
DURATION_OUTPUT = "/encoder/Cast_output_0"
NATIVE_RATE = 24000
FRAME_SAMPLES = 600  # samples at 24 kHz per duration unit (25 ms)
MAX_TOKENS = 510
STYLE_ROWS, STYLE_DIM = 510, 256
US_VOICES = (
    "af_alloy",
    "af_aoede",
    "af_bella",
    "af_heart",
    "af_jessica",
    "af_kore",
    "af_nicole",
    "af_nova",
    "af_river",
    "af_sarah",
    "af_sky",
    "am_adam",
    "am_echo",
    "am_eric",
    "am_fenrir",
    "am_liam",
    "am_michael",
    "am_onyx",
    "am_puck",
    "am_santa",
)
GB_VOICES = (
    "bf_alice",
    "bf_emma",
    "bf_isabella",
    "bf_lily",
    "bm_daniel",
    "bm_fable",
    "bm_george",
    "bm_lewis",
)
ENGLISH_VOICES = US_VOICES + GB_VOICES
DURATION_LAG_S = 0.065  # median (durations - aligner) onset, all phones (timing check)
MAX_DISAGREEMENT_S = 0.05  # aligned vs lag-corrected durations, median |onset difference|
INSTALL_HINT = "run `make kokoro` (tools/setup/install_kokoro.py)"

# espeak-ng IPA (as kokoro-onnx's tokenizer writes it) -> ARPAbet; "A-B" is two phones.
_IPA: dict[str, str] = {
    "p": "P",
    "b": "B",
    "t": "T",
    "d": "D",
    "k": "K",
    "ɡ": "G",
    "g": "G",
    "f": "F",
    "v": "V",
    "θ": "TH",
    "ð": "DH",
    "s": "S",
    "z": "Z",
    "ʃ": "SH",
    "ʒ": "ZH",
    "h": "HH",
    "tʃ": "CH",
    "ʧ": "CH",
    "dʒ": "JH",
    "ʤ": "JH",
    "m": "M",
    "n": "N",
    "ŋ": "NG",
    "l": "L",
    "ɹ": "R",
    "r": "R",
    "w": "W",
    "j": "Y",
    "ɾ": "D",
    "ʔ": "T",
    "x": "HH",
    "ç": "HH",
    "i": "IY",
    "ɪ": "IH",
    "ᵻ": "IH",
    "ɨ": "IH",
    "e": "EH",
    "ɛ": "EH",
    "æ": "AE",
    "a": "AE",
    "ɐ": "AH",
    "ʌ": "AH",
    "ə": "AH",
    "ᵊ": "AH",
    "ɚ": "ER",
    "ɜ": "ER",
    "ɑ": "AA",
    "ɒ": "AA",
    "ɔ": "AO",
    "o": "OW",
    "ʊ": "UH",
    "u": "UW",
    "eɪ": "EY",
    "aɪ": "AY",
    "ɔɪ": "OY",
    "oʊ": "OW",
    "əʊ": "OW",
    "aʊ": "AW",
    "ɪə": "IH-R",
    "eə": "EH-R",
    "ɛə": "EH-R",
    "ʊə": "UH-R",
    "aɪə": "AY-ER",
    "aʊə": "AW-ER",
    "oː": "OW",
}
_KEYS = sorted(_IPA, key=len, reverse=True)
_STRESS = "ˈˌ"  # belongs to the phone after it
_LENGTH = "ː̃ʰʲ"  # belongs to the phone before it
_PAUSES = ',.!?;:—…"()“”'  # punctuation: a pause (silence) of its own duration
_MIX = re.compile(r"([a-z]{2}_[a-z]+)(\d{1,3})")


def language_of(voice: str) -> str:
    """espeak-ng language of a voice or mix ("en-us" or "en-gb", from its main component)."""
    name = max(parse_voice(voice), key=lambda part: part[1])[0]
    return "en-gb" if name[0] == "b" else "en-us"


def parse_voice(voice: str) -> list[tuple[str, float]]:
    """(voice name, weight) parts of "af_bella" or a mix "af_bella40+bm_lewis60" (sum 1)."""
    if "+" not in voice:
        return [(voice, 1.0)]
    parts = [_MIX.fullmatch(p) for p in voice.split("+")]
    if not all(parts):
        raise CorpusError(f"Kokoro voice mix '{voice}' is not like 'af_bella40+bm_lewis60'.")
    total = sum(int(m.group(2)) for m in parts)
    return [(m.group(1), int(m.group(2)) / total) for m in parts]


def mix_name(parts: list[tuple[str, int]]) -> str:
    """A mix's voice name from (voice, percent) parts, e.g. "af_bella40+bm_lewis60"."""
    return "+".join(f"{name}{percent}" for name, percent in parts)


def seeded_mixes(count: int, seed: int, voices: tuple[str, ...] = ENGLISH_VOICES) -> list[str]:
    """`count` distinct mixes of 2-3 of `voices` with seeded Dirichlet weights (percent)."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    while len(out) < count:
        k = 2 + int(rng.random() < 0.4)
        names = sorted(rng.choice(len(voices), size=k, replace=False))
        weights = rng.dirichlet(np.full(k, 2.0))
        percent = np.maximum(10, np.round(weights * 100)).astype(int)
        percent[int(np.argmax(percent))] += 100 - int(percent.sum())
        name = mix_name([(voices[i], int(p)) for i, p in zip(names, percent, strict=True)])
        if name not in out:
            out.append(name)
    return out


@lru_cache(maxsize=64)
def _voice_table(name: str, model_dir: Path) -> np.ndarray:
    path = model_dir / "voices" / f"{name}.bin"
    if not path.exists():
        raise CorpusError(f"Kokoro voice '{name}' is not installed ({path}); {INSTALL_HINT}.")
    return np.fromfile(path, dtype=np.float32).reshape(STYLE_ROWS, STYLE_DIM)


def style_table(voice: str, model_dir: Path = MODEL_DIR) -> np.ndarray:
    """(510, 256) float32 style table of a voice or a weighted mix of voices."""
    parts = parse_voice(voice)
    return sum(w * _voice_table(n, Path(model_dir)) for n, w in parts).astype(np.float32)


@lru_cache(maxsize=1)
def _tokenizer():
    import logging

    logging.getLogger("phonemizer").setLevel(logging.ERROR)
    try:
        from kokoro_onnx.tokenizer import Tokenizer
    except ImportError:
        raise CorpusError(
            "kokoro-onnx is not installed; `pip install -r requirements/dev.txt` into the venv."
        ) from None
    return Tokenizer()


@lru_cache(maxsize=2)
def _session(model_dir: Path):
    import onnxruntime

    path = model_dir / MODEL_FILE
    if not path.exists():
        raise CorpusError(f"The Kokoro model is not installed ({path}); {INSTALL_HINT}.")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def phonemize(text: str, language: str = "en-us") -> str:
    """The IPA string Kokoro speaks for `text`, one character per model token."""
    return _tokenizer().phonemize(text, language)


def token_phones(phonemes: str, frames: np.ndarray) -> list[Phone]:
    """ARPAbet phones from IPA `phonemes` and frame counts (len(phonemes) + 2, pads included).

    Stress marks join the next phone, length/nasal marks the previous one, a space is split
    between the phones on either side, punctuation and the two pads are silence.
    """
    frames = np.asarray(frames, dtype=np.int64).ravel()
    if len(frames) != len(phonemes) + 2:
        raise CorpusError(f"Kokoro gave {len(frames)} durations for {len(phonemes)} tokens + 2.")
    edges = np.concatenate([[0], np.cumsum(frames)]) * (FRAME_SAMPLES / NATIVE_RATE)
    spans: list[list] = [[SILENCE, edges[0], edges[1]]]  # [label(s), start s, end s]
    i, pending_start = 0, None
    while i < len(phonemes):
        char, start, end = phonemes[i], edges[i + 1], edges[i + 2]
        if char in _STRESS:
            pending_start = start if pending_start is None else pending_start
            i += 1
            continue
        if char in _LENGTH:
            spans[-1][2] = end
        elif char == " ":
            middle = 0.5 * (start + end)
            spans[-1][2] = middle
            pending_start = middle if pending_start is None else pending_start
        elif char in _PAUSES:
            spans.append([SILENCE, start if pending_start is None else pending_start, end])
            pending_start = None
        else:
            key = next((k for k in _KEYS if phonemes.startswith(k, i)), None)
            if key is None:
                raise CorpusError(f"Kokoro phoneme '{char}' in '{phonemes}' has no ARPAbet.")
            end = edges[i + len(key) + 1]
            spans.append([_IPA[key], start if pending_start is None else pending_start, end])
            pending_start = None
            i += len(key)
            continue
        i += 1
    spans.append([SILENCE, spans[-1][2], edges[-1]])
    phones: list[Phone] = []
    for labels, start, end in spans:
        parts = labels.split("-")
        step = (end - start) / len(parts)
        for j, label in enumerate(parts):
            a, b = float(start + j * step), float(start + (j + 1) * step)
            if b - a <= 1e-9:
                continue
            if phones and label == SILENCE and phones[-1].label == SILENCE:
                phones[-1] = Phone(phones[-1].start_s, b, SILENCE)
            else:
                phones.append(Phone(a, b, label))
    return phones


def synthesize_raw(
    text: str, voice: str = "af_heart", speed: float = 1.0, model_dir: Path = MODEL_DIR
) -> tuple[np.ndarray, list[Phone]]:
    """Kokoro audio (N,) float32 at 16 kHz and the phones of its own token durations."""
    phonemes = _tokenizer().known(phonemize(text, language_of(voice)))
    tokens = _tokenizer().tokenize(phonemes, limit=None)
    if not tokens:
        raise CorpusError(f"Kokoro has nothing to say for '{text[:60]}'.")
    if len(tokens) > MAX_TOKENS - 2:
        raise CorpusError(f"'{text[:60]}...' is {len(tokens)} Kokoro tokens; the most is 508.")
    style = style_table(voice, Path(model_dir))[len(tokens) - 1][None]  # (1, 256)
    session = _session(Path(model_dir))
    audio24, frames = session.run(
        ["audio", DURATION_OUTPUT],
        {
            "tokens": np.array([[0, *tokens, 0]], np.int64),
            "style": style,
            "speed": np.array([speed], np.float32),
        },
    )
    if int(frames.sum()) * FRAME_SAMPLES != len(audio24):
        raise CorpusError("Kokoro durations do not add up to its audio; reinstall the model.")
    audio = resample(audio24, NATIVE_RATE, SAMPLE_RATE)
    phones = token_phones(phonemes, frames)
    phones[-1] = Phone(phones[-1].start_s, len(audio) / SAMPLE_RATE, phones[-1].label)
    return audio, phones


def shift_phones(phones: list[Phone], shift_s: float, duration_s: float) -> list[Phone]:
    """Phones moved by `shift_s` (negative: earlier), still covering [0, duration_s]."""
    moved = [Phone(max(0.0, p.start_s + shift_s), p.end_s + shift_s, p.label) for p in phones]
    moved = [p for p in moved if p.end_s > p.start_s]
    moved[0] = Phone(0.0, moved[0].end_s, moved[0].label)
    return cover_audio(moved, duration_s)


def disagreement_s(reference: list[Phone], test: list[Phone]) -> float:
    """Median |onset difference| (s) of phones matched by label sequence (inf if none)."""

    pairs = matched_onsets(reference, test)
    return float(np.median([abs(t - r) for _, r, t in pairs])) if pairs else float("inf")


def synthesize(
    text: str, voice: str = "af_heart", speed: float = 1.0, model_dir: Path = MODEL_DIR
) -> Synthesis:
    """Speak `text` with a Kokoro voice or mix at `speed` (0.8-1.25): 16 kHz audio and phones.

    `phones` come from forced alignment, or from the lag-corrected durations where the
    alignment fails or strays; `engine_phones` are the model's own (uncorrected) durations.
    """
    audio, duration_phones = synthesize_raw(text, voice, speed, model_dir)
    corrected = shift_phones(duration_phones, -DURATION_LAG_S, len(audio) / SAMPLE_RATE)
    try:
        aligned = align(audio, text)
    except CorpusError:
        return Synthesis(audio, corrected, duration_phones)
    if disagreement_s(aligned, corrected) > MAX_DISAGREEMENT_S:
        return Synthesis(audio, corrected, duration_phones)
    return Synthesis(audio, aligned, duration_phones)
