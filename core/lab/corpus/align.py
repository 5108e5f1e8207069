"""Forced alignment of 16 kHz speech to its transcript with pocketsphinx 5.1.1 (bundled en-us).

Recipe (speech-data notes, section 2): two passes (words, then phones), faint dither where the
audio holds digital silence, out-of-vocabulary words spelled through espeak-ng's phonemes, and
text normalised to lower-case words with digits spelled out. Timings are on 10 ms frames.
"""

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...audio.prepare import SAMPLE_RATE
from ...errors import CorpusError
from ...phones.phone_set import SILENCE, Phone
from .engine_phones import espeak_string_to_arpabet, pocketsphinx_to_arpabet

FRAME_S = 0.01  # pocketsphinx frame hop
DITHER_LSB = 20.0  # std of the dither, in int16 steps (about -64 dBFS)
PAD_S = 0.2  # silence added around the audio when a first attempt fails
_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def _number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + _number_words(rest))
    if n < 1_000_000:
        rest = n % 1000
        head = _number_words(n // 1000) + " thousand"
        return head + ("" if rest == 0 else " " + _number_words(rest))
    return " ".join(_ONES[int(d)] for d in str(n))  # long numbers: digit by digit


def normalize_text(text: str) -> list[str]:
    """Lower-case words of [a-z'] for the aligner; numbers spelled out, punctuation dropped."""
    text = re.sub(r"(\d),(\d{3})", r"\1\2", text.lower())
    text = re.sub(r"\d+", lambda m: f" {_number_words(int(m.group()))} ", text)
    text = re.sub(r"[^a-z' ]+", " ", text.replace("-", " "))
    return [w.strip("'") for w in text.split() if w.strip("'")]


@lru_cache(maxsize=4096)
def espeak_pronunciation(word: str) -> str:
    """ARPAbet pronunciation "P AH M P" of an English word from espeak-ng's phonemes."""
    if shutil.which("espeak-ng") is None:
        raise CorpusError("espeak-ng is not installed; run `sudo tools/setup/install_engines.sh`.")
    result = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-q", "-x", word], capture_output=True, text=True, check=False
    )
    phones = [p for p in espeak_string_to_arpabet(result.stdout.strip()) if p != SILENCE]
    if result.returncode != 0 or not phones:
        raise CorpusError(f"espeak-ng could not spell the word '{word}' for the aligner.")
    return " ".join(phones)


def dictionary_path():
    """Path of the cmudict-en-us.dict bundled with pocketsphinx (the aligner's lexicon)."""
    try:
        from pocketsphinx import get_model_path
    except ImportError:
        raise CorpusError(
            "pocketsphinx is not installed; `pip install pocketsphinx==5.1.1` into the venv."
        ) from None
    return Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"


@lru_cache(maxsize=1)
def _decoder():
    try:
        from pocketsphinx import Decoder
    except ImportError:
        raise CorpusError(
            "pocketsphinx is not installed; `pip install pocketsphinx==5.1.1` into the venv."
        ) from None
    return Decoder(samprate=SAMPLE_RATE, bestpath=False, lm=None, loglevel="FATAL")


def _to_pcm16(audio: np.ndarray, dither_lsb: float) -> np.ndarray:
    pcm = np.clip(np.round(audio.astype(np.float64) * 32767), -32768, 32767)
    if dither_lsb > 0:
        pcm = pcm + np.random.RandomState(0).randn(len(pcm)) * dither_lsb
    return np.clip(np.round(pcm), -32768, 32767).astype(np.int16)


def _run_alignment(decoder, pcm16: np.ndarray, words: list[str]) -> list[tuple[int, int, str]]:
    decoder.set_align_text(" ".join(words))
    for pass_name in ("words", "phones"):  # set_alignment() between passes adds phone detail
        decoder.start_utt()
        decoder.process_raw(pcm16.tobytes(), full_utt=True)
        decoder.end_utt()
        if pass_name == "words":
            decoder.set_alignment()
    return [(p.start, p.start + p.duration, p.name) for w in decoder.get_alignment() for p in w]


def align(audio16k: np.ndarray, text: str) -> list[Phone]:
    """Phone timings of 16 kHz mono float audio (N,) spoken from `text`, covering the audio.

    Raises CorpusError when the text has no words or the alignment cannot be found.
    """
    words = normalize_text(text)
    if not words:
        raise CorpusError(f"Nothing to align: the text '{text}' has no words.")
    audio16k = np.asarray(audio16k, dtype=np.float32)
    if audio16k.ndim != 1 or len(audio16k) < 0.1 * SAMPLE_RATE:
        raise CorpusError("Alignment needs mono 16 kHz audio at least 0.1 s long.")
    decoder = _decoder()
    for word in sorted(set(words)):
        if decoder.lookup_word(word) is None:
            decoder.add_word(word, espeak_pronunciation(word), True)
    # Digital silence (runs of exact zeros) breaks sub-word alignment; faint noise fixes it.
    # Speech that starts or ends abruptly aligns once framed by a little (dithered) silence.
    silent = (_to_pcm16(audio16k, 0.0) == 0).mean() > 0.01
    attempts = [
        (DITHER_LSB if silent else 0.0, 0.0),
        (DITHER_LSB, PAD_S),
        (2.5 * DITHER_LSB, PAD_S),
    ]
    for dither_lsb, pad_s in attempts:
        pad = np.zeros(int(pad_s * SAMPLE_RATE), np.float32)
        padded = np.concatenate([pad, audio16k, pad])
        try:
            segments = _run_alignment(decoder, _to_pcm16(padded, dither_lsb), words)
        except RuntimeError:
            continue
        if segments:
            return _to_phones(
                segments, len(audio16k) / SAMPLE_RATE, offset_s=len(pad) / SAMPLE_RATE
            )
    raise CorpusError(
        f"Forced alignment failed for '{text[:60]}': the audio may not match the text."
    )


def _to_phones(
    segments: list[tuple[int, int, str]], duration_s: float, offset_s: float = 0.0
) -> list[Phone]:
    """Frames to seconds (minus padding), fillers to SIL, silences merged, the audio covered."""
    phones: list[Phone] = []
    for start, end, name in segments:
        label = pocketsphinx_to_arpabet(name)
        start_s = max(round(start * FRAME_S - offset_s, 4), 0.0)
        end_s = min(round(end * FRAME_S - offset_s, 4), duration_s)
        if end_s <= start_s:
            continue
        if phones and phones[-1].end_s < start_s:
            phones.append(Phone(phones[-1].end_s, start_s, SILENCE))
        if phones and label == SILENCE and phones[-1].label == SILENCE:
            phones[-1] = Phone(phones[-1].start_s, end_s, SILENCE)
        else:
            phones.append(Phone(start_s, end_s, label))
    if not phones:
        raise CorpusError("Forced alignment returned no phones.")
    if phones[0].start_s > 0:
        phones.insert(0, Phone(0.0, phones[0].start_s, SILENCE))
    last = phones[-1]
    if last.end_s < duration_s:
        if last.label == SILENCE:
            phones[-1] = Phone(last.start_s, duration_s, SILENCE)
        else:
            phones.append(Phone(last.end_s, duration_s, SILENCE))
    return phones
