"""What a corpus build makes: voices per engine, hours per voice, held-out voices, shard jobs.

The plan is a pure function of (size, seed): the same arguments give the same shards,
so a build can stop and resume anywhere. Held-out voices (one per engine) never reach `train/`.
MBROLA voices (restrictive licence, see core.lab.corpus.mbrola) join the plan only with
`mbrola=True`; their shards are labelled engine "espeak-mbrola" and all go to `train/`.
Kokoro (neural, core.lab.corpus.kokoro) is in the full plan only; its shards are numbered from
KOKORO_FIRST_INDEX so that no earlier shard (MBROLA included) changes index, name or seed.
"""

import zlib
from dataclasses import dataclass

from . import kokoro, mbrola
from .espeak import ENGLISH_ACCENTS, OTHER_LANGUAGES, voice_name

# espeak-ng variants used per English accent: a default male, a female, a Klatt-source voice.
ESPEAK_ENGLISH_VARIANTS = ("", "f3", "klatt4")
ESPEAK_FOREIGN_VARIANTS = ("", "f3", "m3")
FESTIVAL_VOICES = ("kal", "ked", "slt-hts")
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")

# Whole voices kept out of training, one per engine (validation and evaluation).
HELDOUT = frozenset({("espeak", "en-029+f3"), ("festival", "ked"), ("flite", "rms")})
MEAN_UTTERANCE_S = 6.0  # used to turn hours into utterance counts

# Kokoro: 4 whole voices (2 en-US, 2 en-GB) and 4 mixes of only those voices are held out;
# training mixes blend only training voices. Shards are small (~4 min) so a stopped build
# loses little: ~9.6 h of clean training speech in 168 shards, ~0.8 h held out in 12.
KOKORO_FIRST_INDEX = 50000
KOKORO_HELDOUT_VOICES = ("af_river", "am_puck", "bf_lily", "bm_fable")
KOKORO_TRAIN_VOICES = tuple(v for v in kokoro.ENGLISH_VOICES if v not in KOKORO_HELDOUT_VOICES)
KOKORO_SHARD_UTTERANCES = 40
KOKORO_SHARDS_PER_VOICE = {"train": 4, "heldout": 2}
KOKORO_MIXES = {"train": 48, "heldout": 4}  # one shard each


@dataclass(frozen=True)
class ShardJob:
    index: int
    split: str  # "train", "heldout" or "lang"
    engine: str  # "espeak", "festival", "flite", "kokoro", "espeak-mbrola" (opt-in)
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


FULL = Size(
    "full", {"espeak": 1.1, "festival": 2.5, "flite": 1.0, mbrola.ENGINE: 1.1}, 0.35, 150, 45, 0.2
)
SMALL = Size(
    "small",
    {"espeak": 0.004, "festival": 0.004, "flite": 0.004, mbrola.ENGINE: 0.004},
    0.003,
    4,
    10,
    0.25,
)


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


def kokoro_mixes(split: str, seed: int = 0) -> list[str]:
    """The seeded Kokoro voice mixes of a split (train mixes use training voices only)."""
    voices = KOKORO_HELDOUT_VOICES if split == "heldout" else KOKORO_TRAIN_VOICES
    return kokoro.seeded_mixes(KOKORO_MIXES[split], _seed(seed, "kokoro-mixes", split), voices)


def kokoro_plan(seed: int = 0, augment_share: float = FULL.augment_share) -> list[ShardJob]:
    """The Kokoro shards, numbered from KOKORO_FIRST_INDEX, in build order.

    Round-robin: the first shard of every voice, then the held-out mixes, then the next shard
    of every voice with a quarter of the training mixes, and so on, so a build stopped early
    already has every voice and the held-out set.
    """
    rounds: list[list[tuple[str, str, int]]] = [[] for _ in range(5)]  # (split, voice, part)
    for voice in kokoro.ENGLISH_VOICES:
        split = "heldout" if voice in KOKORO_HELDOUT_VOICES else "train"
        for part in range(KOKORO_SHARDS_PER_VOICE[split]):
            rounds[part].append((split, voice, part))
    rounds[0] += [("heldout", mix, 0) for mix in kokoro_mixes("heldout", seed)]
    train_mixes = kokoro_mixes("train", seed)
    for k, mix in enumerate(train_mixes):
        rounds[1 + k * 4 // len(train_mixes)].append(("train", mix, 0))
    jobs = []
    for split, voice, part in (entry for group in rounds for entry in group):
        share = 0.0 if split == "heldout" else augment_share
        job_seed = _seed(seed, kokoro.ENGINE, voice, "en", part)
        jobs.append(
            ShardJob(
                KOKORO_FIRST_INDEX + len(jobs),
                split,
                kokoro.ENGINE,
                voice,
                "en",
                KOKORO_SHARD_UTTERANCES,
                job_seed,
                FULL.max_words,
                share,
            )
        )
    return jobs


def plan(
    small: bool = False, seed: int = 0, with_mbrola: bool = False, with_kokoro: bool = True
) -> list[ShardJob]:
    """Every shard of the build, in a fixed order (MBROLA voices only when asked for; Kokoro
    in the full plan only)."""
    size = SMALL if small else FULL
    jobs: list[ShardJob] = []

    def add(split: str, engine: str, voice: str, language: str, hours: float) -> None:
        total = max(1, round(hours * 3600 / MEAN_UTTERANCE_S))
        for part, start in enumerate(range(0, total, size.utterances_per_shard)):
            count = min(size.utterances_per_shard, total - start)
            jobs.append(
                ShardJob(
                    len(jobs),
                    split,
                    engine,
                    voice,
                    language,
                    count,
                    _seed(seed, engine, voice, language, part),
                    size.max_words,
                    0.0 if split == "heldout" else size.augment_share,
                )
            )

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
    if with_kokoro and not small:
        # Before MBROLA in the list (so `plan(with_mbrola=True)` only appends), numbered after.
        cut = len(jobs) - sum(j.engine == mbrola.ENGINE for j in jobs)
        jobs[cut:cut] = kokoro_plan(seed, size.augment_share)
    return jobs
