"""The lines of a batch: from a folder searched for audio, or from a manifest CSV.

Manifest columns: `audio` (required), then `output`, `model`, `fps`, `text` (optional, empty
cells take the command's defaults; `text` is the line's dialogue text, which turns on transcript
mode for that line: core.export.lipsync_file). `audio` and a `model` path are relative to the
manifest's
folder; `output` is relative to the batch's output folder. Everything here is checked on the client
before any work starts, so a bad manifest is a usage error (exit 2), not a failed batch.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from ..animation import parse_fps
from ..errors import LipSyncError
from ..runtime.catalog import is_model_path, resolve_model

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aiff", ".aif")
OUTPUT_SUFFIXES = (".csv", ".json")
MANIFEST_COLUMNS = ("audio", "output", "model", "fps", "text")


@dataclass(frozen=True)
class BatchLine:
    index: int  # 1-based line number in the batch (manifest row or sorted folder order)
    audio: Path  # absolute
    output: Path  # absolute, .csv or .json
    model: str  # a shipped model name, or the absolute path of a .npz
    fps: float
    smoothing: bool = True
    text: str = ""  # dialogue text ('' : the model alone)
    visemes: str = ""  # a viseme set (rhubarb, oculus, a .json path): adds a viseme column
    min_hold: int = 1  # with visemes: no shape held for fewer frames


def model_spec(name_or_path: str, base: Path = Path(".")) -> str:
    """Check a model on the client: a shipped name stays a name (each worker resolves it in its
    own checkout), a .npz path becomes absolute."""
    path = resolve_model(name_or_path, base)
    return str(path) if is_model_path(name_or_path) else name_or_path


def _fps(text: str, where: str) -> float:
    try:
        return parse_fps(text)
    except LipSyncError as error:
        raise LipSyncError(f"{where}: {error}") from None


def lines_from_folder(
    folder: Path, out_dir: Path, model: str, fps: float, suffix: str, smoothing: bool = True
) -> list[BatchLine]:
    """Every audio file under folder (recursive, sorted); outputs mirror the tree in out_dir."""
    folder, out_dir = folder.resolve(), out_dir.resolve()
    audio_paths = sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in AUDIO_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
        and out_dir not in path.parents
    )
    return [
        BatchLine(
            i, path, out_dir / path.relative_to(folder).with_suffix(suffix), model, fps, smoothing
        )
        for i, path in enumerate(audio_paths, start=1)
    ]


def lines_from_manifest(
    manifest: Path,
    out_dir: Path,
    model: str | None,
    fps: float,
    suffix: str,
    smoothing: bool = True,
) -> list[BatchLine]:
    """The rows of a manifest CSV as batch lines (see the module docstring for the columns)."""
    manifest, out_dir = manifest.resolve(), out_dir.resolve()
    base = manifest.parent
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            reader.fieldnames = header
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise LipSyncError(f"{manifest.name}: cannot read the manifest ({error}).") from None
    if not rows:
        raise LipSyncError(f"{manifest.name}: the manifest has no rows.")
    unknown = [name for name in header if name not in MANIFEST_COLUMNS]
    if "audio" not in header or unknown:
        raise LipSyncError(
            f"{manifest.name}: expected the columns {', '.join(MANIFEST_COLUMNS)} (audio "
            f"required), found {', '.join(map(str, header))}."
        )
    models: dict[str, str] = {}
    lines = []
    for index, row in enumerate(rows, start=1):
        where = f"{manifest.name} row {index}"
        audio_text = (row.get("audio") or "").strip()
        if not audio_text:
            raise LipSyncError(f"{where}: the audio cell is empty.")
        audio = (base / audio_text).resolve()
        output_text = (row.get("output") or "").strip()
        output = (out_dir / output_text if output_text else out_dir / audio.name).resolve()
        if not output_text:
            output = output.with_suffix(suffix)
        elif output.suffix.lower() not in OUTPUT_SUFFIXES:
            raise LipSyncError(f"{where}: the output {output_text!r} must end in .csv or .json.")
        model_text = (row.get("model") or "").strip() or model
        if not model_text:
            raise LipSyncError(f"{where}: no model in the row and no --model given.")
        if model_text not in models:
            models[model_text] = model_spec(model_text, base)
        fps_text = (row.get("fps") or "").strip()
        line_fps = _fps(fps_text, where) if fps_text else fps
        text = (row.get("text") or "").strip()
        lines.append(BatchLine(index, audio, output, models[model_text], line_fps, smoothing, text))
    return lines


def check_unique_outputs(lines: list[BatchLine]) -> None:
    """Two lines writing one output file is a usage error (one would silently win)."""
    seen: dict[Path, BatchLine] = {}
    for line in lines:
        if line.output in seen:
            first = seen[line.output]
            raise LipSyncError(
                f"lines {first.index} ({first.audio.name}) and {line.index} ({line.audio.name}) "
                f"both write {line.output}; give them different output names."
            )
        seen[line.output] = line


def read_batch(
    input_path: Path,
    out_dir: Path,
    model: str | None,
    fps: float,
    output_format: str,
    smoothing: bool = True,
) -> list[BatchLine]:
    """Check the arguments and list the batch's lines (folder or manifest .csv); make out_dir."""
    input_path, out_dir = Path(input_path), Path(out_dir)
    suffix = f".{output_format.lower().lstrip('.')}"
    if suffix not in OUTPUT_SUFFIXES:
        raise LipSyncError(f"unknown output format {output_format!r}; use csv or json.")
    if not input_path.exists():
        raise LipSyncError(f"{input_path}: no such folder or manifest.")
    if out_dir.exists() and not out_dir.is_dir():
        raise LipSyncError(f"{out_dir}: is a file; --out must be a folder.")
    if input_path.is_dir():
        if not model:
            raise LipSyncError("a folder batch needs --model (a shipped name or a .npz path).")
        lines = lines_from_folder(input_path, out_dir, model_spec(model), fps, suffix, smoothing)
        if not lines:
            raise LipSyncError(
                f"{input_path}: no audio files ({', '.join(AUDIO_SUFFIXES)}) in this folder."
            )
    elif input_path.suffix.lower() == ".csv":
        lines = lines_from_manifest(input_path, out_dir, model, fps, suffix, smoothing)
    else:
        raise LipSyncError(f"{input_path}: give a folder of audio files or a manifest .csv.")
    check_unique_outputs(lines)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LipSyncError(f"{out_dir}: cannot create the output folder ({error}).") from None
    return lines
