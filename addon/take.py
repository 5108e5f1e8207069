"""One take from plain values: audio + model + options -> shape-key values at scene frames.

`TakeRequest` is gathered on the main thread (it reads Blender data once); `compute_take`
touches no Blender data, so it can run in the job's worker thread; `apply_take` keys the result
on the main thread.
"""

from dataclasses import dataclass

import bpy
import numpy as np

from ..core.animation import Animation
from ..core.errors import AudioError, RigError
from ..core.export.key_reduction import reduce_keys
from ..core.rig.mapping import Mapping, apply_mapping
from ..core.rig.shaping import apply_close_bias, apply_strength
from . import guide, keying, model_menu, targets
from .audio_source import TakeAudio


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


def compute_take(request: TakeRequest, progress, start: float = 0.0, span: float = 1.0) -> Take:
    """Run the model on the audio and map the result; progress(fraction, text) between stages."""
    from ..core import api  # the numpy runtime, loaded on first use

    if not request.mapping.routes:
        raise RigError(
            "No model channel maps onto a shape key of the target; check the mapping "
            f"{guide.see(guide.MAPPING)}."
        )
    progress(start, "Loading model")
    model = model_menu.load(request.model)
    progress(start + 0.2 * span, f"Running {model.name}")

    def model_progress(fraction: float, text: str) -> None:  # long clips report per block
        progress(start + (0.2 + 0.7 * fraction) * span, text)

    text_message = ""
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
    animation = Animation(fps, channel_names, weights)
    key_names, values = apply_mapping(weights, channel_names, request.mapping)
    frames = (
        request.audio.frame_start
        + np.arange(animation.frame_count, dtype=np.float64)
        + request.offset_ms * request.fps / 1000.0
    )
    kept = _kept_rows(values, request.key_tolerance)
    return Take(request, model.name, animation, frames, key_names, values, text_message, kept)


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
    }


def apply_take(context: bpy.types.Context, obj: bpy.types.Object, take: Take) -> str:
    """Write a computed take onto the object and return the report line."""
    if take.animation.frame_count == 0:
        raise AudioError(f"'{take.request.audio.name}' is too short to give a single frame.")
    identifier = keying.take_id(obj.name, take.request.audio.name, take.model_name)
    name = f"{take.request.audio.name} - {take.model_name}"
    keying.write_take(
        obj,
        identifier,
        name,
        take.frames,
        take.key_names,
        take.values,
        take_metadata(take),
        kept=take.kept,
    )
    targets.remember(context, obj)
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
    return message
