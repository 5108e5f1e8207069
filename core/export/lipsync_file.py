"""One audio file -> one curves file: the step `core.cli predict` and every batch line share."""

import math
from dataclasses import asdict
from pathlib import Path

from ..animation import Animation
from ..api import Model, ModelInfo, model_info, predict_file, predict_file_with_text
from ..audio.blocks import AudioBlocks
from ..mouthshapes.shape_sets import VisemeSet
from ..mouthshapes.track import viseme_track
from .curves import VisemeColumn, write_curves


def info_fields(info: ModelInfo) -> dict:
    """A ModelInfo as JSON-safe fields (no card; infinite future context as null)."""
    fields = {k: v for k, v in asdict(info).items() if k != "card"}
    fields["channels"] = list(fields["channels"])
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in fields.items()
    }


def write_lipsync(
    audio: AudioBlocks,
    audio_path: Path,
    output: Path,
    model: Model,
    fps: float,
    smoothing: bool,
    text: str = "",
    visemes: VisemeSet | None = None,
    min_hold: int = 1,
) -> tuple[Animation, str]:
    """Curves of opened audio written to output (CSV or JSON by suffix, atomically), and the
    transcript line's one-line alignment message ('' without text).

    With dialogue text the take is made in transcript mode (core.api.predict_file_with_text):
    the text's aligned phones through the procedural animator, the model where they do not fit.
    With a viseme set the file also holds the viseme track (core.mouthshapes.track: the closed
    shape on every sealed p/b/m, no shape shorter than `min_hold` frames).
    """
    message, phones = "", ()
    if text.strip():
        take = predict_file_with_text(model, audio, fps, text, smoothing=smoothing)
        animation, message = take.animation, take.message
        if take.alignment is not None:
            from ..transcript.take import timeline

            phones = [p for p in timeline(take.alignment) if p.label != "SIL"]
    else:
        animation = predict_file(model, audio, fps, smoothing=smoothing)
    metadata = {
        "audio": Path(audio_path).name,
        "duration_s": round(audio.duration_s, 4),
        "smoothing": smoothing,
        "model": info_fields(model_info(model)),
    }
    if text.strip():
        metadata |= {"text": text, "text_alignment": message}
    column = None
    if visemes is not None:
        track = viseme_track(
            animation.weights, animation.channel_names, fps, visemes, min_hold, phones
        )
        column = VisemeColumn(visemes.name, visemes.shapes, track)
        metadata |= {"visemes": {"set": visemes.name, "min_hold": int(min_hold)}}
    write_curves(output, animation, metadata, column)
    return animation, message
