"""Viseme sets: named mouth shapes, each standing for some ARPAbet phones.

A set lists its shapes in order (the index is the value keyed as `lipsync_viseme`), says which
phones each shape shows, which shape is the sealed mouth of p/b/m and which is the rest pose.
Two are built in:
- "rhubarb": Rhubarb Lip Sync's A-H and X (Preston Blair's mouth chart): A closed (P B M),
  B teeth together (most consonants, EE), C open (EH AE), D wide open (AA), E slightly rounded
  (AO ER), F puckered (UW OW W), G lower lip under the teeth (F V), H tongue up (L), X rest.
- "oculus": the 15 Oculus/Meta visemes (OVRLipSync, also used by Ready Player Me and VRChat):
  sil PP FF TH DD kk CH SS nn RR aa E ih oh ou.
A JSON preset defines another set:
`{"name": ..., "description": ..., "shapes": {"MBP": ["P", "B", "M"], ...}, "closed": "MBP",
"rest": "rest"}` (shapes in order, each with its phones; the rest shape may list none).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import LipSyncError
from ..phones.phone_set import BILABIALS, SILENCE
from ..phones.visemes import ALIASES, DIPHTHONGS, PHONES

BUILT_IN = ("rhubarb", "oculus")


@dataclass(frozen=True)
class VisemeSet:
    """Mouth shapes in keyed order and the phones each one shows."""

    name: str
    shapes: tuple[str, ...]
    phones: dict[str, str]  # ARPAbet phone (the animator's table) -> shape name
    closed: str  # the shape of sealed lips
    rest: str  # the shape of silence
    description: str = ""

    def index(self, shape: str) -> int:
        """The keyed value of a shape."""
        return self.shapes.index(shape)

    def shape_of(self, phone: str) -> str | None:
        """The shape a phone label shows (aliases and diphthongs resolved), None if unmapped."""
        label = phone.strip().upper().rstrip("012")
        label = ALIASES.get(label, label)
        if label in DIPHTHONGS and label not in self.phones:
            label = DIPHTHONGS[label][0]
        if label == SILENCE:
            return self.rest
        if label in BILABIALS:
            return self.closed
        return self.phones.get(label)


def _set(name: str, description: str, table: dict, closed: str, rest: str) -> VisemeSet:
    """A set from shape -> phones (a space-separated string or a sequence of labels)."""
    members = {s: p.split() if isinstance(p, str) else p for s, p in table.items()}
    phones = {phone: shape for shape, labels in members.items() for phone in labels}
    return VisemeSet(name, tuple(table), phones, closed, rest, description)


RHUBARB = _set(
    "Rhubarb A-X",
    "Rhubarb Lip Sync's mouth shapes (Preston Blair): A closed, B teeth together, C open, "
    "D wide open, E slightly rounded, F puckered, G lip under teeth, H tongue up, X rest.",
    {
        "A": "P B M",
        "B": "K G NG T D N S Z SH ZH CH JH Y HH TH DH IY IH",
        "C": "EH AE AH",
        "D": "AA",
        "E": "AO ER R",
        "F": "UW UH OW W",
        "G": "F V",
        "H": "L",
        "X": "",
    },
    closed="A",
    rest="X",
)

OCULUS = _set(
    "Oculus visemes",
    "The 15 Oculus/Meta (OVRLipSync) visemes: sil, PP, FF, TH, DD, kk, CH, SS, nn, RR, aa, E, "
    "ih, oh, ou.",
    {
        "sil": "",
        "PP": "P B M",
        "FF": "F V",
        "TH": "TH DH",
        "DD": "T D",
        "kk": "K G NG HH",
        "CH": "CH JH SH ZH",
        "SS": "S Z",
        "nn": "N L",
        "RR": "R ER",
        "aa": "AA AE AH",
        "E": "EH",
        "ih": "IH IY Y",
        "oh": "AO OW",
        "ou": "UW UH W",
    },
    closed="PP",
    rest="sil",
)


def viseme_set_from_json(text: str, source: str = "viseme set") -> VisemeSet:
    """Parse and check a viseme set preset; LipSyncError with a sentence if malformed."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise LipSyncError(f"{source}: not a valid viseme set ({error}).") from None
    shapes = body.get("shapes") if isinstance(body, dict) else None
    if not isinstance(shapes, dict) or len(shapes) < 2:
        raise LipSyncError(f"{source}: a viseme set needs a 'shapes' object of two or more.")
    table: dict[str, tuple[str, ...]] = {}
    for shape, members in shapes.items():
        if not isinstance(members, list) or not all(isinstance(p, str) for p in members):
            raise LipSyncError(f"{source}: shape {shape!r} must list its phones as strings.")
        unknown = [p for p in members if p.upper() not in PHONES and p.upper() not in DIPHTHONGS]
        if unknown:
            raise LipSyncError(f"{source}: shape {shape!r} lists unknown phones {unknown}.")
        table[str(shape)] = tuple(p.upper() for p in members)
    closed, rest = body.get("closed"), body.get("rest")
    for role, shape in (("closed", closed), ("rest", rest)):
        if shape not in table:
            raise LipSyncError(f"{source}: '{role}' must name one of its shapes, not {shape!r}.")
    name, description = str(body.get("name", source)), str(body.get("description", ""))
    vset = _set(name, description, table, closed, rest)
    if not any(shape not in (closed, rest) for shape in vset.phones.values()):
        raise LipSyncError(f"{source}: no shape besides the closed and rest ones has a phone.")
    return vset


def viseme_set_to_json(vset: VisemeSet) -> str:
    """A set as preset JSON (viseme_set_from_json reads it back)."""
    shapes = {shape: [p for p, s in vset.phones.items() if s == shape] for shape in vset.shapes}
    body = {
        "name": vset.name,
        "description": vset.description,
        "shapes": shapes,
        "closed": vset.closed,
        "rest": vset.rest,
    }
    return json.dumps(body, indent=2) + "\n"


def viseme_set(name_or_path: str) -> VisemeSet:
    """A built-in set by name ("rhubarb", "oculus") or a preset .json file."""
    key = name_or_path.strip().lower()
    if key == "rhubarb":
        return RHUBARB
    if key == "oculus":
        return OCULUS
    if not key.endswith(".json"):
        raise LipSyncError(
            f"No viseme set '{name_or_path}': use rhubarb, oculus or a preset .json file."
        )
    path = Path(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LipSyncError(f"Cannot read the viseme set {path}: {error.strerror}.") from None
    return viseme_set_from_json(text, source=path.name)
