"""Model files (.npz, no pickles): write, and read with every check done before allocating.

Layout: `__meta__` is a 0-d unicode array holding JSON (format, version, kind, name, config,
channel_names, sample_rate, frame_rate, past_ms, future_ms, dtype, parameters, card); each
weight is stored as `w/<torch state_dict name>` in float32 or float16.
"""

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.prepare import SAMPLE_RATE
from ..errors import ModelFileError
from ..rig.arkit import ARKIT_52
from . import student, whisper_teacher
from .configs import (
    FRAME_RATE,
    AnyConfig,
    StudentConfig,
    config_from_dict,
)
from .configs import config_to_dict as config_to_dict

FORMAT = "tiny-lipsync-model"
VERSION = 1
MAX_META_BYTES = 1 << 20
MAX_WEIGHT_BYTES = 1 << 30  # a model file declaring more weights than this is refused unread
# The metadata schema: every key and the JSON types its value may have.
META_SCHEMA: dict[str, tuple[type, ...]] = {
    "format": (str,),
    "version": (int,),
    "kind": (str,),
    "name": (str,),
    "config": (dict,),
    "channel_names": (list,),
    "sample_rate": (int,),
    "frame_rate": (int, float),
    "past_ms": (int, float, str),
    "future_ms": (int, float, str),
    "dtype": (str,),
    "parameters": (int,),
    "card": (str,),
}


@dataclass(frozen=True)
class ModelFile:
    name: str
    config: AnyConfig
    weights: dict[str, np.ndarray]  # float32, torch state_dict names
    card: str
    file_size: int  # bytes on disk
    dtype: str  # storage precision, "float32" or "float16"

    @property
    def parameters(self) -> int:
        return sum(int(w.size) for w in self.weights.values())


def expected_shapes(config: AnyConfig) -> dict[str, tuple[int, ...]]:
    """The weight names and shapes a config needs."""
    if isinstance(config, StudentConfig):
        return student.expected_shapes(config)
    return whisper_teacher.expected_shapes(config)


def write_model_file(
    path: Path,
    name: str,
    config: AnyConfig,
    weights: dict[str, np.ndarray],
    card: str,
    dtype: str = "float32",
) -> None:
    """Write a model file atomically; weights must match the config's expected shapes."""
    shapes = expected_shapes(config)
    if {k: tuple(v.shape) for k, v in weights.items()} != shapes:
        raise ModelFileError(f"{name}: weights do not match the config's layer shapes.")
    if dtype not in ("float32", "float16"):
        raise ModelFileError(f"{name}: dtype must be float32 or float16, not {dtype}.")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "kind": _kind(config),
        "name": name,
        "config": config_to_dict(config),
        "channel_names": list(config.channels),
        "sample_rate": SAMPLE_RATE,
        "frame_rate": FRAME_RATE,
        "past_ms": _ms(config.past_ms),
        "future_ms": _ms(config.future_ms),
        "dtype": dtype,
        "parameters": sum(math.prod(s) for s in shapes.values()),
        "card": card,
    }
    arrays = {f"w/{k}": np.ascontiguousarray(v, dtype=dtype) for k, v in weights.items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, __meta__=np.array(json.dumps(meta)), **arrays)
    partial.replace(path)


def _kind(config: AnyConfig) -> str:
    return "student" if isinstance(config, StudentConfig) else "teacher"


def _ms(value: float) -> float | str:
    return "inf" if value == float("inf") else float(value)


def _header(archive: zipfile.ZipFile, member: str) -> tuple[tuple[int, ...], np.dtype, int]:
    """Shape, dtype and header length of one .npy member, read without loading its data."""
    with archive.open(member) as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
        if fortran:
            raise ValueError("Fortran-ordered array")
        return shape, dtype, handle.tell()


def read_model_file(path: str | Path) -> ModelFile:
    """Load and validate a model file; raise ModelFileError with a sentence on any problem."""
    path = Path(path)
    where = path.name
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file.")
    try:
        with zipfile.ZipFile(path) as archive:
            return _read(archive, where, path.stat().st_size)
    except ModelFileError:
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        EOFError,
        AttributeError,
        ArithmeticError,
        RecursionError,
    ) as error:
        raise ModelFileError(
            f"{where}: not a valid Tiny Lip Sync model file ({type(error).__name__}: {error}); "
            "it may be truncated or corrupt, re-export or re-download it."
        ) from None


def check_meta(meta: object, where: str) -> None:
    """ModelFileError unless `meta` is an object with every schema key of an allowed type."""
    if not isinstance(meta, dict):
        raise ModelFileError(f"{where}: the model metadata is not a JSON object.")
    missing = [key for key in META_SCHEMA if key not in meta]
    if missing:
        raise ModelFileError(f"{where}: the model metadata lacks {', '.join(missing)}.")
    for key, types in META_SCHEMA.items():
        value = meta[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ModelFileError(f"{where}: the model metadata's {key!r} has the wrong type.")
    if not all(isinstance(name, str) for name in meta["channel_names"]):
        raise ModelFileError(f"{where}: the model metadata's channel names are not all text.")


def _read(archive: zipfile.ZipFile, where: str, file_size: int) -> ModelFile:
    infos = {info.filename: info for info in archive.infolist()}
    if "__meta__.npy" not in infos:
        raise ModelFileError(f"{where}: has no model metadata; it is not a Tiny Lip Sync model.")
    shape, dtype, _ = _header(archive, "__meta__.npy")
    if dtype.kind != "U" or shape != () or infos["__meta__.npy"].file_size > MAX_META_BYTES:
        raise ModelFileError(f"{where}: the model metadata is not a JSON text.")
    with archive.open("__meta__.npy") as handle:
        meta = json.loads(str(np.lib.format.read_array(handle, allow_pickle=False)))
    check_meta(meta, where)
    if meta["format"] != FORMAT:
        raise ModelFileError(f"{where}: format {meta['format']!r} is not {FORMAT!r}.")
    if meta["version"] != VERSION:
        raise ModelFileError(
            f"{where}: model file version {meta['version']} is not supported (this add-on "
            f"reads version {VERSION}); update the add-on or re-export the model."
        )
    config = config_from_dict(meta["config"])
    if meta["kind"] != _kind(config):
        raise ModelFileError(f"{where}: metadata kind {meta['kind']!r} contradicts its config.")
    if tuple(meta["channel_names"]) != config.channels or not set(config.channels) <= set(ARKIT_52):
        raise ModelFileError(f"{where}: the channel names are not ARKit blendshape names.")
    if meta["sample_rate"] != SAMPLE_RATE or meta["frame_rate"] != FRAME_RATE:
        raise ModelFileError(
            f"{where}: made for {meta['sample_rate']} Hz / {meta['frame_rate']} fps; "
            f"this runtime needs {SAMPLE_RATE} Hz / {FRAME_RATE:g} fps."
        )
    if meta["dtype"] not in ("float32", "float16"):
        raise ModelFileError(f"{where}: unsupported weight precision {meta['dtype']!r}.")
    shapes = expected_shapes(config)
    stored = {n[2:-4]: n for n in infos if n.startswith("w/") and n.endswith(".npy")}
    if set(stored) != set(shapes) or len(infos) != len(shapes) + 1:
        odd = sorted(
            (set(stored) ^ set(shapes)) | {n for n in infos if n[:2] != "w/"} - {"__meta__.npy"}
        )
        raise ModelFileError(f"{where}: the weights do not match its config ({odd[:3]}).")
    declared_bytes = sum(infos[member].file_size for member in stored.values())
    if declared_bytes > MAX_WEIGHT_BYTES:
        raise ModelFileError(
            f"{where}: declares {declared_bytes / 2**20:.0f} MB of weights, more than any "
            f"Tiny Lip Sync model ({MAX_WEIGHT_BYTES / 2**20:.0f} MB at most); refusing to load it."
        )
    for name, member in stored.items():
        shape, dtype, header_bytes = _header(archive, member)
        if dtype != np.dtype(meta["dtype"]) or tuple(shape) != shapes[name]:
            raise ModelFileError(
                f"{where}: weight {name} is {dtype} {tuple(shape)}, expected "
                f"{meta['dtype']} {shapes[name]}."
            )
        if infos[member].file_size != header_bytes + math.prod(shape) * dtype.itemsize:
            raise ModelFileError(f"{where}: weight {name} is truncated.")
    weights = {}
    for name, member in stored.items():
        with archive.open(member) as handle:
            array = np.lib.format.read_array(handle, allow_pickle=False).astype(np.float32)
        if not np.all(np.isfinite(array)):
            raise ModelFileError(f"{where}: weight {name} holds NaN or infinite values.")
        weights[name] = array
    return ModelFile(
        str(meta["name"]), config, weights, str(meta["card"]), file_size, meta["dtype"]
    )
