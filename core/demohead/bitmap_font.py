"""Text on numpy images: a 5 x 9 pixel font (ASCII letters, digits, common punctuation).

Blender has no drawing library for images (blf can draw into an image only from 5.x), so the
plots draw their labels with this font, scaled by whole pixels. Each glyph is nine rows of five
bits, the leftmost pixel the highest bit: rows 0-6 hold capitals and digits, rows 7-8 the
descenders of g j p q y. The glyphs were drawn for this project.
"""

import numpy as np

GLYPH_W, GLYPH_H = 5, 9
ADVANCE = GLYPH_W + 1  # pixels from one character to the next, before scaling

_ROWS = {  # character -> nine rows, two hex digits each
    " ": "00 00 00 00 00 00 00 00 00",
    "0": "0e 11 13 15 19 11 0e 00 00",
    "1": "04 0c 04 04 04 04 0e 00 00",
    "2": "0e 11 01 02 04 08 1f 00 00",
    "3": "1f 02 04 02 01 11 0e 00 00",
    "4": "02 06 0a 12 1f 02 02 00 00",
    "5": "1f 10 1e 01 01 11 0e 00 00",
    "6": "06 08 10 1e 11 11 0e 00 00",
    "7": "1f 01 02 04 08 08 08 00 00",
    "8": "0e 11 11 0e 11 11 0e 00 00",
    "9": "0e 11 11 0f 01 02 0c 00 00",
    "A": "0e 11 11 11 1f 11 11 00 00",
    "B": "1e 11 11 1e 11 11 1e 00 00",
    "C": "0e 11 10 10 10 11 0e 00 00",
    "D": "1c 12 11 11 11 12 1c 00 00",
    "E": "1f 10 10 1e 10 10 1f 00 00",
    "F": "1f 10 10 1e 10 10 10 00 00",
    "G": "0e 11 10 17 11 11 0f 00 00",
    "H": "11 11 11 1f 11 11 11 00 00",
    "I": "0e 04 04 04 04 04 0e 00 00",
    "J": "07 02 02 02 02 12 0c 00 00",
    "K": "11 12 14 18 14 12 11 00 00",
    "L": "10 10 10 10 10 10 1f 00 00",
    "M": "11 1b 15 15 11 11 11 00 00",
    "N": "11 11 19 15 13 11 11 00 00",
    "O": "0e 11 11 11 11 11 0e 00 00",
    "P": "1e 11 11 1e 10 10 10 00 00",
    "Q": "0e 11 11 11 15 12 0d 00 00",
    "R": "1e 11 11 1e 14 12 11 00 00",
    "S": "0f 10 10 0e 01 01 1e 00 00",
    "T": "1f 04 04 04 04 04 04 00 00",
    "U": "11 11 11 11 11 11 0e 00 00",
    "V": "11 11 11 11 11 0a 04 00 00",
    "W": "11 11 11 15 15 15 0a 00 00",
    "X": "11 11 0a 04 0a 11 11 00 00",
    "Y": "11 11 11 0a 04 04 04 00 00",
    "Z": "1f 01 02 04 08 10 1f 00 00",
    "a": "00 00 0e 01 0f 11 0f 00 00",
    "b": "10 10 16 19 11 11 1e 00 00",
    "c": "00 00 0e 10 10 11 0e 00 00",
    "d": "01 01 0d 13 11 11 0f 00 00",
    "e": "00 00 0e 11 1f 10 0e 00 00",
    "f": "06 09 08 1c 08 08 08 00 00",
    "g": "00 00 0f 11 11 0f 01 11 0e",
    "h": "10 10 16 19 11 11 11 00 00",
    "i": "04 00 0c 04 04 04 0e 00 00",
    "j": "02 00 06 02 02 02 02 12 0c",
    "k": "10 10 12 14 18 14 12 00 00",
    "l": "0c 04 04 04 04 04 0e 00 00",
    "m": "00 00 1a 15 15 11 11 00 00",
    "n": "00 00 16 19 11 11 11 00 00",
    "o": "00 00 0e 11 11 11 0e 00 00",
    "p": "00 00 1e 11 11 1e 10 10 10",
    "q": "00 00 0f 11 11 0f 01 01 01",
    "r": "00 00 16 19 10 10 10 00 00",
    "s": "00 00 0f 10 0e 01 1e 00 00",
    "t": "08 08 1c 08 08 09 06 00 00",
    "u": "00 00 11 11 11 13 0d 00 00",
    "v": "00 00 11 11 11 0a 04 00 00",
    "w": "00 00 11 11 15 15 0a 00 00",
    "x": "00 00 11 0a 04 0a 11 00 00",
    "y": "00 00 11 11 11 0f 01 11 0e",
    "z": "00 00 1f 02 04 08 1f 00 00",
    ".": "00 00 00 00 00 0c 0c 00 00",
    ",": "00 00 00 00 00 0c 04 08 00",
    ":": "00 0c 0c 00 0c 0c 00 00 00",
    ";": "00 0c 0c 00 0c 04 08 00 00",
    "-": "00 00 00 1f 00 00 00 00 00",
    "_": "00 00 00 00 00 00 1f 00 00",
    "(": "02 04 08 08 08 04 02 00 00",
    ")": "08 04 02 02 02 04 08 00 00",
    "/": "00 01 02 04 08 10 00 00 00",
    "%": "18 19 02 04 08 13 03 00 00",
    "'": "0c 04 08 00 00 00 00 00 00",
    '"': "0a 0a 00 00 00 00 00 00 00",
    "+": "00 04 04 1f 04 04 00 00 00",
    "=": "00 00 1f 00 1f 00 00 00 00",
    "<": "02 04 08 10 08 04 02 00 00",
    ">": "08 04 02 01 02 04 08 00 00",
    "[": "0e 08 08 08 08 08 0e 00 00",
    "]": "0e 02 02 02 02 02 0e 00 00",
    "!": "04 04 04 04 04 00 04 00 00",
    "?": "0e 11 01 02 04 00 04 00 00",
    "*": "00 15 0e 1f 0e 15 00 00 00",
}


def _bits(hex_rows: str) -> np.ndarray:
    values = [int(row, 16) for row in hex_rows.split()]
    return np.array([[(v >> (GLYPH_W - 1 - c)) & 1 for c in range(GLYPH_W)] for v in values], bool)


GLYPHS: dict[str, np.ndarray] = {char: _bits(rows) for char, rows in _ROWS.items()}


def text_size(text: str, scale: int = 1) -> tuple[int, int]:
    """(width, height) in pixels of one line of text."""
    return max(0, len(text) * ADVANCE - 1) * scale, GLYPH_H * scale


def draw_text(
    image: np.ndarray, x: int, y: int, text: str, colour, scale: int = 1, align: str = "left"
) -> None:
    """Draw one line into an (H, W, C) image; (x, y) is the top left (align 'left'), the top
    centre ('center') or the top right ('right') of the text. Clipped at the image's edges;
    characters the font lacks are drawn as '?'."""
    width, _ = text_size(text, scale)
    x -= {"left": 0, "center": width // 2, "right": width}[align]
    for i, char in enumerate(text):
        glyph = GLYPHS.get(char, GLYPHS["?"])
        big = np.repeat(np.repeat(glyph, scale, axis=0), scale, axis=1)
        left = x + i * ADVANCE * scale
        rows, cols = np.nonzero(big)
        rows, cols = rows + y, cols + left
        keep = (rows >= 0) & (rows < image.shape[0]) & (cols >= 0) & (cols < image.shape[1])
        image[rows[keep], cols[keep]] = colour
