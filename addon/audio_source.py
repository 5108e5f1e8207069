"""Speech audio for a take: a sound strip (or a file) -> native-rate samples and the scene frame
where they start. Resampling to 16 kHz mono happens in the core (`core.api.predict`).

Reading uses Blender's `aud` (any format Blender plays). A Blender built without Audaspace (the
bpy 4.2 wheel) has no `aud`; there PCM and float WAV files are decoded with numpy.
The strip's volume, pan and fades are ignored: the models want the speech, not the mix.
"""

import os
import tempfile
from dataclasses import dataclass

import bpy
import numpy as np

from ..core.errors import AudioError
from . import compat

try:
    import aud
except ImportError:  # Blender built without Audaspace
    aud = None


@dataclass(frozen=True)
class TakeAudio:
    """Samples (N,) or (N, C) at `sample_rate`; samples[0] plays at scene frame `frame_start`."""

    name: str
    samples: np.ndarray
    sample_rate: int
    frame_start: float


def scene_fps(scene: bpy.types.Scene) -> float:
    """The scene's real frame rate: fps / fps_base (e.g. 30000/1001 for 29.97)."""
    return scene.render.fps / scene.render.fps_base


def strip_audio(scene: bpy.types.Scene, strip) -> TakeAudio:
    """The audio a sound strip plays, trims and sound offset applied, at its scene frames."""
    label = f"Sound strip '{strip.name}'"
    if strip.mute:
        raise AudioError(f"{label} is muted; unmute it to lip-sync it.")
    sound = strip.sound
    if sound is None:
        raise AudioError(f"{label} has no sound datablock.")
    content_start, left, right = compat.strip_frames(strip)
    if right <= left:
        raise AudioError(f"{label} is zero frames long.")
    fps = scene_fps(scene)
    offset_s = compat.strip_sound_offset_s(strip)
    start_s = (left - content_start) / fps + offset_s
    end_s = (right - content_start) / fps + offset_s
    samples, rate = read_sound(sound, label)
    first = max(int(round(start_s * rate)), 0)
    last = min(int(round(end_s * rate)), len(samples))
    if last <= first:
        raise AudioError(f"{label}: its visible part lies past the end of the sound file.")
    return TakeAudio(strip.name, samples[first:last], rate, left)


def file_audio(filepath: str, frame_start: float) -> TakeAudio:
    """A whole audio file played from scene frame `frame_start`."""
    path = bpy.path.abspath(filepath)
    name = os.path.splitext(os.path.basename(path))[0]
    samples, rate = read_file(path, f"Audio file '{os.path.basename(path)}'")
    return TakeAudio(name, samples, rate, float(frame_start))


def read_sound(sound: bpy.types.Sound, label: str) -> tuple[np.ndarray, int]:
    """Decode a Sound datablock (from its file, or its packed data) to (samples, rate)."""
    if sound.packed_file is not None:
        suffix = os.path.splitext(sound.filepath)[1] or ".wav"
        handle, temp = tempfile.mkstemp(suffix=suffix, prefix="tiny-lipsync-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(sound.packed_file.data)
            return read_file(temp, label)
        finally:
            os.unlink(temp)
    path = bpy.path.abspath(sound.filepath, library=sound.library)
    return read_file(path, label)


def read_file(path: str, label: str) -> tuple[np.ndarray, int]:
    """Decode an audio file to float32 samples (N, C) and its sample rate."""
    if os.path.isdir(path):
        raise AudioError(f"{label}: {path} is a folder, not an audio file.")
    if not os.path.isfile(path):
        raise AudioError(f"{label}: the file {path} is missing.")
    if os.path.getsize(path) == 0:
        raise AudioError(f"{label}: the file {path} is empty (0 bytes).")
    if aud is not None:
        return _read_with_aud(path, label)
    return _read_wave(path, label)


def _read_with_aud(path: str, label: str) -> tuple[np.ndarray, int]:
    try:
        sound = aud.Sound(path)
        rate = int(sound.specs[0])
        samples = np.asarray(sound.data(), dtype=np.float32)  # (N, C)
    except Exception as error:  # aud raises plain Exception/AUDError subclasses
        reason = " ".join(str(error).split()) or type(error).__name__  # one line
        raise AudioError(f"{label}: Blender cannot decode this audio ({reason}).") from None
    if samples.size == 0:
        raise AudioError(f"{label}: the sound holds no samples.")
    return samples, rate


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


def _read_wave(path: str, label: str) -> tuple[np.ndarray, int]:
    """PCM (8/16/24/32-bit) or float (32/64-bit) WAV read with numpy, for Blender builds
    without Audaspace. A file cut short inside its data keeps the whole frames it holds."""
    with open(path, "rb") as handle:
        data = handle.read()
    fmt, samples_bytes = None, None
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        position = 12
        while position + 8 <= len(data):
            chunk, size = (
                data[position : position + 4],
                int.from_bytes(data[position + 4 : position + 8], "little"),
            )
            body = data[position + 8 : position + 8 + size]
            if chunk == b"fmt " and len(body) >= 16:
                fmt = [int(v) for v in np.frombuffer(body[:16], "<u2, <u2, <u4, <u4, <u2, <u2")[0]]
                if fmt[0] == _EXTENSIBLE and len(body) >= 26:  # the real tag opens the GUID
                    fmt[0] = int.from_bytes(body[24:26], "little")
            elif chunk == b"data":
                samples_bytes = body
                break
            position += 8 + size + (size & 1)
    if fmt is None or samples_bytes is None:
        raise AudioError(
            f"{label}: cannot read this audio file; this Blender has no audio decoder (built "
            "without Audaspace) and the file is not a readable WAV, so convert it to one."
        )
    tag, channels, rate, _, _, bits = fmt
    width = bits // 8
    if channels < 1 or width < 1 or (tag, bits) not in _WAVE_KINDS:
        raise AudioError(
            f"{label}: cannot read this audio file ({bits}-bit WAV samples of format {tag})."
        )
    whole = len(samples_bytes) // (width * channels) * width * channels  # whole frames only
    samples = _decode(samples_bytes[:whole], tag, bits)
    if samples.size == 0:
        raise AudioError(f"{label}: the sound holds no samples.")
    return samples.reshape(-1, channels), rate


_WAVE_KINDS = {(_PCM, 8), (_PCM, 16), (_PCM, 24), (_PCM, 32), (_FLOAT, 32), (_FLOAT, 64)}


def _decode(raw: bytes, tag: int, bits: int) -> np.ndarray:
    """Little-endian WAV sample bytes -> float32 in [-1, 1] full scale."""
    if tag == _FLOAT:
        return np.frombuffer(raw, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
    if bits == 8:  # unsigned, 128 is zero
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if bits == 24:  # widen to int32 by a zero low byte
        bytes_24 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        padded = np.zeros((len(bytes_24), 4), dtype=np.uint8)
        padded[:, 1:] = bytes_24
        return padded.view("<i4").ravel().astype(np.float32) / 2.0**31
    ints = np.frombuffer(raw, dtype="<i2" if bits == 16 else "<i4")
    return ints.astype(np.float32) / float(2 ** (bits - 1))
