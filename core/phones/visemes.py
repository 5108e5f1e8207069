"""The phone-to-pose table of the procedural animator: one place to read and tune.

Each ARPAbet phone has a target pose (ARKit weights, L/R pairs written once) and a class. The
class gives its dominance per articulator group (how strongly it holds its own target against
its neighbours, Cohen-Massaro style) and how far that dominance reaches before the phone
(anticipation) and after it (carry-over).

Two controls are not blended but imposed by the animator:
- `seal` (0..1): lip closure of P/B/M. Inside the phone's interval the lips are sealed:
  mouthClose = seal * jawOpen (ARKit mouthClose closes the lips relative to the open jaw) and
  the lip-opening channels (funnel, upper lip up, lower lip down, shrug upper) fade to zero.
- `press`: mouthPress L/R while sealed (P most, M least).
"""

from dataclasses import dataclass

# Articulator groups: a phone's dominance is given per group; every channel belongs to one.
GROUPS: dict[str, tuple[str, ...]] = {
    "jaw": ("jawOpen",),
    "round": ("mouthFunnel", "mouthPucker"),
    "lips": (
        "mouthRollLower",
        "mouthRollUpper",
        "mouthShrugLower",
        "mouthShrugUpper",
        "mouthUpperUp",
        "mouthLowerDown",
        "mouthSmile",
        "mouthStretch",
    ),
    "tongue": ("tongueOut",),
}


@dataclass(frozen=True)
class PhoneClass:
    """Dominance per group (0..1) and its reach in seconds before and after the phone."""

    jaw: float  # dominance above 1 holds the target against neighbours reaching in
    round: float
    lips: float
    tongue: float
    before_s: float  # anticipation: Gaussian width of dominance before the phone starts
    after_s: float  # carry-over: Gaussian width of dominance after the phone ends
    round_before_s: float | None = None  # longer anticipation of lip rounding, if any


CLASSES: dict[str, PhoneClass] = {
    #                         jaw   round lips  tongue before after
    "vowel": PhoneClass(1.0, 0.8, 0.8, 0.4, 0.070, 0.060),
    "round_vowel": PhoneClass(1.0, 1.0, 0.8, 0.4, 0.070, 0.060, round_before_s=0.200),
    "bilabial": PhoneClass(0.6, 0.2, 1.0, 0.2, 0.030, 0.030),
    "labiodental": PhoneClass(2.0, 0.3, 3.0, 0.3, 0.030, 0.030),  # lip on teeth needs the jaw
    "dental": PhoneClass(1.5, 0.1, 0.3, 3.0, 0.030, 0.030),
    "coronal": PhoneClass(0.4, 0.05, 0.15, 0.3, 0.030, 0.030),
    "velar": PhoneClass(0.4, 0.05, 0.1, 0.3, 0.030, 0.030),
    "postalveolar": PhoneClass(0.5, 0.7, 0.4, 0.3, 0.040, 0.030),
    "approximant": PhoneClass(0.4, 0.5, 0.3, 0.3, 0.040, 0.040),
    "glide_round": PhoneClass(0.5, 1.0, 0.5, 0.3, 0.050, 0.040, round_before_s=0.120),
    "aspirate": PhoneClass(0.05, 0.05, 0.05, 0.05, 0.030, 0.030),
    "pause": PhoneClass(0.15, 0.15, 0.15, 0.15, 0.040, 0.040),  # short silence: half relax
    "rest": PhoneClass(1.0, 1.0, 1.0, 1.0, 0.030, 0.030),  # silence longer than REST_AFTER_S
}

REST_AFTER_S = 0.25  # silences at least this long return to the neutral rest pose


@dataclass(frozen=True)
class Viseme:
    """A phone's class and target pose: ARKit name (L/R pair without the side) -> weight."""

    cls: str
    pose: dict[str, float]
    seal: float = 0.0
    press: float = 0.0
    release_s: float = 0.0  # stops: the lips part this long before the interval ends (burst)


V = Viseme
# fmt: off
PHONES: dict[str, Viseme] = {
    # vowels: jaw by openness (AA/AE most open, IY/UW least); spread or rounded lips
    "AA": V("vowel", {"jawOpen": .42, "mouthLowerDown": .20}),
    "AE": V("vowel", {"jawOpen": .38, "mouthStretch": .20, "mouthUpperUp": .15,
                      "mouthLowerDown": .20}),
    "AH": V("vowel", {"jawOpen": .30, "mouthLowerDown": .10}),
    "AO": V("round_vowel", {"jawOpen": .34, "mouthFunnel": .35, "mouthPucker": .20}),
    "EH": V("vowel", {"jawOpen": .24, "mouthStretch": .15, "mouthLowerDown": .10}),
    "ER": V("vowel", {"jawOpen": .16, "mouthFunnel": .25, "mouthPucker": .15}),
    "IH": V("vowel", {"jawOpen": .15, "mouthSmile": .15, "mouthStretch": .10}),
    "IY": V("vowel", {"jawOpen": .10, "mouthSmile": .30, "mouthStretch": .20}),
    "UH": V("round_vowel", {"jawOpen": .15, "mouthPucker": .40, "mouthFunnel": .30}),
    "UW": V("round_vowel", {"jawOpen": .10, "mouthPucker": .70, "mouthFunnel": .35}),
    "OW": V("round_vowel", {"jawOpen": .26, "mouthFunnel": .50, "mouthPucker": .40}),
    # bilabials: sealed lips whatever the jaw does; pressed for P/B, less for M
    "P": V("bilabial", {"jawOpen": .04}, seal=1.0, press=.60, release_s=.012),
    "B": V("bilabial", {"jawOpen": .05}, seal=1.0, press=.45, release_s=.010),
    "M": V("bilabial", {"jawOpen": .05}, seal=1.0, press=.30),
    # labiodentals: lower lip rolled in under the upper teeth, upper lip lifted
    "F": V("labiodental", {"jawOpen": .06, "mouthRollLower": .55, "mouthUpperUp": .35,
                           "mouthShrugLower": .20}),
    "V": V("labiodental", {"jawOpen": .06, "mouthRollLower": .50, "mouthUpperUp": .30,
                           "mouthShrugLower": .15}),
    # dentals: tongue between the teeth
    "TH": V("dental", {"jawOpen": .14, "tongueOut": .55}),
    "DH": V("dental", {"jawOpen": .12, "tongueOut": .45}),
    # coronals, velars: small jaw, lips free to take the neighbours' shape
    "T": V("coronal", {"jawOpen": .12}),
    "D": V("coronal", {"jawOpen": .12}),
    "N": V("coronal", {"jawOpen": .11}),
    "S": V("coronal", {"jawOpen": .10, "mouthStretch": .15, "mouthSmile": .05}),
    "Z": V("coronal", {"jawOpen": .10, "mouthStretch": .15, "mouthSmile": .05}),
    "L": V("coronal", {"jawOpen": .16}),
    "K": V("velar", {"jawOpen": .14}),
    "G": V("velar", {"jawOpen": .14}),
    "NG": V("velar", {"jawOpen": .13}),
    # postalveolars: lips protruded
    "SH": V("postalveolar", {"jawOpen": .10, "mouthFunnel": .35, "mouthPucker": .20}),
    "ZH": V("postalveolar", {"jawOpen": .10, "mouthFunnel": .35, "mouthPucker": .20}),
    "CH": V("postalveolar", {"jawOpen": .10, "mouthFunnel": .30, "mouthPucker": .20}),
    "JH": V("postalveolar", {"jawOpen": .10, "mouthFunnel": .30, "mouthPucker": .20}),
    # approximants
    "R": V("approximant", {"jawOpen": .12, "mouthPucker": .30, "mouthFunnel": .15}),
    "Y": V("approximant", {"jawOpen": .08, "mouthSmile": .20}),
    "W": V("glide_round", {"jawOpen": .06, "mouthPucker": .80, "mouthFunnel": .20}),
    "HH": V("aspirate", {"jawOpen": .20}),
    "SIL": V("rest", {}),
}
# fmt: on

# Diphthongs: first half moves toward the first pose, second half toward the second.
DIPHTHONGS: dict[str, tuple[str, str]] = {
    "AY": ("AA", "IY"),
    "AW": ("AA", "UH"),
    "EY": ("EH", "IY"),
    "OY": ("AO", "IY"),
}

# Other spellings of the same phones (TIMIT/CMU variants, silence marks of aligners and TTS).
ALIASES: dict[str, str] = {
    "AX": "AH",
    "AXR": "ER",
    "IX": "IH",
    "UX": "UW",
    "DX": "D",
    "NX": "N",
    "EL": "L",
    "EM": "M",
    "EN": "N",
    "Q": "HH",
    "AXH": "AH",
    "HV": "HH",
    "WH": "W",
    "SP": "SIL",
    "SPN": "SIL",
    "PAU": "SIL",
    "H#": "SIL",
    "#": "SIL",
    "_": "SIL",
    "": "SIL",
    "<SIL>": "SIL",
    "+NSN+": "SIL",
    "+SPN+": "SIL",
}
