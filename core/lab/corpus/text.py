"""Sentences for the corpus: public-domain prose and generated sentences rich in lip contacts.

Sources (licences in docs/corpus.md): Alice's Adventures in Wonderland, chapters 1-2 (public
domain; Debian `flite` examples), festival's example texts (festival licence, permissive),
and sentences generated from pocketsphinx's cmudict (pronunciations, BSD-style) with words and
parts of speech from festival's WSJ POS lexicon (`festlex-poslex`, permissive CSTR licence).
Other languages use short word lists written for this project. Everything is seeded.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ...errors import CorpusError
from ...phones.phone_set import BILABIALS, LABIODENTALS, ROUNDED, VOWELS

ALICE = Path("/usr/share/doc/flite/examples/alice")
FESTIVAL_EXAMPLES = [
    Path("/usr/share/doc/festival/examples") / n for n in ("intro.text", "spintro.text")
]
POSLEX = Path("/usr/share/festival/dicts/wsj.wp39.poslexR")
MAX_WORDS = 45  # about 20 s at a slow rate
WORDS_PER_S = 2.6  # typical TTS rate, used to aim sentence lengths at 1-20 s


@dataclass(frozen=True)
class SentenceSet:
    name: str
    source: str
    licence: str
    language: str
    sentences: tuple[str, ...]


def _read(path: Path, package: str) -> str:
    if not path.exists():
        raise CorpusError(
            f"{path} is missing; install `{package}` (tools/setup/install_engines.sh)."
        )
    return path.read_text(encoding="latin-1")


def split_sentences(text: str) -> list[str]:
    """Plain sentences from prose: quotes and brackets dropped, long ones cut at commas."""
    text = re.sub(r"[`'\"()_*\[\]{}]+(?=\W|$)|(?<=\W)[`'\"()_*\[\]{}]+", " ", text)
    text = re.sub(r"\s+", " ", text.replace("--", ", "))
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", text):
        words = sentence.strip(" ,;:").split()
        while len(words) > MAX_WORDS:
            cut = max(
                (i for i, w in enumerate(words[:MAX_WORDS]) if w.endswith(",")),
                default=MAX_WORDS - 1,
            )
            out.append(" ".join(words[: cut + 1]).rstrip(",") + ".")
            words = words[cut + 1 :]
        if len(words) >= 2 and re.search(r"[a-zA-Z]", " ".join(words)):
            out.append(" ".join(words))
    return [s if s[-1] in ".!?" else s + "." for s in out]


def prose_sets() -> list[SentenceSet]:
    """The public-domain / permissively licensed prose shipped with the engines."""
    alice = _read(ALICE, "flite")
    alice = alice[alice.index("CHAPTER I") :] if "CHAPTER I" in alice else alice
    festival = " ".join(_read(p, "festival") for p in FESTIVAL_EXAMPLES)
    return [
        SentenceSet(
            "alice",
            "Lewis Carroll, Alice's Adventures in Wonderland ch. 1-2 "
            "(Project Gutenberg), /usr/share/doc/flite/examples/alice",
            "public domain",
            "en",
            tuple(split_sentences(alice)),
        ),
        SentenceSet(
            "festival-examples",
            "festival intro.text, spintro.text",
            "festival licence (permissive, MIT-like)",
            "en",
            tuple(split_sentences(festival)),
        ),
    ]


@lru_cache(maxsize=1)
def cmudict() -> dict[str, tuple[str, ...]]:
    """word -> ARPAbet phones without stress, first pronunciation, from pocketsphinx's dict."""
    from .align import dictionary_path

    entries: dict[str, tuple[str, ...]] = {}
    for line in dictionary_path().read_text(encoding="utf-8").splitlines():
        word, _, phones = line.partition(" ")
        if "(" in word or not word.isalpha() or len(word) < 3 and word not in ("a", "an", "by"):
            continue
        entries[word] = tuple(re.sub(r"\d", "", p) for p in phones.split())
    return entries


@lru_cache(maxsize=1)
def _pos_words() -> dict[str, list[str]]:
    """Part of speech -> common words (most probable first) present in cmudict."""
    tags = {"nn": "noun", "nns": "noun", "jj": "adj", "vbd": "verb", "vbz": "verb", "rb": "adv"}
    ranked: dict[str, list[tuple[float, str]]] = {t: [] for t in set(tags.values())}
    pattern = re.compile(r'^\("([a-z]+)" \(\((.*)\) \) \(\) \)$')
    pronunciations = cmudict()
    for line in _read(POSLEX, "festlex-poslex").splitlines():
        match = pattern.match(line)
        if not match or match.group(1) not in pronunciations or len(match.group(1)) < 2:
            continue
        scored = [(float(lp), tag) for tag, lp in re.findall(r"\((\w+) (-?[\d.]+)\)", line)]
        logp, tag = max(scored)
        if tag in tags and logp > -11.0:
            ranked[tags[tag]].append((logp, match.group(1)))
    return {
        pos: [w for _, w in sorted(items, reverse=True)[:2500]] for pos, items in ranked.items()
    }


def word_features(phones: tuple[str, ...]) -> set[str]:
    """Which lip-relevant patterns a pronunciation holds (see `FEATURES`)."""
    out: set[str] = set()
    if phones and phones[0] in BILABIALS:
        out.add("bilabial_initial")
    if phones and phones[-1] in BILABIALS:
        out.add("bilabial_final")
    if any(p in BILABIALS for p in phones[1:-1]):
        out.add("bilabial_medial")
    for a, b in zip(phones, phones[1:], strict=False):
        if (a in BILABIALS or b in BILABIALS) and a not in VOWELS and b not in VOWELS:
            out.add("bilabial_cluster")
    for a, v, b in zip(phones, phones[1:], phones[2:], strict=False):
        if a in BILABIALS and b in BILABIALS and v in VOWELS:
            out.add("bilabial_rapid")
    if any(p in LABIODENTALS for p in phones):
        out.add("labiodental")
    if any(p in ROUNDED for p in phones):
        out.add("rounded")
    if not any(p in BILABIALS for p in phones):
        out.add("no_bilabial")
    return out


FEATURES = (
    "bilabial_initial",
    "bilabial_medial",
    "bilabial_final",
    "bilabial_cluster",
    "bilabial_rapid",
    "labiodental",
    "rounded",
    "no_bilabial",
)
_FUNCTION = ("the", "a", "my", "his", "her", "our", "some", "this", "that", "every")
_PREPOSITIONS = ("by", "from", "with", "upon", "above", "past", "on", "at", "to", "near")
_JOINERS = (",", ", and", ", but", ".", "?", "!", ", maybe", "; then", ", so")


def _buckets() -> dict[str, dict[str, list[str]]]:
    pronunciations = cmudict()
    out: dict[str, dict[str, list[str]]] = {}
    for pos, words in _pos_words().items():
        out[pos] = {
            f: [w for w in words if f in word_features(pronunciations[w])] for f in FEATURES
        }
    return out


def generated_sentences(
    count: int, seed: int, hard_negative_share: float = 0.15, max_words: int = MAX_WORDS
) -> list[str]:
    """`count` sentences of 3-max_words words biased towards lip contacts; some without p/b/m."""
    rng = np.random.default_rng(seed)
    buckets = _buckets()

    def pick(pos: str, feature: str) -> str:
        words = buckets[pos][feature] or buckets[pos]["no_bilabial"]
        return words[int(rng.integers(len(words)))]

    sentences = []
    for _ in range(count):
        negative = rng.random() < hard_negative_share
        duration_s = float(np.exp(rng.uniform(np.log(1.0), np.log(18.0))))
        target_words = int(np.clip(round(duration_s * WORDS_PER_S), 3, max_words))
        words: list[str] = []
        while len(words) < target_words:
            features = ["no_bilabial"] * 4 if negative else list(rng.choice(FEATURES, 4))
            phrase = [
                _FUNCTION[int(rng.integers(len(_FUNCTION)))],
                pick("adj", features[0]),
                pick("noun", features[1]),
                pick("verb", features[2]),
            ]
            if rng.random() < 0.5:
                phrase += [
                    _PREPOSITIONS[int(rng.integers(len(_PREPOSITIONS)))],
                    "the",
                    pick("noun", features[3]),
                ]
            if rng.random() < 0.3:
                phrase.append(pick("adv", features[3]))
            if words:
                words[-1] += _JOINERS[int(rng.integers(len(_JOINERS)))]
            words += phrase
        sentence = " ".join(words[:max_words]).replace(" ,", ",")
        sentence = re.sub(r"([.?!] )(\w)", lambda m: m.group(1) + m.group(2).upper(), sentence)
        sentences.append(sentence[0].upper() + sentence[1:].rstrip(",;") + ".")
    return sentences
