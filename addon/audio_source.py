"""Speech audio for a take: a sound strip (or a file) -> its visible samples as blocks, and the
scene frame where they start. Resampling to 16 kHz mono happens in the core (`core.api`).

Reading uses Blender's `aud` (any format Blender plays). A part up to WHOLE_S long is decoded
once and kept; a longer one ten seconds at a time (the core's `audio_blocks.BLOCK_S`): an
hour-long strip is never decoded whole (`core.audio.blocks` reads it twice, once to validate it
and once to run the model). `strip_source` reads a strip's plain values on the main thread and
checks its file; its `open` decodes in any thread (Generate All's worker). A Blender built
without Audaspace
(the bpy 4.2 wheel) has no `aud`; there PCM and float WAV files are read in blocks with numpy
(`core.audio.wav`).
The strip's volume, pan and fades are ignored: the models want the speech, not the mix.
"""

import os
import tempfile
from dataclasses import dataclass

import bpy
import numpy as np

from ..core.audio import blocks as audio_blocks
from ..core.audio.blocks import AudioBlocks, array_blocks, reader_blocks
from ..core.audio.wav import KINDS as WAV_KINDS
from ..core.audio.wav import sample_range, wav_blocks, wav_layout
from ..core.errors import AudioError
from . import compat

try:
    import aud
except ImportError:  # Blender built without Audaspace
    aud = None

WHOLE_S = 120.0  # a part this short is decoded once into memory (46 MB at 48 kHz stereo)


@dataclass(frozen=True)
class TakeAudio:
    """The take's audio, validated, read in blocks; its first sample plays at `frame_start`."""

    name: str
    blocks: AudioBlocks
    frame_start: float
    identity: str = ""  # the file (path, size, time) and the part of it played, for skipping

    @property
    def sample_rate(self) -> int:
        return self.blocks.sample_rate


def scene_fps(scene: bpy.types.Scene) -> float:
    """The scene's real frame rate: fps / fps_base (e.g. 30000/1001 for 29.97)."""
    return scene.render.fps / scene.render.fps_base


@dataclass(frozen=True)
class StripSource:
    """What a sound strip plays, as plain values read on the main thread; `open` decodes it in
    any thread (a packed sound is decoded on the main thread already)."""

    name: str
    label: str
    path: str  # '' for a packed sound
    start_s: float
    end_s: float
    frame_start: float
    identity: str
    packed: AudioBlocks | None = None

    def open(self) -> TakeAudio:
        """The strip's audio, decoded and validated (AudioError says what is wrong)."""
        blocks = self.packed or read_file(
            self.path, self.label, self.start_s, self.end_s, source=f"'{self.name}'"
        )
        return TakeAudio(self.name, blocks, self.frame_start, self.identity)


def strip_audio(scene: bpy.types.Scene, strip) -> TakeAudio:
    """The audio a sound strip plays, trims and sound offset applied, at its scene frames."""
    return strip_source(scene, strip).open()


def strip_source(scene: bpy.types.Scene, strip) -> StripSource:
    """A strip's source, checked without decoding it (muted, empty, missing file...)."""
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
    identity = f"{sound_identity(sound)}|{start_s:.6f}|{end_s:.6f}|{left}"
    if sound.packed_file is not None:
        packed = read_sound(sound, label, start_s, end_s, source=f"'{strip.name}'")
        return StripSource(strip.name, label, "", start_s, end_s, left, identity, packed)
    path = bpy.path.abspath(sound.filepath, library=sound.library)
    check_file(path, label)
    return StripSource(strip.name, label, path, start_s, end_s, left, identity)


def file_audio(filepath: str, frame_start: float) -> TakeAudio:
    """A whole audio file played from scene frame `frame_start`."""
    path = bpy.path.abspath(filepath)
    name = os.path.splitext(os.path.basename(path))[0]
    blocks = read_file(path, f"Audio file '{os.path.basename(path)}'", source=f"'{name}'")
    return TakeAudio(name, blocks, float(frame_start), f"{file_identity(path)}|{frame_start}")


def file_identity(path: str) -> str:
    """A file's path, size and modification time in one string."""
    stat = os.stat(path)
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"


def sound_identity(sound: bpy.types.Sound) -> str:
    """The identity of a Sound's audio: its packed data's size, else its file's identity."""
    if sound.packed_file is not None:
        return f"packed {sound.name}|{sound.packed_file.size}"
    path = bpy.path.abspath(sound.filepath, library=sound.library)
    return file_identity(path) if os.path.isfile(path) else path


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
    check_file(path, label)
    if aud is not None and not _plain_wav(path, label):
        return _aud_blocks(path, label, start_s, end_s, source or label)
    return wav_blocks(path, label, start_s, end_s, source or label)


def _plain_wav(path: str, label: str) -> bool:
    """A PCM or float WAV file, which numpy reads directly (aud opens a file through FFmpeg,
    which costs more than reading a short WAV line); anything else goes to aud."""
    if not path.lower().endswith((".wav", ".wave")):
        return False
    try:
        fmt, _, _ = wav_layout(path, label)
    except AudioError:
        return False
    return fmt[1] >= 1 and (fmt[0], fmt[5]) in WAV_KINDS


def check_file(path: str, label: str) -> None:
    """AudioError unless `path` is an existing, non-empty file."""
    if os.path.isdir(path):
        raise AudioError(f"{label}: {path} is a folder, not an audio file.")
    if not os.path.isfile(path):
        raise AudioError(f"{label}: the file {path} is missing.")
    if os.path.getsize(path) == 0:
        raise AudioError(f"{label}: the file {path} is empty (0 bytes).")


def _aud_failure(label: str, error: Exception) -> AudioError:
    reason = " ".join(str(error).split()) or type(error).__name__  # one line
    return AudioError(f"{label}: Blender cannot decode this audio ({reason}).")


def _aud_blocks(
    path: str, label: str, start_s: float, end_s: float | None, source: str
) -> AudioBlocks:
    try:  # aud raises plain Exception/AUDError subclasses
        sound = aud.Sound(path)
        rate = int(sound.specs[0])
        if end_s is not None and end_s - start_s <= WHOLE_S:  # short: decoded once, kept
            first = max(int(round(start_s * rate)), 0)
            part = sound.limit((first + 0.5) / rate, (round(end_s * rate) + 0.5) / rate).data()
            part = np.asarray(part, dtype=np.float32)  # stops where the file does
        else:
            total = int(sound.length)
            if total < 0:  # length unknown (a stream): decode it whole
                whole = np.asarray(sound.data(), dtype=np.float32)
    except Exception as error:
        raise _aud_failure(label, error) from None
    if end_s is not None and end_s - start_s <= WHOLE_S:
        sample_range(rate, first + len(part), start_s, end_s, label)  # past the end: says so
        return array_blocks(part, rate, source)
    if total < 0:
        first, last = sample_range(rate, len(whole), start_s, end_s, label)
        return array_blocks(whole[first:last], rate, source)
    first, last = sample_range(rate, total, start_s, end_s, label)
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
