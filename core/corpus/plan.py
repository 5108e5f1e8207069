"""What a corpus build makes: voices per engine, hours per voice, held-out voices, shard jobs.

The plan is a pure function of (size, seed): the same arguments give the same shards,
so a build can stop and resume anywhere. Held-out voices (one per engine) never reach `train/`.
MBROLA voices (restrictive licence, see core.corpus.mbrola) join the plan only with
`mbrola=True`; their shards are labelled engine "espeak-mbrola" and all go to `train/`.
"""

import zlib
from dataclasses import dataclass

from . import mbrola
from .espeak import ENGLISH_ACCENTS, OTHER_LANGUAGES, voice_name

# espeak-ng variants used per English accent: a default male, a female, a Klatt-source voice.
ESPEAK_ENGLISH_VARIANTS = ("", "f3", "klatt4")
ESPEAK_FOREIGN_VARIANTS = ("", "f3", "m3")
FESTIVAL_VOICES = ("kal", "ked", "slt-hts")
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")

# Whole voices kept out of training, one per engine (validation and evaluation).
HELDOUT = frozenset({("espeak", "en-029+f3"), ("festival", "ked"), ("flite", "rms")})
MEAN_UTTERANCE_S = 6.0  # used to turn hours into utterance counts


@dataclass(frozen=True)
class ShardJob:
    index: int
    split: str  # "train", "heldout" or "lang"
    engine: str  # "espeak", "festival", "flite", "espeak-mbrola" (opt-in)
    voice: str
    language: str
    utterances: int
    seed: int
    max_words: int  # small builds use short sentences
    augment_share: float  # share of utterances that also get an augmented copy

    @property
    def name(self) -> str:
        """File stem of the shard, e.g. shard-00012-espeak-en-us+f3."""
        safe = "".join(c if c.isalnum() or c in "+-" else "_" for c in self.voice)
        return f"shard-{self.index:05d}-{self.engine}-{safe}"


@dataclass(frozen=True)
class Size:
    name: str
    hours_per_voice: dict[str, float]  # per engine, English
    hours_per_language_voice: float
    utterances_per_shard: int
    max_words: int
    augment_share: float


FULL = Size("full", {"espeak": 1.1, "festival": 2.5, "flite": 1.0, mbrola.ENGINE: 1.1}, 0.35,
            150, 45, 0.2)  # fmt: skip
SMALL = Size("small", {"espeak": 0.004, "festival": 0.004, "flite": 0.004, mbrola.ENGINE: 0.004},
             0.003, 4, 10, 0.25)  # fmt: skip


def english_voices(small: bool) -> list[tuple[str, str]]:
    """(engine, voice) pairs of the English part; a small build keeps a few of each engine."""
    espeak = [voice_name(a, v) for a in ENGLISH_ACCENTS for v in ESPEAK_ENGLISH_VARIANTS]
    voices = [("espeak", v) for v in espeak]
    voices += [("festival", v) for v in FESTIVAL_VOICES] + [("flite", v) for v in FLITE_VOICES]
    if small:
        keep = {"en-us", "en+f3", "en-029+f3", "kal", "ked", "slt-hts", "slt", "rms"}
        voices = [(e, v) for e, v in voices if v in keep]
    return voices


def _seed(seed: int, *parts: object) -> int:
    return zlib.crc32(repr((seed, *parts)).encode()) & 0x7FFFFFFF


def plan(small: bool = False, seed: int = 0, with_mbrola: bool = False) -> list[ShardJob]:
    """Every shard of the build, in a fixed order (MBROLA voices only when asked for)."""
    size = SMALL if small else FULL
    jobs: list[ShardJob] = []

    def add(split: str, engine: str, voice: str, language: str, hours: float) -> None:
        total = max(1, round(hours * 3600 / MEAN_UTTERANCE_S))
        for part, start in enumerate(range(0, total, size.utterances_per_shard)):
            count = min(size.utterances_per_shard, total - start)
            jobs.append(ShardJob(len(jobs), split, engine, voice, language, count,
                                 _seed(seed, engine, voice, language, part), size.max_words,
                                 0.0 if split == "heldout" else size.augment_share))  # fmt: skip

    for engine, voice in english_voices(small):
        split = "heldout" if (engine, voice) in HELDOUT else "train"
        add(split, engine, voice, "en", size.hours_per_voice[engine])
    for language, base in OTHER_LANGUAGES.items():
        if language not in ("es", "fr", "de", "it", "pt"):
            continue
        for variant in ESPEAK_FOREIGN_VARIANTS[: 1 if small else None]:
            add(
                "lang", "espeak", voice_name(base, variant), language, size.hours_per_language_voice
            )
    if with_mbrola:  # last, so every other shard keeps its index, name and seed
        for voice in mbrola.VOICES[: 1 if small else None]:
            add("train", mbrola.ENGINE, voice, "en", size.hours_per_voice[mbrola.ENGINE])
    return jobs
