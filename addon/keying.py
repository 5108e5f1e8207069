"""Takes on shape keys: each take is a new Action, tagged as ours, keyed in bulk.

A take is identified by (target, audio, model). Writing a take again replaces only the Action
carrying the same tag; Actions the user made are never edited or deleted (an untagged Action
that would lose its last user gets a fake user so that saving the file keeps it).

A take animates the object's shape keys (its Key datablock) or, in viseme mode, the object
itself (the `lipsync_viseme` property). It is placed as the active Action (Generate) or as a
strip of the "Lip Sync" NLA track (the whole scene: several takes of one object, one per sound
strip, each playing at its own frames).
"""

import bpy
import numpy as np

from . import compat

TAKE_TAG = "tiny_lipsync_take"  # custom property on our Actions: the take id
TAKE_PREFIX = "tiny_lipsync_"  # of the take's other custom properties (take.take_metadata)
GROUP = "Lip Sync"
ACTIVE, NLA = "ACTIVE", "NLA"  # where a take is placed


def take_id(target: str, audio: str, model: str, visemes: bool = False) -> str:
    """The id of the take for this target, audio and model (a viseme take is another one)."""
    return f"{target}|{audio}|{model}" + ("|visemes" if visemes else "")


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
    placement: str = ACTIVE,
) -> bpy.types.Action:
    """Key `values` (T, M) at scene `frames` (T,) onto the shape keys `key_names` of `obj`, in a
    new Action placed on its shape keys (see the module docstring); an older Action of the same
    take is removed. `kept` (one row-index array per shape key, core.export.key_reduction) keys
    only those frames of each curve; None keys every frame."""
    frames = np.asarray(frames, dtype=np.float64)
    curves = []
    for m, key_name in enumerate(key_names):
        rows = slice(None) if kept is None else kept[m]
        curves.append((compat.shape_key_data_path(key_name), frames[rows], values[rows, m]))
    return write_action_take(
        shape_key_owner(obj), identifier, name, metadata, curves, placement=placement
    )


def write_action_take(
    id_data: bpy.types.ID,
    identifier: str,
    name: str,
    metadata: dict,
    curves: list[tuple[str, np.ndarray, np.ndarray]],
    placement: str = ACTIVE,
    constant: bool = False,
) -> bpy.types.Action:
    """A new take Action animating `id_data` with `curves` (data path, frames (N,), values
    (N,)), tagged and carrying `metadata`; placed as the active Action or on the NLA track."""
    release_take(id_data, identifier)
    if placement == NLA:
        action = compat.new_action(id_data, name)
    else:
        _protect_active(id_data)
        action = compat.assign_new_action(id_data, name)
    action[TAKE_TAG] = identifier
    for prop, value in metadata.items():
        action[f"{TAKE_PREFIX}{prop}"] = value
    fcurves = compat.action_fcurves(action, id_data, create=True)
    for data_path, frames, values in curves:
        compat.write_fcurve(fcurves, data_path, frames, values, GROUP, constant=constant)
    if placement == NLA:
        first = min((float(frames[0]) for _, frames, _ in curves if len(frames)), default=0.0)
        compat.place_in_nla(id_data, action, first)
    return action


def release_take(id_data: bpy.types.ID, identifier: str) -> None:
    """Remove our previous Action of this take (and its strips on our NLA track of `id_data`);
    an Action also used elsewhere (another object, a strip the user made) is handed over to
    the user."""
    old = find_take(identifier)
    if old is None:
        return
    anim = id_data.animation_data
    for track, strip in compat.nla_strips_of(id_data, old):
        if track.name.startswith(compat.NLA_TRACK):
            track.strips.remove(strip)
    if anim is not None and anim.action == old:
        anim.action = None
    if old.users - (1 if old.use_fake_user else 0) == 0:
        bpy.data.actions.remove(old)
    else:
        del old[TAKE_TAG]


def _protect_active(id_data: bpy.types.ID) -> None:
    """A user Action about to be replaced as the active one gets a fake user (kept on save)."""
    anim = id_data.animation_data
    active = anim.action if anim else None
    if active is not None and not is_take(active) and active.users == 1:
        active.use_fake_user = True


def object_takes(obj: bpy.types.Object) -> list[bpy.types.Action]:
    """Every take playing on the object: on its shape keys and on itself, active or in NLA."""
    owners = [obj]
    if obj.type == "MESH" and obj.data.shape_keys is not None:
        owners.insert(0, obj.data.shape_keys)
    found = []
    for owner in owners:
        anim = owner.animation_data
        if anim is None:
            continue
        actions = [anim.action] + [s.action for t in anim.nla_tracks for s in t.strips]
        found += [a for a in actions if is_take(a) and a not in found]
    return found


def take_owner(obj: bpy.types.Object, action: bpy.types.Action) -> bpy.types.ID:
    """The datablock a take of `obj` animates: its shape keys, or the object (viseme mode)."""
    if action.get(f"{TAKE_PREFIX}output") == "VISEMES":
        return obj
    return shape_key_owner(obj)


def take_curves(
    obj: bpy.types.Object, action: bpy.types.Action | None = None
) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """The keys of a take of `obj` (default: its active one): frames (T,), shape-key names,
    values (T, M). A take keyed with a key tolerance gives its curves' values at every frame
    (the lines between its kept keys)."""
    key = shape_key_owner(obj)
    action = action or current_take(obj)
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
