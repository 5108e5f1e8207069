"""Letter-to-sound rules for words the lexicon lacks (names, invented words, typos).

A greedy longest-match over English spelling patterns, a few dozen rules: not a pronunciation
dictionary, but what the lips need. Every p, b and m the speaker says is spelled with one of
those letters (silent "mb" and "ph" aside, handled here), so closures land in the right word;
vowels only set the word's length and jaw. The aligner trusts these words less (a confidence
check falls back to the model where they do not fit the audio).
"""

# Longest spellings first. Values are ARPAbet phones (no stress), "" for a silent spelling.
_RULES: dict[str, str] = {
    "tch": "CH",
    "sch": "S K",
    "igh": "AY",
    "ough": "AO",
    "augh": "AO",
    "tion": "SH AH N",
    "sion": "ZH AH N",
    "ture": "CH ER",
    "eigh": "EY",
    "ch": "CH",
    "sh": "SH",
    "th": "TH",
    "ph": "F",
    "gh": "",
    "ck": "K",
    "ng": "NG",
    "qu": "K W",
    "wh": "W",
    "wr": "R",
    "kn": "N",
    "mb": "M",
    "dg": "JH",
    "ee": "IY",
    "ea": "IY",
    "oo": "UW",
    "ou": "AW",
    "ow": "OW",
    "oi": "OY",
    "oy": "OY",
    "ai": "EY",
    "ay": "EY",
    "au": "AO",
    "aw": "AO",
    "ie": "IY",
    "ei": "EY",
    "ey": "IY",
    "er": "ER",
    "ir": "ER",
    "ur": "ER",
    "ar": "AA R",
    "or": "AO R",
    "oa": "OW",
    "ue": "UW",
    "a": "AE",
    "e": "EH",
    "i": "IH",
    "o": "AA",
    "u": "AH",
    "y": "IY",
    "b": "B",
    "c": "K",
    "d": "D",
    "f": "F",
    "g": "G",
    "h": "HH",
    "j": "JH",
    "k": "K",
    "l": "L",
    "m": "M",
    "n": "N",
    "p": "P",
    "r": "R",
    "s": "S",
    "t": "T",
    "v": "V",
    "w": "W",
    "x": "K S",
    "z": "Z",
}
_LONGEST = max(len(k) for k in _RULES)
_SOFTENED = {"c": "S", "g": "JH"}  # before e, i, y
_VOWEL_LETTERS = set("aeiouy")


def _drop_silent_e(word: str) -> str:
    """A final e after a consonant is silent ("made"; the long vowel it marks is beyond these
    rules), except in "-le" ("table")."""
    if len(word) > 2 and word.endswith("e") and word[-2] not in _VOWEL_LETTERS | {"l"}:
        return word[:-1]
    return word


def letters_to_phones(word: str) -> tuple[str, ...]:
    """ARPAbet phones of a lower-case [a-z'] word by spelling rules: "blick" -> B L IH K."""
    letters = _drop_silent_e(word.replace("'", ""))
    phones: list[str] = []
    i = 0
    while i < len(letters):
        if i > 0 and letters[i] == letters[i - 1] and letters[i] not in _VOWEL_LETTERS:
            i += 1  # a doubled consonant is one sound
            continue
        for size in range(min(_LONGEST, len(letters) - i), 0, -1):
            chunk = letters[i : i + size]
            if chunk in _RULES:
                break
        else:
            i += 1  # no rule: not a letter we know
            continue
        spoken = _RULES[chunk]
        following = letters[i + size : i + size + 1]
        if chunk in _SOFTENED and following in ("e", "i", "y"):
            spoken = _SOFTENED[chunk]
        if chunk == "y" and i == 0:
            spoken = "Y"
        phones.extend(spoken.split())
        i += size
    return tuple(phones)
