"""The numpy WAV reader (Blender without Audaspace): the samples soundfile reads, in blocks."""

import struct

import numpy as np
import pytest
import soundfile
from reliability_cases import speech_like, write_wav

from core.audio import blocks as audio_blocks
from core.audio.wav import sample_range, wav_blocks
from core.errors import AudioError

RATE = 22050
SUBTYPES = {"u8": "PCM_U8", "i16": "PCM_16", "i24": "PCM_24", "i32": "PCM_32", "f32": "FLOAT"}


def _read_all(blocks) -> np.ndarray:
    return np.concatenate(list(blocks.read()))


@pytest.mark.parametrize("kind", ["u8", "i16", "i24", "i32", "f32", "f64"])
def test_every_sample_kind_reads_as_soundfile_reads_it(tmp_path, kind):
    voice = speech_like(1.5, RATE)
    samples = np.stack([voice, -0.5 * voice], axis=1)
    path = tmp_path / f"{kind}.wav"
    if kind == "f64":
        soundfile.write(path, samples, RATE, subtype="DOUBLE")
    else:
        write_wav(path, samples, RATE, kind)
    expected, rate = soundfile.read(path, dtype="float32", always_2d=True)
    blocks = wav_blocks(str(path), "Line")
    assert rate == blocks.sample_rate == RATE and blocks.n_samples == len(expected)
    np.testing.assert_allclose(_read_all(blocks), expected, rtol=0, atol=1e-7)


def test_blocks_cut_anywhere_hold_the_span_asked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(audio_blocks, "BLOCK_S", 0.37)  # many blocks, odd cuts
    path = write_wav(tmp_path / "line.wav", speech_like(5.0, RATE), RATE, "i24")
    whole = _read_all(wav_blocks(str(path), "Line"))
    part = wav_blocks(str(path), "Line", start_s=1.2345, end_s=3.5)
    pieces = list(part.read())
    assert len(pieces) > 5 and max(len(p) for p in pieces) <= int(0.37 * RATE)
    first, last = int(round(1.2345 * RATE)), int(round(3.5 * RATE))
    np.testing.assert_array_equal(np.concatenate(pieces), whole[first:last])


def test_extensible_header_odd_chunks_and_a_cut_data_chunk(tmp_path):
    samples = (np.arange(-3000, 3001) * 10).astype("<i2")  # 0.27 s
    extensible = struct.pack("<HHIIHHHHI", 0xFFFE, 1, RATE, 2 * RATE, 2, 16, 22, 16, 4)
    extensible += struct.pack("<H", 1) + bytes(14)  # the GUID opens with the PCM tag
    data = samples.tobytes()
    body = b"WAVE" + b"LIST" + struct.pack("<I", 3) + b"abc\0"  # odd chunk, padded
    body += b"fmt " + struct.pack("<I", len(extensible)) + extensible
    body += b"data" + struct.pack("<I", len(data) + 1000) + data + b"\1"  # says more than is there
    path = tmp_path / "odd.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    got = _read_all(wav_blocks(str(path), "Odd"))  # the half frame at the end is dropped
    np.testing.assert_array_equal(got[:, 0], samples.astype(np.float32) / 32768.0)


def test_what_it_cannot_read_is_said_in_one_sentence(tmp_path):
    not_wav = tmp_path / "line.mp3"
    not_wav.write_bytes(b"ID3" + bytes(100))
    with pytest.raises(AudioError, match="Line: cannot read .*not a readable WAV"):
        wav_blocks(str(not_wav), "Line")
    alaw = write_wav(tmp_path / "alaw.wav", speech_like(0.5, RATE), RATE)
    raw = bytearray(alaw.read_bytes())
    raw[20:22] = struct.pack("<H", 6)  # A-law
    alaw.write_bytes(bytes(raw))
    with pytest.raises(AudioError, match=r"16-bit WAV samples of format 6"):
        wav_blocks(str(alaw), "Line")
    with pytest.raises(AudioError, match="past the end"):
        sample_range(RATE, RATE, 2.0, None, "Line")
    with pytest.raises(AudioError, match="holds no samples"):
        sample_range(RATE, 0, 0.0, None, "Line")
