"""Phones as every part of the core sees them: ARPAbet labels, their classes, a timed phone.

Labels are ARPAbet without stress digits plus "SIL" for silence. The animator, the closure
rules, the metrics, the corpus and transcript mode all read phones from here, so none of them
imports another for them (core.lab.corpus.engine_phones maps each speech engine's own names
onto these).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Phone:
    """One phone and its time span [start_s, end_s) in seconds."""

    start_s: float
    end_s: float
    label: str  # ARPAbet without stress digits (e.g. "B", "AA"), "SIL" for silence


SILENCE = "SIL"

# ARPAbet phone -> articulatory class: the one table of phone classes.
PHONE_CLASS: dict[str, str] = {
    "P": "bilabial",
    "B": "bilabial",
    "M": "bilabial",
    "F": "labiodental",
    "V": "labiodental",
    "W": "rounded",
    "UW": "rounded",
    "UH": "rounded",
    "OW": "rounded",
    "AO": "rounded",
    "OY": "rounded",
    "AW": "rounded",
    "TH": "dental",
    "DH": "dental",
    "T": "alveolar",
    "D": "alveolar",
    "N": "alveolar",
    "S": "alveolar",
    "Z": "alveolar",
    "L": "alveolar",
    "SH": "postalveolar",
    "ZH": "postalveolar",
    "CH": "postalveolar",
    "JH": "postalveolar",
    "R": "approximant",
    "Y": "approximant",
    "K": "velar",
    "G": "velar",
    "NG": "velar",
    "HH": "glottal",
    "IY": "close_vowel",
    "IH": "close_vowel",
    "EY": "mid_vowel",
    "EH": "mid_vowel",
    "AH": "mid_vowel",
    "ER": "mid_vowel",
    "AE": "open_vowel",
    "AA": "open_vowel",
    "AY": "open_vowel",
    SILENCE: "silence",
}

ARPABET: frozenset[str] = frozenset(PHONE_CLASS)
BILABIALS: frozenset[str] = frozenset(p for p, c in PHONE_CLASS.items() if c == "bilabial")
LABIODENTALS: frozenset[str] = frozenset(p for p, c in PHONE_CLASS.items() if c == "labiodental")
ROUNDED: frozenset[str] = frozenset(p for p, c in PHONE_CLASS.items() if c == "rounded")
VOWELS: frozenset[str] = frozenset(p for p, c in PHONE_CLASS.items() if c.endswith("_vowel")) | {
    "UW",
    "UH",
    "OW",
    "AO",
    "OY",
    "AW",
}


def base_label(label: str) -> str:
    """Upper-case ARPAbet label without its stress digit ("aa1" -> "AA")."""
    return label.strip().upper().rstrip("012")
