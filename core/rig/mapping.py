"""Channel mapping: ARKit channels onto a rig's shape keys, by tolerant names or preset files.

A preset maps each ARKit channel to one or more target shape keys with a gain each:
`{"name": ..., "description": ..., "channels": {"jawOpen": {"jawOpen": 1.0}, ...}}`. A channel
the preset leaves out, or whose targets the rig lacks, is *unmapped* and reported, never
dropped silently. Target names are matched to the rig's keys exactly first, then ignoring case,
separators and the way the side is written (`mouthSmile_L`, `MouthSmileLeft`, `mouth_smile.l`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import RigError

PRESET_DIR = Path(__file__).resolve().parents[2] / "assets" / "mapping_presets"
PRESET_SUFFIX = ".json"

# Side written as a suffix: "Left"/"Right" (any case, any separator before it), or a separated
# single letter "_L", ".r", " L", "-R", or an upper-case L/R glued to a lower-case one ("blinkL").
_SIDE_WORD = re.compile(r"(left|right)$", re.IGNORECASE)
_SIDE_LETTER_SEPARATED = re.compile(r"[._\- ]([lr])$", re.IGNORECASE)
_SIDE_LETTER_GLUED = re.compile(r"(?<=[a-z0-9])([LR])$")
_SEPARATORS = re.compile(r"[._\- ]+")


def name_key(name: str) -> tuple[str, str]:
    """Normalised (base, side) of a shape-key name: lower case, no separators, side 'L'/'R'/''."""
    stem = name.strip()
    side = ""
    for pattern in (_SIDE_WORD, _SIDE_LETTER_SEPARATED, _SIDE_LETTER_GLUED):
        match = pattern.search(stem)
        if match:
            side = match.group(1)[0].upper()
            stem = stem[: match.start()]
            break
    return _SEPARATORS.sub("", stem).lower(), side


def match_name(wanted: str, available: list[str] | tuple[str, ...]) -> str | None:
    """The available name that means `wanted`: exact, then case-insensitive, then by name_key."""
    if wanted in available:
        return wanted
    folded = [name for name in available if name.lower() == wanted.lower()]
    if folded:
        return folded[0]
    key = name_key(wanted)
    tolerant = [name for name in available if name_key(name) == key]
    return tolerant[0] if tolerant else None


@dataclass(frozen=True)
class Preset:
    """A named mapping: channel -> ((target shape key, gain), ...)."""

    name: str
    channels: dict[str, tuple[tuple[str, float], ...]]
    description: str = ""

    def to_json(self) -> str:
        """The preset file's text."""
        channels = {c: {t: float(g) for t, g in targets} for c, targets in self.channels.items()}
        body = {"name": self.name, "description": self.description, "channels": channels}
        return json.dumps(body, indent=2) + "\n"


def identity_preset(channel_names: list[str] | tuple[str, ...], name: str = "Identity") -> Preset:
    """Every channel onto the shape key of the same (tolerantly matched) name, gain 1."""
    return Preset(name=name, channels={c: ((c, 1.0),) for c in channel_names})


def preset_from_json(text: str, source: str = "preset") -> Preset:
    """Parse and validate a preset file's text; RigError with a clear sentence if malformed."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise RigError(f"{source}: not a valid mapping preset ({error}).") from None
    channels = body.get("channels") if isinstance(body, dict) else None
    if not isinstance(channels, dict):
        raise RigError(f"{source}: a mapping preset needs a 'channels' object.")
    parsed: dict[str, tuple[tuple[str, float], ...]] = {}
    for channel, targets in channels.items():
        if not isinstance(targets, dict) or not all(
            isinstance(g, int | float) and not isinstance(g, bool) for g in targets.values()
        ):
            raise RigError(f"{source}: channel {channel!r} must map target names to gains.")
        parsed[str(channel)] = tuple((str(t), float(g)) for t, g in targets.items())
    return Preset(
        name=str(body.get("name", source)),
        channels=parsed,
        description=str(body.get("description", "")),
    )


def load_preset(path: str | Path) -> Preset:
    """Read a preset file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RigError(f"Cannot read the mapping preset {path}: {error.strerror}.") from None
    return preset_from_json(text, source=path.name)


def save_preset(preset: Preset, path: str | Path) -> Path:
    """Write a preset file (adding .json if missing) and return its path."""
    path = Path(path)
    if path.suffix.lower() != PRESET_SUFFIX:
        path = path.with_name(path.name + PRESET_SUFFIX)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(preset.to_json(), encoding="utf-8")
    except OSError as error:
        raise RigError(f"Cannot write the mapping preset {path}: {error.strerror}.") from None
    return path


def shipped_presets() -> dict[str, Path]:
    """Preset id (file stem) -> path, for the presets in assets/mapping_presets."""
    return {p.stem: p for p in sorted(PRESET_DIR.glob(f"*{PRESET_SUFFIX}"))}


@dataclass(frozen=True)
class Route:
    """One channel driving one shape key: key value += gain * channel weight."""

    channel: str
    shape_key: str
    gain: float


@dataclass(frozen=True)
class Mapping:
    """A preset resolved against a rig's shape keys."""

    routes: tuple[Route, ...]
    unmapped: tuple[str, ...]  # channels with no route at all
    missing_targets: tuple[str, ...] = field(default=())  # preset targets the rig lacks

    @property
    def shape_keys(self) -> tuple[str, ...]:
        """Driven shape keys, in first-route order, each once."""
        return tuple(dict.fromkeys(route.shape_key for route in self.routes))


def resolve(
    preset: Preset,
    channel_names: list[str] | tuple[str, ...],
    shape_key_names: list[str] | tuple[str, ...],
) -> Mapping:
    """Match every channel's preset targets to the rig's shape keys (tolerant names)."""
    available = [name for name in shape_key_names]
    routes: list[Route] = []
    unmapped: list[str] = []
    missing: list[str] = []
    channels_by_key = {name_key(c): targets for c, targets in preset.channels.items()}
    for channel in channel_names:
        targets = preset.channels.get(channel) or channels_by_key.get(name_key(channel), ())
        found = 0
        for target, gain in targets:
            shape_key = match_name(target, available)
            if shape_key is None:
                missing.append(target)
            elif gain != 0.0:
                routes.append(Route(channel, shape_key, gain))
                found += 1
        if found == 0:
            unmapped.append(channel)
    return Mapping(tuple(routes), tuple(unmapped), tuple(dict.fromkeys(missing)))


def apply_mapping(
    weights: np.ndarray, channel_names: list[str] | tuple[str, ...], mapping: Mapping
) -> tuple[tuple[str, ...], np.ndarray]:
    """Shape-key values (T, M) for channel weights (T, K): the sum of gain * weight per key,
    clipped to the 0..1 slider range. Returns (shape key names, values)."""
    index = {name: i for i, name in enumerate(channel_names)}
    keys = mapping.shape_keys
    column = {name: m for m, name in enumerate(keys)}
    values = np.zeros((len(weights), len(keys)), dtype=np.float32)
    for route in mapping.routes:
        values[:, column[route.shape_key]] += route.gain * weights[:, index[route.channel]]
    return keys, np.clip(values, 0.0, 1.0, out=values)  # in place: (T, M) can be an hour
