"""Takes on shape keys: each take is a new Action, tagged as ours, keyed in bulk.

A take is identified by (target, audio, model). Writing a take again replaces only the Action
carrying the same tag; Actions the user made are never edited or deleted (an untagged Action
that would lose its last user gets a fake user so that saving the file keeps it).
"""

import bpy
import numpy as np

from . import compat

TAKE_TAG = "tiny_lipsync_take"  # custom property on our Actions: the take id
TAKE_PREFIX = "tiny_lipsync_"  # of the take's other custom properties (take.take_metadata)
GROUP = "Lip Sync"


def take_id(target: str, audio: str, model: str) -> str:
    """The id of the take for this target, audio and model."""
    return f"{target}|{audio}|{model}"


def shape_key_owner(obj: bpy.types.Object) -> bpy.types.Key:
    """The Key datablock holding the object's shape keys (animation lives there)."""
    return obj.data.shape_keys


def find_take(identifier: str) -> bpy.types.Action | None:
    """Our Action with this take id, if any."""
    return next((a for a in bpy.data.actions if a.get(TAKE_TAG) == identifier), None)


def is_take(action: bpy.types.Action | None) -> bool:
    """True for Actions this add-on wrote."""
    return action is not None and TAKE_TAG in action


def current_take(obj: bpy.types.Object) -> bpy.types.Action | None:
    """The take Action active on the object's shape keys, or None."""
    key = shape_key_owner(obj) if obj is not None and obj.type == "MESH" else None
    action = key.animation_data.action if key and key.animation_data else None
    return action if is_take(action) else None


def write_take(
    obj: bpy.types.Object,
    identifier: str,
    name: str,
    frames: np.ndarray,
    key_names: tuple[str, ...],
    values: np.ndarray,
    metadata: dict,
    kept: tuple[np.ndarray, ...] | None = None,
) -> bpy.types.Action:
    """Key `values` (T, M) at scene `frames` (T,) onto the shape keys `key_names` of `obj`, in a
    new Action made active on its shape keys; an older Action of the same take is removed.
    `kept` (one row-index array per shape key, core.export.key_reduction) keys only those frames of
    each curve; None keys every frame."""
    key = shape_key_owner(obj)
    _release_previous(key, identifier)
    action = compat.assign_new_action(key, name)
    action[TAKE_TAG] = identifier
    for prop, value in metadata.items():
        action[f"{TAKE_PREFIX}{prop}"] = value
    fcurves = compat.action_fcurves(action, key, create=True)
    frames = np.asarray(frames, dtype=np.float64)
    for m, key_name in enumerate(key_names):
        rows = slice(None) if kept is None else kept[m]
        compat.write_fcurve(
            fcurves, compat.shape_key_data_path(key_name), frames[rows], values[rows, m], GROUP
        )
    return action


def _release_previous(key: bpy.types.Key, identifier: str) -> None:
    """Remove our previous Action of this take; protect a user Action about to be unassigned."""
    anim = key.animation_data
    active = anim.action if anim else None
    old = find_take(identifier)
    if old is not None:
        other_users = old.users - (1 if old == active else 0) - (1 if old.use_fake_user else 0)
        if other_users == 0:  # only our own assignment holds it: replace
            if old == active:
                anim.action = None
            bpy.data.actions.remove(old)
            active = anim.action if anim else None
        else:  # used elsewhere (an NLA strip...): hand it over to the user
            del old[TAKE_TAG]
    if active is not None and not is_take(active) and active.users == 1:
        active.use_fake_user = True


def take_curves(obj: bpy.types.Object) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """The active take's keys: frames (T,), shape-key names, values (T, M). A take keyed with a
    key tolerance gives its curves' values at every frame (the lines between its kept keys)."""
    key = shape_key_owner(obj)
    action = current_take(obj)
    if action is None:
        return np.zeros(0), (), np.zeros((0, 0))
    reduced = action.get(f"{TAKE_PREFIX}key_tolerance", 0.0) > 0.0
    names, columns, frames = [], [], None
    for fcurve in compat.action_fcurves(action, key) or ():
        if not fcurve.data_path.startswith("key_blocks["):
            continue
        curve_frames, curve_values = compat.read_fcurve(fcurve)
        if reduced:
            curve_frames, curve_values = _every_frame(action, curve_frames, curve_values)
        frames = curve_frames if frames is None else frames
        if len(curve_frames) != len(frames):
            continue  # edited by hand to another key count: not part of the bulk take
        names.append(_key_block_name(fcurve.data_path))
        columns.append(curve_values)
    if frames is None:
        return np.zeros(0), (), np.zeros((0, 0))
    return frames, tuple(names), np.stack(columns, axis=1)


def _every_frame(
    action: bpy.types.Action, frames: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A reduced curve's frames (N,) and values (N,) at every frame of the take, as keying every
    frame would have stored them (float32 frames from the take's first frame on)."""
    start = float(action[f"{TAKE_PREFIX}frame_start"])
    count = int(round(float(frames[-1]) - float(frames[0]))) + 1 if len(frames) else 0
    every = (start + np.arange(count, dtype=np.float64)).astype(np.float32)
    return every, np.interp(every, frames, values).astype(np.float32)


def _key_block_name(data_path: str) -> str:
    """'key_blocks["mouth \\"x\\""].value' -> 'mouth "x"'."""
    inner = data_path[len('key_blocks["') : data_path.rindex('"]')]
    return inner.replace('\\"', '"').replace("\\\\", "\\")
