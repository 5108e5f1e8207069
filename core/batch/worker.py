"""One batch line on a worker: skipped when up to date, else audio -> curves file; never raises.

The output is written by the same steps as `python -m core.cli predict` (open_audio,
predict_file, the same metadata, `write_curves`: temporary file + rename), so the two give
equal bytes (tests/test_batch.py checks it).
"""

import time
from dataclasses import dataclass
from pathlib import Path

from ..api import MODEL_CACHE, Model, open_audio
from ..errors import LipSyncError
from ..export.lipsync_file import write_lipsync
from ..mouthshapes.shape_sets import viseme_set
from ..runtime.catalog import ModelCache, resolve_model
from .manifest import BatchLine

STATUSES = ("ok", "skipped", "failed")


@dataclass(frozen=True)
class LineResult:
    index: int
    audio: str
    output: str
    status: str  # one of STATUSES
    seconds: float  # wall time of the line on its worker
    error: str = ""
    text_alignment: str = ""  # the transcript line's one-line message ('' without text)


def models_loaded() -> int:
    """How many model files this process has read (run on workers with `client.run`)."""
    return MODEL_CACHE.loads


def is_up_to_date(line: BatchLine, model_path: Path) -> bool:
    """True when the output exists and is newer than both its audio and its model file."""
    try:
        output_ns = line.output.stat().st_mtime_ns
        return (
            output_ns > line.audio.stat().st_mtime_ns and output_ns > model_path.stat().st_mtime_ns
        )
    except OSError:
        return False


def lipsync_file(
    audio: Path,
    output: Path,
    model: Model,
    fps: float,
    smoothing: bool,
    text: str = "",
    visemes: str = "",
    min_hold: int = 1,
) -> str:
    """Audio file -> curves file by the very step `core.cli predict` runs; the text's message."""
    vset = viseme_set(visemes) if visemes else None
    opened = open_audio(audio)
    return write_lipsync(opened, audio, output, model, fps, smoothing, text, vset, min_hold)[1]


def run_line(line: BatchLine, cache: ModelCache = MODEL_CACHE) -> LineResult:
    """Process one line; any failure becomes a "failed" result with a one-line message."""
    start = time.perf_counter()

    def result(status: str, error: str = "", text_alignment: str = "") -> LineResult:
        seconds = round(time.perf_counter() - start, 4)
        return LineResult(
            line.index, str(line.audio), str(line.output), status, seconds, error, text_alignment
        )

    try:
        model_path = resolve_model(line.model)  # a shipped name: this worker's own copy
        if is_up_to_date(line, model_path):
            return result("skipped")
        line.output.parent.mkdir(parents=True, exist_ok=True)
        message = lipsync_file(
            line.audio,
            line.output,
            cache.get(model_path),
            line.fps,
            line.smoothing,
            line.text,
            line.visemes,
            line.min_hold,
        )
    except LipSyncError as error:
        return result("failed", str(error))
    except Exception as error:  # one bad file never stops the batch
        return result("failed", f"{type(error).__name__}: {error}".replace("\n", " "))
    return result("ok", text_alignment=message)
