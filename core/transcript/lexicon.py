"""Pronunciations of words: the shipped CMUdict lexicon, letter-to-sound rules for the rest.

assets/lexicon/cmudict.txt.gz (built by tools/setup/build_lexicon.py, licence in assets/CREDITS.md)
holds one `word PH PH ...` line per word, the first CMUdict pronunciation without stress. It is
read once per process, on the first lookup (about 0.3 s), never downloaded.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .letter_to_sound import letters_to_phones

LEXICON_PATH = Path(__file__).resolve().parents[2] / "assets" / "lexicon" / "cmudict.txt.gz"


@dataclass(frozen=True)
class Pronunciation:
    """One word of the dialogue and the phones it is aligned with."""

    word: str  # lower-case, as spoken (core.transcript.words)
    phones: tuple[str, ...]  # ARPAbet, no stress digits
    from_lexicon: bool  # False: spelled out by letter-to-sound rules


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON_PATH) -> dict[str, str]:
    """word -> "PH PH ..." of the shipped lexicon (read once, then kept)."""
    import gzip

    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return dict(line.rstrip("\n").split(" ", 1) for line in handle)


def pronounce(word: str, lexicon: dict[str, str] | None = None) -> Pronunciation:
    """The lexicon's pronunciation of a word, else the letter-to-sound rules' one."""
    lexicon = load_lexicon() if lexicon is None else lexicon
    found = lexicon.get(word)
    if found is not None:
        return Pronunciation(word, tuple(found.split()), True)
    return Pronunciation(word, letters_to_phones(word), False)
