"""The bad-input matrix of issue #10, shared by the core tests and the real-Blender tests.

Pure numpy + the standard library (the Blender venvs have no soundfile): WAV files are written
by hand, so every bit depth and a float WAV can be made. Each case id ends in its decision:
`-works` (valid but odd: must give sane curves) or `-error` (one clear sentence, nothing changed).
"""

import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

SPEECH_RATE = 22050


def speech_like(duration_s: float, rate: int = SPEECH_RATE, seed: int = 1) -> np.ndarray:
    """Voiced, syllable-modulated noise (N,), zero mean, peak below 0.5: it drives a model."""
    t = np.arange(int(round(duration_s * rate))) / rate
    rng = np.random.default_rng(seed)
    voice = np.sin(2 * np.pi * 140 * t) + 0.3 * rng.standard_normal(len(t))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    mono = 0.3 * voice * envelope
    return mono - mono.mean()


def write_wav(path: Path, samples: np.ndarray, rate: int, kind: str = "i16") -> Path:
    """Write samples (N,) or (N, C) in [-1, 1] as a WAV: kind u8 / i16 / i24 / i32 / f32."""
    samples = np.asarray(samples, dtype=np.float64)
    samples = samples[:, None] if samples.ndim == 1 else samples
    channels = samples.shape[1]
    if kind == "f32":
        data, tag, width = samples.astype("<f4").tobytes(), 3, 4
    elif kind == "u8":
        ints = np.clip(np.round(samples * 128 + 128), 0, 255).astype(np.uint8)
        data, tag, width = ints.tobytes(), 1, 1
    else:
        bits = {"i16": 16, "i24": 24, "i32": 32}[kind]
        full = 2.0 ** (bits - 1)
        ints = np.clip(np.round(samples * full), -full, full - 1).astype("<i4")
        width = bits // 8
        data = ints.view(np.uint8).reshape(-1, 4)[:, :width].tobytes()
        tag = 1
    fmt = struct.pack(
        "<HHIIHH", tag, channels, rate, rate * channels * width, channels * width, 8 * width
    )
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data + (b"\0" if len(data) % 2 else b"")
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def _float_wav_with(value: float) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        samples = speech_like(1.0)
        samples[len(samples) // 2] = value
        return write_wav(path, samples, SPEECH_RATE, "f32")

    return build


def _speech(rate: int = SPEECH_RATE, channels: int = 1, kind: str = "i16", seconds=1.0):
    def build(path: Path) -> Path:
        mono = speech_like(seconds, rate)
        samples = np.stack([mono * (1 - 0.1 * c) for c in range(channels)], axis=1)
        return write_wav(path, samples, rate, kind)

    return build


def _truncated(keep_bytes: int | None) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        whole = _speech()(path).read_bytes()
        path.write_bytes(whole[: keep_bytes if keep_bytes else len(whole) // 2])
        return path

    return build


def _corrupt_format(path: Path) -> Path:
    """A RIFF/WAVE file whose fmt chunk is garbage (format tag 0x7777, 0 channels)."""
    _speech()(path)
    data = bytearray(path.read_bytes())
    data[20:24] = struct.pack("<HH", 0x7777, 0)
    path.write_bytes(bytes(data))
    return path


def _clipped(path: Path) -> Path:
    return write_wav(path, np.clip(speech_like(1.0) * 8, -1, 1), SPEECH_RATE, "i16")


def _dc_offset(path: Path) -> Path:
    return write_wav(path, speech_like(1.0) + 0.3, SPEECH_RATE, "f32")


def _text(path: Path) -> Path:
    path.write_text("This is a shopping list, not audio.\n" * 40)
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


# case id -> builder(path) -> path; the id's suffix is the decision.
AUDIO_CASES: dict[str, Callable[[Path], Path] | None] = {
    "missing_file-error": None,
    "directory-error": _directory,
    "empty_0_bytes-error": _empty,
    "truncated_header-error": _truncated(30),
    "truncated_data-works": _truncated(None),  # the samples that are there are valid audio
    "corrupt_format_chunk-error": _corrupt_format,
    "text_named_wav-error": _text,
    "all_zeros-works": lambda p: write_wav(p, np.zeros(SPEECH_RATE), SPEECH_RATE),
    "clip_50ms-works": _speech(seconds=0.05),
    "clip_10ms-error": _speech(seconds=0.01),  # below the 50 ms floor
    "shorter_than_window_300ms-works": _speech(seconds=0.3),
    "rate_8000-works": _speech(8000),
    "rate_11025-works": _speech(11025),
    "rate_22050-works": _speech(22050),
    "rate_44100-works": _speech(44100),
    "rate_48000-works": _speech(48000),
    "rate_96000-works": _speech(96000),
    "stereo-works": _speech(channels=2),
    "six_channels-works": _speech(channels=6),
    "int8_unsigned-works": _speech(kind="u8"),
    "int16-works": _speech(kind="i16"),
    "int24-works": _speech(kind="i24"),
    "float32-works": _speech(kind="f32"),
    "clipping-works": _clipped,
    "dc_offset-works": _dc_offset,
    "nan_sample-error": _float_wav_with(float("nan")),
    "inf_sample-error": _float_wav_with(float("inf")),
}

# Expected words of each error case's sentence (a regex fragment, case-insensitive).
AUDIO_ERRORS = {
    "missing_file-error": "no such file|missing",
    "directory-error": "is a folder, not an audio file",
    "empty_0_bytes-error": "empty|0 bytes",
    "truncated_header-error": "cannot read|cannot decode",
    "corrupt_format_chunk-error": "cannot read|cannot decode",
    "text_named_wav-error": "cannot read|cannot decode",
    "clip_10ms-error": "'?clip_10ms-error'?(.wav)?: the clip is 10 ms long",
    "nan_sample-error": "NaN or infinite",
    "inf_sample-error": "NaN or infinite",
}


def build_audio_cases(folder: Path) -> dict[str, Path]:
    """Every audio case as a path in `folder` (built once per session)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case, build in AUDIO_CASES.items():
        path = folder / f"{case}.wav"
        paths[case] = build(path) if build else path
    return paths


class _RunsCode:
    """Unpickling this would create `marker`: proof that a model file ran code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _rewrite(valid: Path, out: Path, edit: Callable[[dict], None]) -> Path:
    """Copy a model file's arrays, let `edit` change the dict (name -> array), save as out."""
    with np.load(valid, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    edit(arrays)
    with open(out, "wb") as handle:
        np.savez(handle, **arrays)
    return out


def _edit_meta(change: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(arrays: dict) -> None:
        meta = json.loads(str(arrays["__meta__"]))
        change(meta)
        arrays["__meta__"] = np.array(json.dumps(meta))

    return edit


def _wrong_shape(arrays: dict) -> None:
    name = next(n for n in arrays if n.startswith("w/") and n.endswith("weight"))
    arrays[name] = np.zeros(arrays[name].shape[:-1] + (arrays[name].shape[-1] + 1,), np.float32)


def build_model_cases(valid: Path, folder: Path, marker: Path) -> dict[str, Path]:
    """Broken model files made from a valid one; `marker` appears only if one ran code."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {"model_missing-error": folder / "missing.npz"}
    truncated = folder / "truncated.npz"
    truncated.write_bytes(valid.read_bytes()[: valid.stat().st_size // 2])
    cases["model_truncated-error"] = truncated
    cases["model_wrong_shapes-error"] = _rewrite(valid, folder / "shapes.npz", _wrong_shape)
    cases["model_wrong_version-error"] = _rewrite(
        valid, folder / "version.npz", _edit_meta(lambda m: m.update(version=99))
    )
    cases["model_metadata_wrong_type-error"] = _rewrite(
        valid, folder / "meta_type.npz", _edit_meta(lambda m: m.update(version="1"))
    )
    cases["model_missing_metadata-error"] = _rewrite(
        valid, folder / "no_meta.npz", lambda arrays: arrays.pop("__meta__")
    )
    cases["model_metadata_lacks_keys-error"] = _rewrite(
        valid, folder / "meta_keys.npz", _edit_meta(lambda m: m.pop("channel_names"))
    )
    evil = np.empty(1, dtype=object)
    evil[0] = _RunsCode(str(marker))
    cases["model_pickled_metadata-error"] = _rewrite(
        valid, folder / "pickled_meta.npz", lambda arrays: arrays.update(__meta__=evil)
    )

    def pickled_weight(arrays: dict) -> None:
        name = next(n for n in arrays if n.startswith("w/"))
        arrays[name] = evil

    cases["model_pickled_weight-error"] = _rewrite(valid, folder / "pickled_w.npz", pickled_weight)
    text = folder / "text.npz"
    text.write_text("not a model\n")
    cases["model_not_a_zip-error"] = text
    assert zipfile.is_zipfile(cases["model_pickled_metadata-error"])
    return cases


MODEL_ERRORS = {
    "model_missing-error": "no such model file|does not exist",
    "model_truncated-error": "not a valid .*model file|truncated",
    "model_wrong_shapes-error": "expected|do not match",
    "model_wrong_version-error": "version 99 is not supported",
    "model_metadata_wrong_type-error": "wrong type",
    "model_missing_metadata-error": "no model metadata",
    "model_metadata_lacks_keys-error": "lacks channel_names",
    "model_pickled_metadata-error": "not a JSON text",
    "model_pickled_weight-error": "object|expected",
    "model_not_a_zip-error": "not a valid .*model file",
}


def make_read_only(folder: Path) -> Path:
    """A folder root cannot write either: the ext4 immutable flag (`chattr +i`); undo it with
    `make_writable`. (Mode 0o555 would not stop root: os.access and open ignore it for root.)"""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return folder
    result = os.system(f"chattr +i '{folder}'")
    assert result == 0, "chattr +i failed: the test folder's filesystem has no immutable flag"
    assert not os.access(folder, os.W_OK)
    return folder


def make_writable(folder: Path) -> None:
    """Undo make_read_only."""
    if os.geteuid() == 0:
        os.system(f"chattr -i '{folder}'")
    folder.chmod(0o755)
