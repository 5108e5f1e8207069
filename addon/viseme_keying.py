"""Viseme mode on the target object: an integer custom property `lipsync_viseme`, keyed stepped.

The property holds the index of the mouth shape in the viseme set; the set's names sit beside
it (`lipsync_viseme_names`, and `lipsync_viseme_set` its name), so a driver, a Grease Pencil
layer switch or an image-sequence offset can read either. Keys are constant (one per change of
shape), in a take Action on the object itself.
"""

import bpy
import numpy as np

from ..core.mouthshapes.shape_sets import VisemeSet
from ..core.mouthshapes.track import key_frames
from . import compat, keying

PROPERTY = "lipsync_viseme"
NAMES = "lipsync_viseme_names"
SET_NAME = "lipsync_viseme_set"
DATA_PATH = f'["{PROPERTY}"]'


def prepare_object(obj: bpy.types.Object, vset: VisemeSet, first: int) -> None:
    """The integer property (with its range and tooltip) and the set's names on the object."""
    obj[PROPERTY] = int(first)
    ui = obj.id_properties_ui(PROPERTY)
    ui.update(
        min=0,
        max=len(vset.shapes) - 1,
        description=f"Mouth shape from Tiny Lip Sync ({vset.name}): index into {NAMES}",
    )
    obj[NAMES] = list(vset.shapes)
    obj[SET_NAME] = vset.name


def track_keys(track: np.ndarray, frame0: float) -> tuple[np.ndarray, np.ndarray]:
    """(frames, values) of the stepped keys of a track (T,) whose frame 0 is scene `frame0`."""
    rows = key_frames(track)
    return frame0 + rows.astype(np.float64), track[rows].astype(np.float32)


def write_viseme_take(
    obj: bpy.types.Object,
    identifier: str,
    name: str,
    track: np.ndarray,
    frame0: float,
    vset: VisemeSet,
    metadata: dict,
    placement: str,
) -> bpy.types.Action:
    """Key the track (T,) as `lipsync_viseme` on the object in a new take Action. Placed as the
    active Action unless the object plays an Action of the user's (it keeps playing; the take
    goes on the NLA track under it) or `placement` asks for the NLA."""
    prepare_object(obj, vset, int(track[0]) if len(track) else 0)
    anim = obj.animation_data
    users_action = anim is not None and anim.action is not None and not keying.is_take(anim.action)
    frames, values = track_keys(track, frame0)
    return keying.write_action_take(
        obj,
        identifier,
        name,
        metadata,
        [(DATA_PATH, frames, values)],
        placement=keying.NLA if users_action else placement,
        constant=True,
    )


def viseme_fcurve(obj: bpy.types.Object, action: bpy.types.Action):
    """The take's `lipsync_viseme` F-curve (None if gone)."""
    curves = compat.action_fcurves(action, obj) or ()
    return next((f for f in curves if f.data_path == DATA_PATH), None)


def rekey_window(
    obj: bpy.types.Object,
    action: bpy.types.Action,
    track: np.ndarray,
    frame0: float,
    lo: int,
    hi: int,
) -> None:
    """Re-key frames [lo, hi] of the take from a track (T,) changed only on [lo, hi): keys at
    both ends (each holds the value already there) and at every change between."""
    fcurve = viseme_fcurve(obj, action)
    if fcurve is None or hi <= lo:
        return
    last = min(hi, len(track) - 1)
    rows = [k for k in range(lo, last + 1) if k in (lo, last) or track[k] != track[k - 1]]
    rows = np.array(sorted(set(rows)), np.int64)
    compat.replace_keys(fcurve, frame0 + rows.astype(np.float64), track[rows].astype(np.float32))
