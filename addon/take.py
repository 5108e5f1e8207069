"""One take from plain values: audio + model + options -> shape-key values at scene frames.

`TakeRequest` is gathered on the main thread (it reads Blender data once); `compute_take`
touches no Blender data, so it can run in the job's worker thread; `apply_take` keys the result
on the main thread.
"""

from dataclasses import dataclass

import bpy
import numpy as np

from ..core.animation import Animation
from ..core.corrections.closure_list import Closure, find_closures
from ..core.corrections.edit_log import Correction, added_spans, replay
from ..core.errors import AudioError, RigError
from ..core.export.key_reduction import reduce_keys
from ..core.mouthshapes.shape_sets import VisemeSet
from ..core.mouthshapes.track import viseme_track
from ..core.phones.phone_set import SILENCE, Phone
from ..core.rig.mapping import Mapping, apply_mapping
from ..core.rig.shaping import apply_close_bias, apply_strength
from . import guide, keying, model_menu, take_store, targets, viseme_keying
from .audio_source import TakeAudio

SHAPE_KEYS, VISEMES = "SHAPE_KEYS", "VISEMES"  # output modes: continuous, or 2D / stepped


@dataclass(frozen=True)
class TakeRequest:
    """Everything a take needs, as plain values."""

    audio: TakeAudio
    model: str  # shipped name or .npz path
    fps: float  # scene frames per second (fps / fps_base)
    smoothing: bool
    strength: float
    close_bias: float
    offset_ms: float  # > 0 moves the mouth later, < 0 lets it lead the sound
    mapping: Mapping
    key_tolerance: float = 0.0  # > 0: key fewer frames (core.export.key_reduction); 0: every frame
    text: str = ""  # dialogue text: transcript mode ('' : the model alone)
    output: str = SHAPE_KEYS  # VISEMES: `lipsync_viseme` on the object (viseme_keying)
    visemes: VisemeSet | None = None  # viseme mode's set
    min_hold: int = 1  # viseme mode: no shape is held for fewer frames
    corrections: tuple[Correction, ...] = ()  # the take's earlier corrections, replayed
    settings_key: str = ""  # core.wholescene.settings_key of everything the take is made from


@dataclass(frozen=True)
class Take:
    """A computed take: shaped ARKit weights and the shape-key values to key."""

    request: TakeRequest
    model_name: str
    animation: Animation  # shaped channel weights (strength, close bias applied)
    frames: np.ndarray  # (T,) scene frames of the keys
    key_names: tuple[str, ...]
    values: np.ndarray  # (T, M) shape-key values
    text_message: str = ""  # how the dialogue text was used, one line ('' without text)
    kept: tuple[np.ndarray, ...] | None = None  # rows to key per shape key; None: every frame
    closures: tuple[Closure, ...] = ()  # the take's lip closures (core.corrections)
    phones: tuple[Phone, ...] = ()  # the aligned text's trusted phones (transcript mode)
    track: np.ndarray | None = None  # (T,) viseme mode: shape index per frame
    corrections: tuple[Correction, ...] = ()  # corrections replayed onto this take
    dropped: tuple[tuple[Correction, str], ...] = ()  # and those that no longer fit, why


def compute_take(request: TakeRequest, progress, start: float = 0.0, span: float = 1.0) -> Take:
    """Run the model on the audio and map the result; progress(fraction, text) between stages."""
    from ..core import api  # the numpy runtime, loaded on first use

    if request.output == SHAPE_KEYS and not request.mapping.routes:
        raise RigError(
            "No model channel maps onto a shape key of the target; check the mapping "
            f"{guide.see(guide.MAPPING)}."
        )
    progress(start, "Loading model")
    model = model_menu.load(request.model)
    progress(start + 0.2 * span, f"Running {model.name}")

    def model_progress(fraction: float, text: str) -> None:  # long clips report per block
        progress(start + (0.2 + 0.7 * fraction) * span, text)

    text_message, phones = "", ()
    if request.text.strip():  # transcript mode: the teacher aligns the text
        progress(start + 0.2 * span, "Loading the teacher for the text")
        take = api.predict_file_with_text(
            model,
            request.audio.blocks,
            request.fps,
            request.text,
            smoothing=request.smoothing,
            progress=model_progress,
            aligner=model_menu.load("teacher"),
        )
        raw, text_message = take.animation, take.message
        phones = aligned_phones(take.alignment)
        del take
    else:
        raw = api.predict_file(
            model,
            request.audio.blocks,
            request.fps,
            smoothing=request.smoothing,
            progress=model_progress,
        )
    progress(start + 0.9 * span, "Mapping channels")
    fps, channel_names = raw.fps, raw.channel_names
    weights = apply_strength(raw.weights, request.strength)
    del raw  # the model output: an hour is 12 MB per copy, free each before the next
    weights = apply_close_bias(weights, channel_names, request.close_bias)
    kept_corrections, dropped = (), ()
    if request.corrections:  # Generate again, keeping the corrections: replayed, no model run
        weights, kept_corrections, dropped = replay(
            weights, channel_names, fps, request.corrections
        )
    animation = Animation(fps, channel_names, weights)
    added = added_spans(kept_corrections, fps, animation.frame_count)
    closures = find_closures(weights, channel_names, fps, phones, added)
    track, kept = None, None
    if request.output == VISEMES:
        progress(start + 0.95 * span, "Choosing mouth shapes")
        track = viseme_track(weights, channel_names, fps, request.visemes, request.min_hold, phones)
        key_names, values = (), np.zeros((animation.frame_count, 0), np.float32)
    else:
        key_names, values = apply_mapping(weights, channel_names, request.mapping)
        kept = _kept_rows(values, request.key_tolerance)
    frames = (
        request.audio.frame_start
        + np.arange(animation.frame_count, dtype=np.float64)
        + request.offset_ms * request.fps / 1000.0
    )
    return Take(
        request,
        model.name,
        animation,
        frames,
        key_names,
        values,
        text_message,
        kept,
        tuple(closures),
        tuple(phones),
        track,
        tuple(kept_corrections),
        tuple(dropped),
    )


def aligned_phones(alignment) -> tuple[Phone, ...]:
    """The trusted phones of a transcript alignment (silences left out); () for none."""
    if alignment is None:
        return ()
    from ..core.transcript.take import timeline

    return tuple(p for p in timeline(alignment) if p.label != SILENCE)


def _kept_rows(values: np.ndarray, tolerance: float) -> tuple[np.ndarray, ...] | None:
    """Rows of `values` (T, M) to key per shape key at this key tolerance; None: every row."""
    if tolerance <= 0.0:
        return None
    return tuple(reduce_keys(values[:, m], tolerance) for m in range(values.shape[1]))


def take_metadata(take: Take) -> dict:
    """Custom properties stored on the take's Action (what made it, for export and re-runs)."""
    request = take.request
    return {
        "model": take.model_name,
        "audio": request.audio.name,
        "fps": float(request.fps),
        "frame_start": float(take.frames[0]) if len(take.frames) else 0.0,
        "smoothing": bool(request.smoothing),
        "strength": float(request.strength),
        "close_bias": float(request.close_bias),
        "offset_ms": float(request.offset_ms),
        "unmapped": ", ".join(request.mapping.unmapped),
        "key_tolerance": float(request.key_tolerance),
        "text": request.text,
        "text_alignment": take.text_message,
        "output": request.output,
        "settings_key": request.settings_key,
        **({"viseme_set": request.visemes.name} if request.output == VISEMES else {}),
    }


def apply_take(
    context: bpy.types.Context,
    obj: bpy.types.Object,
    take: Take,
    placement: str = keying.ACTIVE,
    markers: bool = True,
) -> str:
    """Write a computed take onto the object (with its closures, and their timeline markers
    when `markers`) and return the report line."""
    if take.animation.frame_count == 0:
        raise AudioError(f"'{take.request.audio.name}' is too short to give a single frame.")
    action = write_take_action(context, obj, take, placement, markers)
    targets.remember(context, obj)
    if take.request.output == VISEMES:
        return viseme_message(obj, take, action)
    unmapped = take.request.mapping.unmapped
    context.window_manager.lipsync_status.unmapped = ", ".join(unmapped)
    message = (
        f"Keyed {take.animation.frame_count} frames x {len(take.key_names)} shape keys "
        f"on '{obj.name}' with {take.model_name}."
    )
    if take.kept is not None:  # opt-in key tolerance: say how many keys it kept
        kept, every = sum(len(rows) for rows in take.kept), take.values.size
        message += (
            f" Key tolerance {take.request.key_tolerance:g} kept {kept} of {every} keys "
            f"({kept / max(every, 1):.0%})."
        )
    if unmapped:
        message += f" Unmapped channels: {', '.join(unmapped)} {guide.see(guide.MAPPING)}."
    if take.text_message:
        message += f" {take.text_message}"
        if "model" in take.text_message:  # some or all of the text fell back to the model
            message += f" {guide.see(guide.DIALOGUE)}"
    return message + corrections_message(take)


def write_take_action(
    context: bpy.types.Context, obj: bpy.types.Object, take: Take, placement: str, markers: bool
) -> bpy.types.Action:
    """The take's Action on the object (shape keys, or `lipsync_viseme`), with what a later
    correction needs stored on it (take_store) and, when `markers`, its closure markers."""
    request = take.request
    visemes = request.output == VISEMES
    identifier = keying.take_id(obj.name, request.audio.name, take.model_name, visemes)
    name = f"{request.audio.name} - {take.model_name}" + (" (visemes)" if visemes else "")
    old = keying.find_take(identifier)
    if old is not None:
        take_store.remove_markers(context.scene, old)
    metadata = take_metadata(take)
    if request.output == VISEMES:
        frame0 = float(take.frames[0])
        action = viseme_keying.write_viseme_take(
            obj, identifier, name, take.track, frame0, request.visemes, metadata, placement
        )
        take_store.store_visemes(action, request.visemes, request.min_hold, take.track)
    else:
        action = keying.write_take(
            obj,
            identifier,
            name,
            take.frames,
            take.key_names,
            take.values,
            metadata,
            kept=take.kept,
            placement=placement,
        )
    animation = take.animation
    take_store.store(
        action,
        animation.weights,
        animation.channel_names,
        request.mapping.routes,
        take.phones,
        take.corrections,
    )
    take_store.set_closures(action, take.closures)
    if markers:
        take_store.draw_markers(context.scene, obj.name, action)
    return action


def viseme_message(obj: bpy.types.Object, take: Take, action: bpy.types.Action) -> str:
    """The report line of a viseme take."""
    request = take.request
    where = "its Action" if obj.animation_data.action == action else "the NLA track 'Lip Sync'"
    message = (
        f"Keyed {take.animation.frame_count} frames of {request.visemes.name} visemes "
        f"(held at least {request.min_hold} frames) as '{viseme_keying.PROPERTY}' on "
        f"'{obj.name}' ({where}) with {take.model_name}."
    )
    if take.text_message:
        message += f" {take.text_message}"
    return message + corrections_message(take)


def corrections_message(take: Take) -> str:
    """' 4 closures; kept 2 corrections; dropped 1 (...)', or the closure count alone."""
    message = f" {len(take.closures)} closures."
    if take.corrections:
        message += f" Kept {len(take.corrections)} corrections."
    for correction, why in take.dropped:
        message += f" Dropped the correction that {correction.describe()}: {why}"
    return message
