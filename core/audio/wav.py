"""WAV files read in blocks with numpy alone, for a Blender built without an audio decoder.

The bpy 4.2 wheel has no Audaspace (no `aud`) and Blender ships no soundfile, so the add-on
reads PCM (8/16/24/32-bit) and float (32/64-bit) WAV files here, chunk by chunk, never the
whole file at once. A file cut short inside its data keeps the whole frames it holds.
"""

import os
from collections.abc import Iterator

import numpy as np

from ..errors import AudioError
from . import blocks as audio_blocks
from .blocks import AudioBlocks, reader_blocks

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE  # WAVE format tags
KINDS = {(PCM, 8), (PCM, 16), (PCM, 24), (PCM, 32), (FLOAT, 32), (FLOAT, 64)}  # (tag, bits)
_FMT = "<u2, <u2, <u4, <u4, <u2, <u2"  # tag, channels, rate, byte rate, block align, bits


def sample_range(
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


def wav_layout(path: str, label: str) -> tuple[list[int], int, int]:
    """The fmt fields (tag, channels, rate, byte rate, block align, bits) and the data chunk's
    offset and length in bytes, read chunk by chunk without reading the samples."""
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
                    if fmt[0] == EXTENSIBLE and len(body) >= 26:  # the real tag opens the GUID
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


def decode(raw: bytes, tag: int, bits: int) -> np.ndarray:
    """Little-endian WAV sample bytes -> float32 (n,) in [-1, 1] full scale."""
    if tag == FLOAT:
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


def wav_blocks(
    path: str, label: str, start_s: float = 0.0, end_s: float | None = None, source: str = ""
) -> AudioBlocks:
    """The part [start_s, end_s) of a WAV file as AudioBlocks of `audio_blocks.BLOCK_S` seconds.
    `label` names the file in reading errors, `source` (default: label) in the core's checks."""
    fmt, offset, size = wav_layout(path, label)
    tag, channels, rate, _, _, bits = fmt
    width = bits // 8
    if channels < 1 or width < 1 or (tag, bits) not in KINDS:
        raise AudioError(
            f"{label}: cannot read this audio file ({bits}-bit WAV samples of format {tag})."
        )
    frame_bytes = width * channels
    first, last = sample_range(rate, size // frame_bytes, start_s, end_s, label)
    step = max(1, int(audio_blocks.BLOCK_S * rate))

    def read() -> Iterator[np.ndarray]:
        with open(path, "rb") as handle:
            for n in range(first, last, step):
                m = min(n + step, last)
                handle.seek(offset + n * frame_bytes)
                raw = handle.read((m - n) * frame_bytes)
                yield decode(raw, tag, bits).reshape(-1, channels)  # (m - n, C)

    return reader_blocks(read, rate, source or label)
