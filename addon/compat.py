"""Every Blender-version difference the add-on meets, in one place (4.2 LTS through 5.2 LTS).

- Sound strips: `SequenceEditor.sequences_all` up to 4.x, `strips_all` from 4.4 (5.0 removed the
  old name).
- Actions: 4.2/4.3 keep F-curves on `Action.fcurves`; 4.4 brought slotted Actions whose F-curves
  live in a channelbag per slot (5.0 removed `Action.fcurves`).
- Strip custom properties: strips are `bpy.types.Strip` from 4.4 (5.0 removed `Sequence`).
- NLA strips: 4.4+ strips pick the slot of a slotted Action (`NlaStrip.action_slot`).
- Strip frames: 5.1 renamed frame_start, frame_final_start/_end, frame_offset_start/_end and
  frame_duration to content_start, left/right_handle, left/right_handle_offset and
  content_duration; 5.2 warns that the old names go in 6.0. The new names are used where they
  exist.
"""

import bpy
import numpy as np

SLOTTED_ACTIONS = bpy.app.version >= (4, 4, 0)
_INTERPOLATION_LINEAR = 1  # index of 'LINEAR' in FCurve keyframe interpolation items
_INTERPOLATION_CONSTANT = 0  # index of 'CONSTANT'
NLA_TRACK = "Lip Sync"  # the NLA track whole-scene takes are placed on
_KEYS_SET_ONE_BY_ONE = 256  # replace_keys sets this many keys in place (a correction's frames)


def sound_strips(scene: bpy.types.Scene) -> list:
    """All sound strips of the scene's sequencer, meta strips included."""
    editor = scene.sequence_editor
    if editor is None:
        return []
    strips = editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all
    return [strip for strip in strips if strip.type == "SOUND"]


def new_strip_collection(scene: bpy.types.Scene):
    """The top-level strip collection to add new strips to (creating the sequencer if needed)."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def assign_new_action(id_data: bpy.types.ID, name: str) -> bpy.types.Action:
    """Create a new Action and make it the active one of `id_data` (a slot on 4.4+)."""
    action = bpy.data.actions.new(name)
    anim_data = id_data.animation_data or id_data.animation_data_create()
    if SLOTTED_ACTIONS:
        slot = action.slots.new(id_type=id_data.id_type, name=id_data.name)
        anim_data.action = action
        anim_data.action_slot = slot
    else:
        action.id_root = id_data.id_type
        anim_data.action = action
    return action


def strip_class() -> type:
    """The RNA class of sequencer strips (`Strip` from 4.4, `Sequence` before)."""
    return getattr(bpy.types, "Strip", None) or bpy.types.Sequence


def new_action(id_data: bpy.types.ID, name: str) -> bpy.types.Action:
    """A new Action made to animate `id_data` (a slot for it on 4.4+), not assigned to it."""
    action = bpy.data.actions.new(name)
    if SLOTTED_ACTIONS:
        action.slots.new(id_type=id_data.id_type, name=id_data.name)
    else:
        action.id_root = id_data.id_type
    return action


def place_in_nla(id_data: bpy.types.ID, action: bpy.types.Action, first_frame: float):
    """An NLA strip playing `action` at its own frames on the NLA_TRACK track of `id_data`
    (a new track above when that one has no room there); nothing before or after it."""
    anim_data = id_data.animation_data or id_data.animation_data_create()
    tracks = [t for t in anim_data.nla_tracks if t.name.startswith(NLA_TRACK)]
    for track in tracks:
        try:
            strip = track.strips.new(action.name, int(first_frame), action)
            break
        except RuntimeError:  # no room on this track at these frames
            continue
    else:
        track = anim_data.nla_tracks.new()
        track.name = NLA_TRACK
        strip = track.strips.new(action.name, int(first_frame), action)
    if SLOTTED_ACTIONS and strip.action_slot is None and len(action.slots):
        strip.action_slot = action.slots[0]
    strip.frame_start_ui = float(first_frame)  # moves the whole strip: keys play where keyed
    strip.extrapolation = "NOTHING"
    return strip


def nla_strips_of(id_data: bpy.types.ID, action: bpy.types.Action) -> list:
    """(track, strip) pairs of `id_data`'s NLA that play `action`."""
    anim_data = id_data.animation_data
    if anim_data is None:
        return []
    return [(t, s) for t in anim_data.nla_tracks for s in t.strips if s.action == action]


def action_fcurves(action: bpy.types.Action, id_data: bpy.types.ID, create: bool = False):
    """The F-curve collection that animates `id_data` in `action` (None if it has none)."""
    if not SLOTTED_ACTIONS:
        return action.fcurves
    anim_data = id_data.animation_data
    slot = anim_data.action_slot if anim_data and anim_data.action == action else None
    if slot is None:
        slot = next((s for s in action.slots if _slot_id_type(s) == id_data.id_type), None)
    if slot is None:
        return None
    from bpy_extras import anim_utils

    if create:
        return anim_utils.action_ensure_channelbag_for_slot(action, slot).fcurves
    channelbag = anim_utils.action_get_channelbag_for_slot(action, slot)
    return channelbag.fcurves if channelbag else None


def _slot_id_type(slot) -> str:
    """The ID type a slot animates (`id_root` in 4.4, `target_id_type` from 4.5)."""
    return getattr(slot, "target_id_type", None) or getattr(slot, "id_root", "")


def shape_key_data_path(key_block_name: str) -> str:
    """The RNA path of a shape key's value on its Key datablock."""
    return f'key_blocks["{bpy.utils.escape_identifier(key_block_name)}"].value'


def write_fcurve(
    fcurves,
    data_path: str,
    frames: np.ndarray,
    values: np.ndarray,
    group: str = "",
    constant: bool = False,
):
    """Create one F-curve and key all (frame, value) pairs in bulk: linear interpolation, or
    constant (stepped) when `constant`."""
    group_kwarg = "group_name" if SLOTTED_ACTIONS else "action_group"
    try:
        fcurve = fcurves.new(data_path, index=0, **({group_kwarg: group} if group else {}))
    except TypeError:  # 4.4/4.5 channelbags take no group name
        fcurve = fcurves.new(data_path, index=0)
    count = len(frames)
    points = fcurve.keyframe_points
    points.add(count)
    co = np.empty((count, 2), dtype=np.float32)
    co[:, 0] = frames
    co[:, 1] = values
    points.foreach_set("co", co.ravel())
    interpolation = _INTERPOLATION_CONSTANT if constant else _INTERPOLATION_LINEAR
    points.foreach_set("interpolation", np.full(count, interpolation, dtype=np.int32))
    fcurve.update()
    return fcurve


def replace_keys(fcurve, frames: np.ndarray, values: np.ndarray, first_key: int = -1) -> None:
    """Replace the F-curve's keys from frames[0] to frames[-1] (within half a frame) by these
    (frame, value) pairs; keys outside that range stay as they are. The curve keeps the
    interpolation of its first key. When the keys there are the same frames (a take keyed every
    frame) their values are set in place; else the keys are rewritten in bulk. `first_key`: where
    the caller expects frames[0]'s key (checked on the first and last key: no read of the rest)."""
    points = fcurve.keyframe_points
    count = len(points)
    last_key = first_key + len(frames) - 1
    if (
        0 <= first_key
        and last_key < count
        and len(frames) <= _KEYS_SET_ONE_BY_ONE
        and abs(points[first_key].co[0] - frames[0]) < 0.5
        and abs(points[last_key].co[0] - frames[-1]) < 0.5
        and (last_key + 1 == count or points[last_key + 1].co[0] > frames[-1] + 0.5)
    ):
        for i, point in enumerate(np.column_stack([frames, values]).tolist()):
            points[first_key + i].co = point
        return
    co = np.empty(count * 2, dtype=np.float32)
    points.foreach_get("co", co)
    old_frames = co[0::2]
    inside = (old_frames >= frames[0] - 0.5) & (old_frames <= frames[-1] + 0.5)
    new = np.empty((len(frames), 2), dtype=np.float32)
    new[:, 0], new[:, 1] = frames, values
    first, total = int(np.argmax(inside)), int(inside.sum())
    if total == len(frames) and inside[first : first + total].all():  # the same keys
        if total <= _KEYS_SET_ONE_BY_ONE:  # a few: set in place, the rest left untouched
            for i, point in enumerate(new.tolist()):
                points[first + i].co = point
            return  # same frames, linear or constant: no re-sort, handles unused
        co.reshape(-1, 2)[first : first + total] = new
        points.foreach_set("co", co)
        fcurve.update()
        return
    interpolation = points[0].interpolation if count else "LINEAR"
    keep = co.reshape(-1, 2)[~inside]
    merged = np.concatenate([keep[keep[:, 0] < frames[0]], new, keep[keep[:, 0] > frames[-1]]])
    while len(points) > len(merged):
        points.remove(points[len(points) - 1], fast=True)
    if len(points) < len(merged):
        points.add(len(merged) - len(points))
    points.foreach_set("co", merged.ravel())
    index = _INTERPOLATION_CONSTANT if interpolation == "CONSTANT" else _INTERPOLATION_LINEAR
    points.foreach_set("interpolation", np.full(len(merged), index, dtype=np.int32))
    fcurve.update()


def read_fcurve(fcurve) -> tuple[np.ndarray, np.ndarray]:
    """Frames and values of all keyframes of an F-curve, as float arrays (N,)."""
    count = len(fcurve.keyframe_points)
    co = np.empty(count * 2, dtype=np.float32)
    fcurve.keyframe_points.foreach_get("co", co)
    return co[0::2].copy(), co[1::2].copy()


def strip_frames(strip) -> tuple[float, float, float]:
    """(content start, left handle, right handle) of a strip in scene frames.

    5.x names them content_start / left_handle / right_handle (the 4.2 names frame_start,
    frame_final_start, frame_final_end still work there but are deprecated).
    """
    if hasattr(strip, "left_handle"):
        return float(strip.content_start), float(strip.left_handle), float(strip.right_handle)
    return float(strip.frame_start), float(strip.frame_final_start), float(strip.frame_final_end)


def trim_strip(strip, left_frames: float, right_frames: float) -> None:
    """Hide frames at the strip's two ends by moving its handles inwards (content unmoved)."""
    if hasattr(strip, "left_handle_offset"):
        strip.left_handle_offset, strip.right_handle_offset = left_frames, right_frames
    else:
        strip.frame_offset_start, strip.frame_offset_end = left_frames, right_frames


def strip_content_frames(strip) -> float:
    """Length of the strip's content in frames, before its handles are applied."""
    if hasattr(strip, "content_duration"):
        return float(strip.content_duration)
    return float(strip.frame_duration)


def strip_sound_offset_s(strip) -> float:
    """Seconds of sound skipped at the strip's content start (`sound_offset`; 0 on 4.2)."""
    return float(getattr(strip, "sound_offset", 0.0))


def find_sound_strip(scene: bpy.types.Scene, name: str):
    """The scene's sound strip of that name, or None."""
    return next((strip for strip in sound_strips(scene) if strip.name == name), None)
