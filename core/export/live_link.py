"""Animation curves as a Live Link Face style CSV (the iPhone app's take export).

Header: `Timecode,BlendShapeCount`, the 52 ARKit names in PascalCase in the app's column order,
then head and eye rotations (written as 0: speech drives none of them). Timecode is
`HH:MM:SS:FF.mmm`, FF the frame within the second at the take's rate, .mmm the sub-frame part.
Channels the animation lacks are written as 0.
"""

from pathlib import Path
from typing import TextIO

import numpy as np

from ..animation import Animation
from ..errors import RigError
from ..rig.arkit import ARKIT_52
from ..rig.mapping import match_name
from .csv_text import csv_rows
from .curves import write_atomic

# Live Link Face's column order (ARKit's blend-shape location order), in PascalCase.
LIVE_LINK_SHAPES: tuple[str, ...] = (
    "EyeBlinkLeft",
    "EyeLookDownLeft",
    "EyeLookInLeft",
    "EyeLookOutLeft",
    "EyeLookUpLeft",
    "EyeSquintLeft",
    "EyeWideLeft",
    "EyeBlinkRight",
    "EyeLookDownRight",
    "EyeLookInRight",
    "EyeLookOutRight",
    "EyeLookUpRight",
    "EyeSquintRight",
    "EyeWideRight",
    "JawForward",
    "JawRight",
    "JawLeft",
    "JawOpen",
    "MouthClose",
    "MouthFunnel",
    "MouthPucker",
    "MouthRight",
    "MouthLeft",
    "MouthSmileLeft",
    "MouthSmileRight",
    "MouthFrownLeft",
    "MouthFrownRight",
    "MouthDimpleLeft",
    "MouthDimpleRight",
    "MouthStretchLeft",
    "MouthStretchRight",
    "MouthRollLower",
    "MouthRollUpper",
    "MouthShrugLower",
    "MouthShrugUpper",
    "MouthPressLeft",
    "MouthPressRight",
    "MouthLowerDownLeft",
    "MouthLowerDownRight",
    "MouthUpperUpLeft",
    "MouthUpperUpRight",
    "BrowDownLeft",
    "BrowDownRight",
    "BrowInnerUp",
    "BrowOuterUpLeft",
    "BrowOuterUpRight",
    "CheekPuff",
    "CheekSquintLeft",
    "CheekSquintRight",
    "NoseSneerLeft",
    "NoseSneerRight",
    "TongueOut",
)
ROTATIONS: tuple[str, ...] = (
    "HeadYaw",
    "HeadPitch",
    "HeadRoll",
    "LeftEyeYaw",
    "LeftEyePitch",
    "LeftEyeRoll",
    "RightEyeYaw",
    "RightEyePitch",
    "RightEyeRoll",
)
HEADER: tuple[str, ...] = ("Timecode", "BlendShapeCount", *LIVE_LINK_SHAPES, *ROTATIONS)
_ROWS = 8192  # rows formatted per step


def timecode(time_s: float, fps: float) -> str:
    """`HH:MM:SS:FF.mmm` for a time in seconds at a (possibly fractional) frame rate."""
    whole_s = int(np.floor(time_s + 1e-9))
    frame = (time_s - whole_s) * fps
    frame_whole = int(np.floor(frame + 1e-6))
    milli = int(round((frame - frame_whole) * 1000)) % 1000
    h, rest = divmod(whole_s, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{frame_whole:02d}.{milli:03d}"


def live_link_weights(animation: Animation) -> np.ndarray:
    """The animation's weights (T, 52) in Live Link column order; missing channels are 0."""
    by_lower = {name.lower(): k for k, name in enumerate(animation.channel_names)}
    out = np.zeros((animation.frame_count, len(LIVE_LINK_SHAPES)), dtype=np.float64)
    for column, name in enumerate(LIVE_LINK_SHAPES):
        k = by_lower.get(name.lower())
        if k is not None:
            out[:, column] = animation.weights[:, k]
    return out


def arkit_named(animation: Animation, label: str = "the take") -> Animation:
    """The channels of `animation` whose names mean an ARKit name (tolerant of case and side
    suffixes, core.rig.mapping.match_name), renamed to it; RigError when none does."""
    found = [(name, match_name(name, animation.channel_names)) for name in ARKIT_52]
    columns = [(name, animation.channel_names.index(key)) for name, key in found if key]
    if not columns:
        raise RigError(f"None of {label}'s keyed shape keys has an ARKit name.")
    weights = animation.weights[:, [k for _, k in columns]]
    return Animation(animation.fps, tuple(name for name, _ in columns), weights)


def write_live_link_csv(path: str | Path, animation: Animation) -> None:
    """Write the take as a Live Link Face CSV (atomically: no partial file on failure)."""
    weights = live_link_weights(animation)
    zeros = ",".join("0" for _ in ROTATIONS)
    count = len(LIVE_LINK_SHAPES) + len(ROTATIONS)

    def write(handle: TextIO) -> None:
        handle.write(",".join(HEADER) + "\n")
        times_s = animation.times_s()
        for first in range(0, len(weights), _ROWS):
            rows = csv_rows(weights[first : first + _ROWS]).splitlines()
            times = times_s[first : first + _ROWS]
            handle.writelines(
                f"{timecode(float(t), animation.fps)},{count},{values},{zeros}\n"
                for t, values in zip(times, rows, strict=True)
            )

    write_atomic(path, write)
