"""Speech audio for a take: a sound strip (or a file) -> native-rate samples and the scene frame
where they start. Resampling to 16 kHz mono happens in the core (`core.api.predict`).

Reading uses Blender's `aud` (any format Blender plays). A Blender built without Audaspace (the
bpy 4.2 wheel) has no `aud`; there PCM WAV files are decoded with the standard `wave` module.
The strip's volume, pan and fades are ignored: the models want the speech, not the mix.
"""

import os
import tempfile
import wave
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
    if not os.path.isfile(path):
        raise AudioError(f"{label}: the file {path} is missing.")
    if aud is not None:
        return _read_with_aud(path, label)
    return _read_wave(path, label)


def _read_with_aud(path: str, label: str) -> tuple[np.ndarray, int]:
    try:
        sound = aud.Sound(path)
        rate = int(sound.specs[0])
        samples = np.asarray(sound.data(), dtype=np.float32)  # (N, C)
    except Exception as error:  # aud raises plain Exception/AUDError subclasses
        raise AudioError(f"{label}: Blender cannot decode this audio ({error}).") from None
    if samples.size == 0:
        raise AudioError(f"{label}: the sound holds no samples.")
    return samples, rate


_WAVE_DTYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def _read_wave(path: str, label: str) -> tuple[np.ndarray, int]:
    """PCM WAV with the standard library, for Blender builds without Audaspace."""
    try:
        with wave.open(path, "rb") as source:
            channels, width, rate = (
                source.getnchannels(),
                source.getsampwidth(),
                source.getframerate(),
            )
            raw = source.readframes(source.getnframes())
    except (wave.Error, EOFError) as error:
        raise AudioError(
            f"{label}: this Blender has no audio decoder (built without Audaspace) and the file "
            f"is not a PCM WAV ({error}); convert it to WAV."
        ) from None
    if width == 3:  # 24-bit: widen to int32 by a zero low byte
        bytes_24 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        padded = np.zeros((len(bytes_24), 4), dtype=np.uint8)
        padded[:, 1:] = bytes_24
        ints = padded.view("<i4").ravel()
        samples = ints.astype(np.float32) / 2.0**31
    elif width in _WAVE_DTYPES:
        ints = np.frombuffer(raw, dtype=np.dtype(_WAVE_DTYPES[width]).newbyteorder("<"))
        if width == 1:
            samples = (ints.astype(np.float32) - 128.0) / 128.0
        else:
            samples = ints.astype(np.float32) / float(np.iinfo(ints.dtype).max + 1)
    else:
        raise AudioError(f"{label}: {8 * width}-bit WAV samples are not supported.")
    if samples.size == 0:
        raise AudioError(f"{label}: the sound holds no samples.")
    return samples.reshape(-1, channels), rate
