"""Speech audio for a take: a sound strip (or a file) -> its visible samples as blocks, and the
scene frame where they start. Resampling to 16 kHz mono happens in the core (`core.api`).

Reading uses Blender's `aud` (any format Blender plays), ten seconds at a time (the core's
`audio_blocks.BLOCK_S`): an hour-long strip is never decoded whole (`core.audio_blocks` reads
it twice, once to validate it and once to run the model). A Blender built without Audaspace
(the bpy 4.2 wheel) has no `aud`; there PCM and float WAV files are read in blocks with numpy.
The strip's volume, pan and fades are ignored: the models want the speech, not the mix.
"""

import os
import tempfile
from dataclasses import dataclass

import bpy
import numpy as np

from ..core import audio_blocks
from ..core.audio_blocks import AudioBlocks, array_blocks, reader_blocks
from ..core.errors import AudioError
from . import compat

try:
    import aud
except ImportError:  # Blender built without Audaspace
    aud = None


@dataclass(frozen=True)
class TakeAudio:
    """The take's audio, validated, read in blocks; its first sample plays at `frame_start`."""

    name: str
    blocks: AudioBlocks
    frame_start: float

    @property
    def sample_rate(self) -> int:
        return self.blocks.sample_rate


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
    blocks = read_sound(sound, label, start_s, end_s, source=f"'{strip.name}'")
    return TakeAudio(strip.name, blocks, left)


def file_audio(filepath: str, frame_start: float) -> TakeAudio:
    """A whole audio file played from scene frame `frame_start`."""
    path = bpy.path.abspath(filepath)
    name = os.path.splitext(os.path.basename(path))[0]
    blocks = read_file(path, f"Audio file '{os.path.basename(path)}'", source=f"'{name}'")
    return TakeAudio(name, blocks, float(frame_start))


def read_sound(
    sound: bpy.types.Sound,
    label: str,
    start_s: float = 0.0,
    end_s: float | None = None,
    source: str = "",
) -> AudioBlocks:
    """The part [start_s, end_s) of a Sound datablock (its file, or its packed data). `label`
    names it in decoding errors, `source` (default: label) in the core's checks."""
    if sound.packed_file is not None:  # in memory already: decoded whole from a temporary file
        suffix = os.path.splitext(sound.filepath)[1] or ".wav"
        handle, temp = tempfile.mkstemp(suffix=suffix, prefix="tiny-lipsync-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(sound.packed_file.data)
            blocks = read_file(temp, label, start_s, end_s, source)
            samples = np.concatenate(list(blocks.read()))
        finally:
            os.unlink(temp)
        return array_blocks(samples, blocks.sample_rate, source or label)
    path = bpy.path.abspath(sound.filepath, library=sound.library)
    return read_file(path, label, start_s, end_s, source)


def read_file(
    path: str, label: str, start_s: float = 0.0, end_s: float | None = None, source: str = ""
) -> AudioBlocks:
    """The part [start_s, end_s) of an audio file (all of it by default), as AudioBlocks."""
    if os.path.isdir(path):
        raise AudioError(f"{label}: {path} is a folder, not an audio file.")
    if not os.path.isfile(path):
        raise AudioError(f"{label}: the file {path} is missing.")
    if os.path.getsize(path) == 0:
        raise AudioError(f"{label}: the file {path} is empty (0 bytes).")
    if aud is not None:
        return _aud_blocks(path, label, start_s, end_s, source or label)
    return _wave_blocks(path, label, start_s, end_s, source or label)


def _sample_range(
    rate: int, total: int, start_s: float, end_s: float | None, label: str
) -> tuple[int, int]:
    """First and last-plus-one sample of [start_s, end_s) within a sound of `total` samples."""
    if total <= 0:
        raise AudioError(f"{label}: the sound holds no samples.")
    first = max(int(round(start_s * rate)), 0)
    last = total if end_s is None else min(int(round(end_s * rate)), total)
    if last <= first:
        raise AudioError(f"{label}: its visible part lies past the end of the sound file.")
    return first, last


def _aud_failure(label: str, error: Exception) -> AudioError:
    reason = " ".join(str(error).split()) or type(error).__name__  # one line
    return AudioError(f"{label}: Blender cannot decode this audio ({reason}).")


def _aud_blocks(
    path: str, label: str, start_s: float, end_s: float | None, source: str
) -> AudioBlocks:
    try:  # aud raises plain Exception/AUDError subclasses
        sound = aud.Sound(path)
        rate, total = int(sound.specs[0]), int(sound.length)
        if total < 0:  # length unknown (a stream): decode it whole
            whole = np.asarray(sound.data(), dtype=np.float32)
    except Exception as error:
        raise _aud_failure(label, error) from None
    if total < 0:
        first, last = _sample_range(rate, len(whole), start_s, end_s, label)
        return array_blocks(whole[first:last], rate, source)
    first, last = _sample_range(rate, total, start_s, end_s, label)
    step = max(1, int(audio_blocks.BLOCK_S * rate))  # seconds per block: the core's

    def read():
        for n in range(first, last, step):
            m = min(n + step, last)
            try:  # aud cuts at int(seconds * rate): half a sample in, it cuts at n and m exactly
                part = sound.limit((n + 0.5) / rate, (m + 0.5) / rate).data()
            except Exception as error:
                raise _aud_failure(label, error) from None
            yield np.asarray(part, dtype=np.float32)  # (m - n, C)

    return reader_blocks(read, rate, source)


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_FMT = "<u2, <u2, <u4, <u4, <u2, <u2"  # tag, channels, rate, byte rate, block align, bits


def _wave_layout(path: str, label: str) -> tuple[list[int], int, int]:
    """The fmt fields and the data chunk's offset and length in bytes, read chunk by chunk
    without reading the samples (a data chunk cut short counts only the bytes there)."""
    fmt, data = None, None
    with open(path, "rb") as handle:
        riff = handle.read(12)
        while riff[:4] == b"RIFF" and riff[8:12] == b"WAVE" and data is None:
            header = handle.read(8)
            if len(header) < 8:
                break
            chunk, size = header[:4], int.from_bytes(header[4:], "little")
            if chunk == b"data":
                data = (handle.tell(), min(size, os.path.getsize(path) - handle.tell()))
            elif chunk == b"fmt ":
                body = handle.read(size)
                if len(body) >= 16:
                    fmt = [int(v) for v in np.frombuffer(body[:16], _FMT)[0]]
                    if fmt[0] == _EXTENSIBLE and len(body) >= 26:  # the real tag opens the GUID
                        fmt[0] = int.from_bytes(body[24:26], "little")
                handle.seek(size & 1, os.SEEK_CUR)
            else:
                handle.seek(size + (size & 1), os.SEEK_CUR)
    if fmt is None or data is None:
        raise AudioError(
            f"{label}: cannot read this audio file; this Blender has no audio decoder (built "
            "without Audaspace) and the file is not a readable WAV, so convert it to one."
        )
    return fmt, data[0], data[1]


def _wave_blocks(
    path: str, label: str, start_s: float, end_s: float | None, source: str
) -> AudioBlocks:
    """PCM (8/16/24/32-bit) or float (32/64-bit) WAV read in blocks with numpy, for Blender
    builds without Audaspace. A file cut short inside its data keeps the whole frames it holds."""
    fmt, offset, size = _wave_layout(path, label)
    tag, channels, rate, _, _, bits = fmt
    width = bits // 8
    if channels < 1 or width < 1 or (tag, bits) not in _WAVE_KINDS:
        raise AudioError(
            f"{label}: cannot read this audio file ({bits}-bit WAV samples of format {tag})."
        )
    frame_bytes = width * channels
    first, last = _sample_range(rate, size // frame_bytes, start_s, end_s, label)
    step = max(1, int(audio_blocks.BLOCK_S * rate))  # seconds per block: the core's

    def read():
        with open(path, "rb") as handle:
            for n in range(first, last, step):
                m = min(n + step, last)
                handle.seek(offset + n * frame_bytes)
                raw = handle.read((m - n) * frame_bytes)
                yield _decode(raw, tag, bits).reshape(-1, channels)

    return reader_blocks(read, rate, source)


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
