"""Dialogue text -> the words a speaker says: lower-case ASCII, numbers spelled out.

What an animator pastes is a script line: punctuation, quotes, stage directions in brackets,
numbers, accented or non-Latin letters. Accents are dropped (NFKD: "café" -> "cafe"); letters
with no ASCII form are dropped too, and a word left empty is no word. Bracketed stage
directions ("[laughs]", "(beat)") are not spoken and are left out.
"""

import re
import unicodedata

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
_ORDINAL = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_SYMBOLS = {"&": " and ", "%": " percent ", "+": " plus ", "@": " at ", "=": " equals "}
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def number_words(n: int) -> str:
    """An integer >= 0 as English words: 42 -> "forty two", 1500 -> "one thousand five hundred"."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    for scale, name in _SCALES:
        if n >= scale:
            if n >= 1000 * 10**9:  # past the scales: digit by digit, as people read ids
                return " ".join(_ONES[int(d)] for d in str(n))
            rest = n % scale
            return f"{number_words(n // scale)} {name}" + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)


def _year_words(n: int) -> str:
    """1999 -> "nineteen ninety nine", 2005 -> "two thousand five" (how years are read)."""
    high, low = divmod(n, 100)
    if low == 0 or 2000 <= n < 2010:
        return number_words(n)
    return f"{number_words(high)} {'oh ' if low < 10 else ''}{number_words(low)}"


def _ordinal_words(n: int) -> str:
    words = number_words(n).split()
    last = words[-1]
    if last in _ORDINAL:
        words[-1] = _ORDINAL[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def _spell_number(match: re.Match) -> str:
    whole, fraction, suffix = match.group(1).replace(",", ""), match.group(2), match.group(3)
    n = int(whole)
    if suffix:
        spoken = _ordinal_words(n)
    elif fraction is None and len(whole) == 4 and 1100 <= n <= 2099:
        spoken = _year_words(n)
    else:
        spoken = number_words(n)
    if fraction:
        spoken += " point " + " ".join(_ONES[int(d)] for d in fraction)
    return f" {spoken} "


def spoken_words(text: str) -> list[str]:
    """The words of a dialogue line, in order: lower-case [a-z'] strings, numbers spelled out."""
    text = unicodedata.normalize("NFKD", text).translate(_APOSTROPHES)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text)  # stage directions are not spoken
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    text = re.sub(r"(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th)?", _spell_number, text.lower())
    text = re.sub(r"[^a-z']+", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]
