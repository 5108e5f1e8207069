"""Animation curves to CSV or JSON files, written atomically (no partial file on failure).

CSV: a header row `time` + channel names, then one row per frame (time in seconds).
JSON: {"format", "fps", "frame_count", "channel_names", "time", "weights" (T rows of K),
"metadata"}. Pure Python + numpy, so the Blender add-on's export reuses the same writers.
With a viseme track (2D output, core.mouthshapes) the CSV ends each row with a `viseme` column
(the shape's name) and the JSON adds "visemes" (a name per frame) and "viseme_set" (its name
and shapes in order: a name's index there is the `lipsync_viseme` value).
"""

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from ..animation import Animation
from ..errors import LipSyncError
from .csv_text import csv_rows, write_csv_rows

FORMATS = (".csv", ".json")


@dataclass(frozen=True)
class VisemeColumn:
    """A viseme track to write beside the curves."""

    set_name: str
    shapes: tuple[str, ...]
    track: np.ndarray  # (T,) shape index per frame

    def names(self, rows: slice = slice(None)) -> list[str]:
        """The shape name of each frame (of `rows`)."""
        return [self.shapes[i] for i in np.asarray(self.track)[rows].tolist()]


JSON_FORMAT = "tiny-lipsync-curves"
_DECIMALS = 6
_VISEME_ROWS = 8192  # rows per block when a viseme column is added


def check_output_path(path: str | Path) -> Path:
    """Validate an output path before any work: known suffix, existing writable folder."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise LipSyncError(
            f"{path.name}: unknown output format '{path.suffix}'; use a .csv or .json file name."
        )
    return check_output_folder(path)


def check_output_folder(path: str | Path) -> Path:
    """Validate any output file path (CSV, JSON, FBX, glTF...): its folder exists and is writable.

    Writability is asked of the kernel (os.access), which also says no to root for a read-only
    mount or an immutable (chattr +i) folder, where mode bits alone would not stop root.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LipSyncError(f"{folder}: the output folder does not exist.")
    if path.is_dir():
        raise LipSyncError(f"{path}: is a folder, not a file name.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LipSyncError(f"{folder}: the output folder is not writable.")
    return path


def _create_partial(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside `path`: its descriptor and name.

    Created with mode 0666 less the umask, as `open()` makes any new file (tempfile's
    0600 would make every output private).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue


def write_atomic(path: str | Path, write: Callable[[TextIO], None]) -> None:
    """Write a UTF-8 text file through a temporary file in the same folder, then rename it
    over `path`: readers never see half a file, and a failure leaves no file behind. The file
    gets the permissions of a new file (0644 under the usual umask 022)."""
    path = Path(path)
    try:
        descriptor, temp = _create_partial(path)
    except OSError as error:
        raise LipSyncError(
            f"{path.parent}: cannot create a file here ({error.strerror})."
        ) from None
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            write(handle)
        os.replace(temp, path)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise LipSyncError(f"{path}: writing failed ({error.strerror}).") from None
        raise


def write_csv(path: str | Path, animation: Animation, visemes: VisemeColumn | None = None) -> None:
    """Write `time,<channel names>` (then `viseme` with a track) and one row per frame."""
    table = np.column_stack([animation.times_s(), np.asarray(animation.weights, np.float64)])

    def write(handle: TextIO) -> None:
        extra = ("viseme",) if visemes is not None else ()
        handle.write(",".join(("time", *animation.channel_names, *extra)) + "\n")
        if visemes is None:
            write_csv_rows(handle, table, _DECIMALS)
            return
        for first in range(0, len(table), _VISEME_ROWS):
            rows = slice(first, first + _VISEME_ROWS)
            lines = csv_rows(table[rows], _DECIMALS).splitlines()
            names = visemes.names(rows)
            handle.write("".join(f"{a},{b}\n" for a, b in zip(lines, names, strict=True)))

    write_atomic(path, write)


def write_json(
    path: str | Path,
    animation: Animation,
    metadata: dict | None = None,
    visemes: VisemeColumn | None = None,
) -> None:
    """Write the curves with their fps, channel names, times and metadata (model, audio...),
    and the viseme track when given."""
    document = {
        "format": JSON_FORMAT,
        "fps": animation.fps,
        "frame_count": animation.frame_count,
        "channel_names": list(animation.channel_names),
        "time": np.round(animation.times_s(), _DECIMALS).tolist(),
        "weights": np.round(np.asarray(animation.weights, np.float64), _DECIMALS).tolist(),
        "metadata": metadata or {},
    }
    if visemes is not None:
        document["viseme_set"] = {"name": visemes.set_name, "shapes": list(visemes.shapes)}
        document["visemes"] = visemes.names()
    write_atomic(path, lambda handle: handle.write(json.dumps(document)))


def write_curves(
    path: str | Path,
    animation: Animation,
    metadata: dict | None = None,
    visemes: VisemeColumn | None = None,
) -> None:
    """Write CSV or JSON by the file name's suffix (metadata goes into JSON only)."""
    path = check_output_path(path)
    if path.suffix.lower() == ".csv":
        write_csv(path, animation, visemes)
    else:
        write_json(path, animation, metadata, visemes)
