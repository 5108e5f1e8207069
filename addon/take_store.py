"""What a take keeps on its Action so it can be corrected later without the model.

- the shaped ARKit weights (T, K) as float32 bytes and their channel names,
- the mapping that turned them into shape-key values (routes), or the viseme set and hold,
- the aligned text's phones (transcript mode), the correction log (core.corrections.edit_log),
- the closure list (a collection the panel lists: LIPSYNC_PG_take.closures), and the timeline
  markers drawn for it (their names and frames, so only those are ever removed).
All live in the .blend with the take: undo, save and reload keep them.
"""

import json

import bpy
import numpy as np
from bpy.props import CollectionProperty, FloatProperty, PointerProperty, StringProperty

from ..core.corrections.closure_list import Closure
from ..core.corrections.edit_log import Correction, from_json, to_json
from ..core.errors import RigError
from ..core.mouthshapes.shape_sets import VisemeSet, viseme_set_from_json, viseme_set_to_json
from ..core.phones.phone_set import Phone
from ..core.rig.mapping import Mapping, Route
from .keying import TAKE_PREFIX

MARKER_NAME_CHARS = 63  # Blender's marker names are at most 63 bytes


def _key(name: str) -> str:
    return f"{TAKE_PREFIX}{name}"


def _set_bytes(action: bpy.types.Action, name: str, data: bytes) -> None:
    """Store bytes on the take. Assigning bytes over an existing property would cut them at
    the first zero byte (Blender 4.2-5.2), so the old one is removed first."""
    key = _key(name)
    if key in action:
        del action[key]
    action[key] = data


class LIPSYNC_PG_closure(bpy.types.PropertyGroup):
    """One lip closure of a take, in scene frames."""

    frame_start: FloatProperty(name="Start", description="First sealed frame")
    frame_end: FloatProperty(name="End", description="One after the last sealed frame")
    confidence: FloatProperty(
        name="Confidence", description="How firmly the take seals the lips here (0-1)"
    )
    phone: StringProperty(name="Phone", description="The p, b or m of the text ('' without)")
    origin: StringProperty(
        name="Origin", description="model, text (an aligned p/b/m) or added (a correction)"
    )


class LIPSYNC_PG_take(bpy.types.PropertyGroup):
    """The closures of a take (listed in the panel)."""

    closures: CollectionProperty(
        type=LIPSYNC_PG_closure,
        description="The take's lip closures (frame, phone, confidence), as the panel lists them",
    )

    @classmethod
    def register(cls) -> None:
        bpy.types.Action.lipsync_take = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del bpy.types.Action.lipsync_take


def first_frame(action: bpy.types.Action) -> float:
    """Scene frame of the take's first key (frame 0 of its weights)."""
    return float(action.get(_key("frame_start"), 0.0))


def take_fps(action: bpy.types.Action) -> float:
    """Frames per second the take was made at."""
    return float(action.get(_key("fps"), 0.0))


def has_weights(action: bpy.types.Action) -> bool:
    """Whether the take carries its weights (takes made before corrections existed do not)."""
    return _key("weights") in action


def store(
    action: bpy.types.Action,
    weights: np.ndarray,
    channels: tuple[str, ...],
    routes: tuple[Route, ...],
    phones: tuple[Phone, ...],
    corrections: tuple[Correction, ...],
) -> None:
    """Keep the plain values a correction needs on the take."""
    set_weights(action, weights)
    action[_key("channels")] = ",".join(channels)
    action[_key("routes")] = json.dumps([[r.channel, r.shape_key, r.gain] for r in routes])
    action[_key("phones")] = json.dumps([[p.start_s, p.end_s, p.label] for p in phones])
    set_corrections(action, corrections)


def store_visemes(action: bpy.types.Action, vset: VisemeSet, min_hold: int, track) -> None:
    """Keep a viseme take's set, minimum hold and track (T,) on it."""
    action[_key("viseme_set_json")] = viseme_set_to_json(vset)
    action[_key("min_hold")] = int(min_hold)
    set_track(action, track)


def set_track(action: bpy.types.Action, track: np.ndarray) -> None:
    _set_bytes(action, "track", np.ascontiguousarray(track, dtype=np.int32).tobytes())


def visemes_of(action: bpy.types.Action) -> tuple[VisemeSet, int, np.ndarray]:
    """A viseme take's set, minimum hold and track (T,) int32 (a writable copy)."""
    vset = viseme_set_from_json(action[_key("viseme_set_json")], action.name)
    track = np.frombuffer(action[_key("track")], dtype=np.int32).copy()
    return vset, int(action[_key("min_hold")]), track


def set_weights(action: bpy.types.Action, weights: np.ndarray) -> None:
    """Store weights (T, K) float32 on the take."""
    weights = np.ascontiguousarray(weights, dtype=np.float32)
    _set_bytes(action, "weights", weights.tobytes())
    action[_key("weights_shape")] = list(weights.shape)


def weights_of(action: bpy.types.Action) -> tuple[np.ndarray, tuple[str, ...]]:
    """The take's weights (T, K) (a writable copy) and channel names."""
    if not has_weights(action):
        raise RigError(
            f"The take '{action.name}' was made by an older version and has no closures to "
            "correct; Generate it again."
        )
    shape = tuple(int(n) for n in action[_key("weights_shape")])
    weights = np.frombuffer(action[_key("weights")], dtype=np.float32).reshape(shape).copy()
    return weights, tuple(action[_key("channels")].split(","))


def mapping_of(action: bpy.types.Action) -> Mapping:
    """The mapping the take was keyed with (routes only)."""
    rows = json.loads(action.get(_key("routes"), "[]"))
    return Mapping(tuple(Route(c, k, float(g)) for c, k, g in rows), ())


def phones_of(action: bpy.types.Action) -> tuple[Phone, ...]:
    """The aligned text's phones (seconds from the take's first frame); () without text."""
    return tuple(Phone(s, e, label) for s, e, label in json.loads(action.get(_key("phones"), "[]")))


def corrections_of(action: bpy.types.Action) -> list[Correction]:
    """The take's correction log."""
    return from_json(action.get(_key("corrections"), ""))


def set_corrections(action: bpy.types.Action, corrections) -> None:
    action[_key("corrections")] = to_json(list(corrections))


def closures_of(action: bpy.types.Action) -> list[Closure]:
    """The listed closures, in frames of the take (frame 0 = its first key)."""
    items = action.lipsync_take.closures
    columns = {}
    for name in ("frame_start", "frame_end", "confidence"):  # numbers in bulk
        columns[name] = np.empty(len(items), np.float32)
        items.foreach_get(name, columns[name])
    start = first_frame(action)
    starts = np.rint(columns["frame_start"] - start).astype(int).tolist()
    stops = np.rint(columns["frame_end"] - start).astype(int).tolist()
    confidences = np.round(columns["confidence"].astype(np.float64), 3).tolist()
    return [
        Closure(a, b, c, item.phone, item.origin)
        for a, b, c, item in zip(starts, stops, confidences, items, strict=True)
    ]


def set_closures(action: bpy.types.Action, closures, old=None) -> None:
    """List closures (frames of the take) on the take, in scene frames. Given the list as it is
    (`old`), only the items that differ are replaced."""
    start = first_frame(action)
    items = action.lipsync_take.closures
    closures = list(closures)
    if old is None:
        items.clear()
        old = []
    same_head = 0
    while same_head < min(len(old), len(closures)) and old[same_head] == closures[same_head]:
        same_head += 1
    same_tail = 0
    limit = min(len(old), len(closures)) - same_head
    while same_tail < limit and old[-1 - same_tail] == closures[-1 - same_tail]:
        same_tail += 1
    for _ in range(len(old) - same_head - same_tail):
        items.remove(same_head)
    for i, closure in enumerate(closures[same_head : len(closures) - same_tail]):
        item = items.add()
        item.frame_start = start + closure.start
        item.frame_end = start + closure.stop
        item.confidence = closure.confidence
        item.phone = closure.phone
        item.origin = closure.origin
        items.move(len(items) - 1, same_head + i)


def marker_label(obj_name: str, closure: Closure) -> str:
    """'[Alice] m 97%': the object, the phone (pbm without text, added for a correction)."""
    what = closure.phone or ("added" if closure.origin == "added" else "pbm")
    tail = f"] {what} {round(100 * closure.confidence)}%"
    return f"[{obj_name[: MARKER_NAME_CHARS - len(tail) - 1]}{tail}"


def remove_markers(scene: bpy.types.Scene, action: bpy.types.Action) -> None:
    """Remove the timeline markers drawn for this take (those still as drawn)."""
    drawn = {(name, int(frame)) for name, frame in json.loads(action.get(_key("markers"), "[]"))}
    markers = scene.timeline_markers
    for marker in [m for m in markers if (m.name, m.frame) in drawn]:
        markers.remove(marker)
    action[_key("markers")] = "[]"


def draw_markers(
    scene: bpy.types.Scene, obj_name: str, action: bpy.types.Action, closures=None
) -> None:
    """One timeline marker at the start of each listed closure (`closures`: the list, when the
    caller has it); of the markers drawn before, those that no longer fit are removed, those
    that still do are kept."""
    start = first_frame(action)
    closures = closures_of(action) if closures is None else closures
    wanted = [(marker_label(obj_name, c), int(round(start + c.start))) for c in closures]
    drawn = [(name, int(frame)) for name, frame in json.loads(action.get(_key("markers"), "[]"))]
    stale = set(drawn) - set(wanted)
    markers = scene.timeline_markers
    if stale:
        for marker in [m for m in markers if (m.name, m.frame) in stale]:
            markers.remove(marker)
    for name, frame in set(wanted) - set(drawn):
        markers.new(name, frame=frame)
    action[_key("markers")] = json.dumps(wanted)


CLASSES = (LIPSYNC_PG_closure, LIPSYNC_PG_take)
