"""Phone names: every engine's phone set mapped to ARPAbet, and the articulatory class of each.

Labels in the corpus are ARPAbet without stress digits plus "SIL". espeak-ng reports its own
mnemonics (Kirshenbaum-like), festival US voices the "radio" set (lower-case ARPAbet), festival
British voices MRPA, pocketsphinx upper-case ARPAbet with noise fillers. Other languages map to
the nearest English class: the lips do the same thing for a Spanish /b/ as for an English one.
"""

from ...errors import CorpusError
from ...phones.phone_set import ARPABET, SILENCE

# espeak-ng English mnemonics (speech-data notes, section 3). "A-B" means two phones.
_ESPEAK_EN: dict[str, str] = {
    "p": "P",
    "b": "B",
    "t": "T",
    "d": "D",
    "k": "K",
    "g": "G",
    "f": "F",
    "v": "V",
    "T": "TH",
    "D": "DH",
    "s": "S",
    "z": "Z",
    "S": "SH",
    "Z": "ZH",
    "h": "HH",
    "tS": "CH",
    "dZ": "JH",
    "m": "M",
    "n": "N",
    "N": "NG",
    "l": "L",
    "r": "R",
    "w": "W",
    "j": "Y",
    "E": "EH",
    "@": "AH",
    "@2": "AH",
    "@5": "AH",
    "@-": "AH",
    "I": "IH",
    "I#": "IH",
    "I2": "IH",
    "i": "IY",
    "i:": "IY",
    "3": "ER",
    "3:": "ER",
    "r-": "ER",
    "u:": "UW",
    "U": "UH",
    "V": "AH",
    "0": "AA",
    "A:": "AA",
    "a": "AE",
    "aa": "AE",
    "a#": "AH",
    "eI": "EY",
    "aI": "AY",
    "aI@": "AY-ER",
    "aI3": "AY-ER",
    "oU": "OW",
    "aU": "AW",
    "OI": "OY",
    "O:": "AO",
    "O2": "AO",
    "O@": "AO-R",
    "o@": "AO-R",
    "A@": "AA-R",
    "U@": "UH-R",
    "i@": "IH-R",
    "i@3": "IH-R",
    "e@": "EH-R",
    "@L": "AH-L",
    "n-": "AH-N",
    "t#": "T",
    "t2": "T",
    "?": "T",
    "A": "AA",
    "O": "AO",
    "e": "EH",
    "o": "OW",
    "u": "UW",
    "l/": "L",
    "l/2": "L",
    "z/2": "Z",
    "d#": "D",
    "r/": "R",
    "m-": "AH-M",
    "aI2": "AY",
    "e:": "EY",
    "o:": "OW",
    "a:": "AA",
    "E2": "EH",
    "E:": "EH",
    "O:2": "AO",
    "@3": "ER",
    "3:r": "ER",
    "Q": "AA",
    "IR": "IH-R",
    "VR": "ER",
    "ai": "AY",
    "eI2": "EY",
}

# Other languages' espeak-ng mnemonics, mapped to the nearest English class.
_ESPEAK_FOREIGN: dict[str, str] = {
    "B": "B",  # Spanish/Portuguese bilabial approximant: the lips come together
    "Q": "G",
    "G": "G",
    "x": "HH",
    "X": "HH",
    "C": "HH",
    "J": "N-Y",
    "n^": "N-Y",
    "N^": "NG",
    "L": "L-Y",
    "l^": "L-Y",
    "ll": "L",
    "R": "R",
    "R2": "R",
    "rr": "R",
    "*": "R",
    "r*": "R",
    "ts": "T-S",
    "dz": "D-Z",
    "pf": "P-F",
    "c": "K",
    "y": "UW",
    "y:": "UW",
    "Y": "UH",
    "Y:": "UH",
    "W": "ER",
    "W:": "ER",
    "H": "W",
    "6": "ER",
    "&": "AH",
    "&~": "AH",
    "&U~": "AW",
    "E~": "EH",
    "A~": "AA",
    "O~": "AO",
    "W~": "ER",
    "e~": "EY",
    "i~": "IY",
    "u~": "UW",
    "o~": "OW",
    "a~": "AA",
    "y~": "UW",
    "i;": "IY",
    "a2": "AA",
    "ja": "Y-AA",
    "ts;": "CH",
    "dz;": "JH",
    "s;": "SH",
    "z;": "ZH",
    "l#": "L",
    "U~": "UW",
    "I~": "IY",
    "oI": "OY",
    "aU~": "AW",
    "eI~": "EY",
    "oU~": "OW",
    "ts2": "T-S",
    "@/": "AH",
    "V#": "AH",
    "**": "R",
    "OY": "OY",
    "Wy": "ER",
    "e-": "AH",
    "eU": "EH-W",
    "pF": "P-F",
    "t[": "T",
    "d[": "D",
    "n[": "N",
    "l[": "L",
    "y-": "W",
    "v#": "V",
    "z2": "Z",
    "J^": "N-Y",
    "R3": "R",
}

# Outside English "a" is an open vowel (jaw open), not the English /ae/.
_NON_ENGLISH: dict[str, str] = {"a": "AA", "a-": "AH", "iU": "IY-UW"}
# Portuguese "y" is a reduced unrounded vowel, not French/German /y/.
_LANGUAGE_OVERRIDES: dict[str, dict[str, str]] = {"pt": {"y": "IH"}}

_ESPEAK_SILENCE = frozenset({"_", "_:", "_!", "_|", "_^_", "||", "|", ""})
_ESPEAK_MARKS = "',%=!^|;"

# festival "radio" phone set (US voices kal, ked, slt-hts).
_FESTIVAL_RADIO: dict[str, str] = {
    "ax": "AH",
    "axr": "ER",
    "dx": "D",
    "el": "AH-L",
    "em": "AH-M",
    "en": "AH-N",
    "ix": "IH",
    "nx": "N",
    "pau": SILENCE,
    "h#": SILENCE,
    "brth": SILENCE,
    "#": SILENCE,
    "hv": "HH",
}

# festival MRPA phone set (British voices rab, don, en1 in Debian contrib).
_FESTIVAL_MRPA: dict[str, str] = {
    "p": "P",
    "t": "T",
    "k": "K",
    "b": "B",
    "d": "D",
    "g": "G",
    "m": "M",
    "n": "N",
    "ng": "NG",
    "f": "F",
    "v": "V",
    "th": "TH",
    "dh": "DH",
    "s": "S",
    "z": "Z",
    "sh": "SH",
    "zh": "ZH",
    "h": "HH",
    "ch": "CH",
    "jh": "JH",
    "l": "L",
    "r": "R",
    "w": "W",
    "y": "Y",
    "i": "IH",
    "ii": "IY",
    "e": "EH",
    "a": "AE",
    "aa": "AA",
    "@@": "ER",
    "@": "AH",
    "uh": "AH",
    "o": "AA",
    "oo": "AO",
    "u": "UH",
    "uu": "UW",
    "ei": "EY",
    "ai": "AY",
    "oi": "OY",
    "ou": "OW",
    "au": "AW",
    "i@": "IH-R",
    "e@": "EH-R",
    "u@": "UH-R",
    "#": SILENCE,
}

_POCKETSPHINX_FILLERS = frozenset({"SIL", "+NSN+", "+SPN+", "+BREATH+", "+COUGH+", "+UM+"})


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split("-"))


def espeak_event_to_arpabet(mnemonic: str, language: str = "en") -> tuple[str, ...]:
    """ARPAbet phones for one espeak-ng phoneme event mnemonic; () for stress-only marks."""
    if mnemonic in _ESPEAK_SILENCE:
        return (SILENCE,)
    override = {} if language == "en" else _NON_ENGLISH | _LANGUAGE_OVERRIDES.get(language, {})
    for candidate in (mnemonic, mnemonic.strip(_ESPEAK_MARKS)):
        if candidate in override:
            return _split(override[candidate])
        if candidate in _ESPEAK_EN:
            return _split(_ESPEAK_EN[candidate])
        if candidate in _ESPEAK_FOREIGN:
            return _split(_ESPEAK_FOREIGN[candidate])
    core = mnemonic.strip(_ESPEAK_MARKS)
    if core in _ESPEAK_SILENCE or not core:
        return (SILENCE,) if core == "_" else ()
    # Length, nasal and palatal diacritics and gemination do not change the lip shape.
    geminate = core[0] if len(core) == 2 and core[0] == core[1] else core
    for stripped in (core.rstrip(":;~"), core.rstrip(":;~2#/"), geminate):
        if stripped in _ESPEAK_EN:
            return _split(_ESPEAK_EN[stripped])
        if stripped in _ESPEAK_FOREIGN:
            return _split(_ESPEAK_FOREIGN[stripped])
    raise CorpusError(f"espeak-ng phoneme '{mnemonic}' ({language}) has no ARPAbet mapping.")


def espeak_string_to_arpabet(phonemes: str) -> list[str]:
    """ARPAbet phones for espeak-ng `-x` output of one word (longest mnemonic first)."""
    keys = sorted(set(_ESPEAK_EN), key=len, reverse=True)
    text = "".join(ch for ch in phonemes if ch not in "',%=")
    out: list[str] = []
    i = 0
    while i < len(text):
        for key in keys:
            if text.startswith(key, i):
                out.extend(_split(_ESPEAK_EN[key]))
                i += len(key)
                break
        else:
            i += 1  # an unknown mark (e.g. a stress or syllable sign)
    merged: list[str] = []
    for phone in out:
        if merged and (merged[-1], phone) in (("ER", "R"), ("R", "R"), ("ER", "ER")):
            continue
        merged.append(phone)
    return merged


def festival_to_arpabet(phone: str, phone_set: str = "radio") -> tuple[str, ...]:
    """ARPAbet phones for one festival segment name in the "radio" or "mrpa" phone set."""
    if phone_set == "mrpa":
        if phone not in _FESTIVAL_MRPA:
            raise CorpusError(f"festival MRPA phone '{phone}' has no ARPAbet mapping.")
        return _split(_FESTIVAL_MRPA[phone])
    if phone in _FESTIVAL_RADIO:
        return _split(_FESTIVAL_RADIO[phone])
    upper = phone.upper()
    if upper not in ARPABET:
        raise CorpusError(f"festival phone '{phone}' has no ARPAbet mapping.")
    return (upper,)


def pocketsphinx_to_arpabet(phone: str) -> str:
    """ARPAbet phone for a pocketsphinx alignment phone name (fillers become SIL)."""
    if phone in _POCKETSPHINX_FILLERS or phone.startswith("+"):
        return SILENCE
    if phone not in ARPABET:
        raise CorpusError(f"pocketsphinx phone '{phone}' is not ARPAbet.")
    return phone
