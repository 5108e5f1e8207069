"""Corrections on a keyed take: edit its weights locally and re-key only the frames that moved.

The take's stored weights (take_store) are edited by core.corrections (open, seal, move a
closure); the frames it may have changed, [lo, hi), are mapped again (shape keys: the take's
routes; visemes: the track redone in that window) and written over the take's keys there in
bulk. The closure list is found again around the edit, the markers redrawn, and the correction
appended to the take's log. No model runs.
"""

import time

import bpy
import numpy as np

from ..core.corrections.closure_list import Closure, find_closures
from ..core.corrections.edit_log import Correction, added_spans, apply_correction
from ..core.mouthshapes.track import retrack_window
from ..core.rig.mapping import apply_mapping
from . import compat, keying, take_store, viseme_keying
from .strip_casting import strip_target, strips_collection

CONTEXT_S = 1.0  # closures are found again this far either side of an edit


def focused_take(context: bpy.types.Context) -> tuple[bpy.types.Object, bpy.types.Action] | None:
    """The take the Closures panel edits: that of the sound strip selected in the scene's list
    when it has one, else the panel target's (its active take, or its first)."""
    scene = context.scene
    status = context.window_manager.lipsync_status
    if scene.sequence_editor is not None:
        data, name = strips_collection(scene)
        strips = getattr(data, name)
        if 0 <= status.strip_index < len(strips) and strips[status.strip_index].type == "SOUND":
            strip = strips[status.strip_index]
            target, _ = strip_target(strip, bpy.data.objects.keys())
            obj = bpy.data.objects.get(target) if target else None
            for action in keying.object_takes(obj) if obj else ():
                if action.get(f"{keying.TAKE_PREFIX}audio") == strip.name:
                    return obj, action
    obj = scene.lipsync.target
    if obj is None:
        return None
    takes = keying.object_takes(obj)
    return (obj, takes[0]) if takes else None


def take_named(obj: bpy.types.Object, name: str) -> bpy.types.Action | None:
    """The take of `obj` with this Action name (None if it has none)."""
    return next((a for a in keying.object_takes(obj) if a.name == name), None)


def jump_to_closure(context: bpy.types.Context, index: int) -> None:
    """Move the playhead to the start of the focused take's closure `index`."""
    focus = focused_take(context)
    if focus is None:
        return
    closures = focus[1].lipsync_take.closures
    if 0 <= index < len(closures):
        context.scene.frame_current = int(round(closures[index].frame_start))


def correct(
    context: bpy.types.Context,
    obj: bpy.types.Object,
    action: bpy.types.Action,
    correction: Correction,
) -> tuple[str, float]:
    """Apply one correction to a take; its report line and the seconds it took."""
    started = time.perf_counter()
    weights, channels = take_store.weights_of(action)
    fps, frame0 = take_store.take_fps(action), take_store.first_frame(action)
    closures = old = take_store.closures_of(action)
    edited = apply_correction(weights, channels, fps, correction, closures)
    take_store.set_weights(action, edited.weights)
    for lo, hi in edited.spans:
        rekey(obj, action, edited.weights, channels, lo, hi)
    log = [*take_store.corrections_of(action), correction]
    take_store.set_corrections(action, log)
    added = added_spans(log, fps, len(weights))
    phones = take_store.phones_of(action)
    for lo, hi in edited.spans:
        closures = refind(closures, edited.weights, channels, fps, lo, hi, phones, added)
    take_store.set_closures(action, closures, old)
    take_store.draw_markers(context.scene, obj.name, action, closures)
    action.update_tag()  # keys were set in place: the animation is evaluated again
    seconds = time.perf_counter() - started
    spans = ", ".join(f"{int(frame0 + lo)}-{int(frame0 + hi - 1)}" for lo, hi in edited.spans)
    line = (
        f"'{obj.name}': {correction.describe()}; re-keyed frames {spans} in "
        f"{1000 * seconds:.1f} ms without the model."
    )
    return line, seconds


def rekey(
    obj: bpy.types.Object,
    action: bpy.types.Action,
    weights: np.ndarray,
    channels: tuple[str, ...],
    lo: int,
    hi: int,
) -> None:
    """Write the take's keys of frames [lo, hi) again from weights (T, K)."""
    frame0 = take_store.first_frame(action)
    if action.get(f"{keying.TAKE_PREFIX}output") == "VISEMES":
        vset, min_hold, track = take_store.visemes_of(action)
        phones = take_store.phones_of(action)
        fps = take_store.take_fps(action)
        track = retrack_window(track, weights, channels, fps, vset, min_hold, lo, hi, phones)
        viseme_keying.rekey_window(obj, action, track, frame0, lo, hi)
        take_store.set_track(action, track)
        return
    key_names, values = apply_mapping(weights[lo:hi], channels, take_store.mapping_of(action))
    owner = keying.shape_key_owner(obj)
    curves = {f.data_path: f for f in compat.action_fcurves(action, owner) or ()}
    frames = frame0 + np.arange(lo, hi, dtype=np.float64)
    every_frame = action.get(f"{keying.TAKE_PREFIX}key_tolerance", 0.0) <= 0.0
    for m, key_name in enumerate(key_names):
        fcurve = curves.get(compat.shape_key_data_path(key_name))
        if fcurve is not None:  # keyed every frame: row k is key k
            compat.replace_keys(fcurve, frames, values[:, m], lo if every_frame else -1)


def refind(
    closures: list[Closure],
    weights: np.ndarray,
    channels: tuple[str, ...],
    fps: float,
    lo: int,
    hi: int,
    phones,
    added,
) -> list[Closure]:
    """The closure list after frames [lo, hi) changed: closures away from them kept, those
    near them found again (within CONTEXT_S)."""
    near = (lo - 1, hi + 1)
    kept = [c for c in closures if c.stop <= near[0] or c.start >= near[1]]
    first = max(0, lo - int(CONTEXT_S * fps))
    last = min(len(weights), hi + int(CONTEXT_S * fps))
    found = find_closures(weights[first:last], channels, fps, phones, added, offset=first)
    fresh = [c for c in found if c.start < near[1] and c.stop > near[0]]
    return sorted(kept + fresh, key=lambda c: c.start)
