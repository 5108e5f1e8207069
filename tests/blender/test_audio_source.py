"""Strips and files are read in blocks (#17 item 9): the blocks hold exactly the samples a whole
decode gives, so a long strip never has to be decoded whole. PCM and float WAV files go through
the numpy WAV reader on every Blender (exact, and without FFmpeg's file probing); other formats
through `aud` on 5.2 (the 4.2 wheel has no Audaspace)."""

import sys
from pathlib import Path

import bpy
import numpy as np
import pytest
from addon_helpers import ext
from conftest import ADDON_MODULE  # noqa: F401  (the harness installs the extension)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared cases
from reliability_cases import speech_like, write_wav  # noqa: E402

AUDIO = bpy.app.build_options.audaspace
RATE = 44100


def _whole(path: Path) -> np.ndarray:
    """Every sample of the file, decoded at once: the reference the blocks must equal."""
    if path.suffix != ".wav":
        import aud

        return np.asarray(aud.Sound(str(path)).data(), dtype=np.float32)
    wav = ext("core.audio.wav")
    fmt, offset, size = wav.wav_layout(str(path), "test")
    raw = path.read_bytes()[offset : offset + size]
    return wav.decode(raw, fmt[0], fmt[5]).reshape(-1, fmt[1])


def _flac(wav: Path) -> Path:
    """The WAV file as FLAC, written by Blender's own encoder (a format numpy cannot read)."""
    import aud

    out = wav.with_suffix(".flac")
    aud.Sound(str(wav)).write(
        str(out),
        rate=RATE,
        channels=aud.CHANNELS_STEREO,
        format=aud.FORMAT_S16,
        container=aud.CONTAINER_FLAC,
        codec=aud.CODEC_FLAC,
    )
    return out


@pytest.mark.parametrize("kind", ["i16", "i24", "f32", "flac"])
@pytest.mark.parametrize("span_s", [(0.0, None), (1.2345, 17.5), (3.0, 99.0)])
def test_blocks_hold_exactly_the_samples_of_a_whole_decode(
    empty_scene, tmp_path, monkeypatch, kind, span_s
):
    monkeypatch.setattr(ext("core.audio.blocks"), "BLOCK_S", 2.7)  # many blocks, odd cuts
    if kind == "flac" and not AUDIO:
        return  # no decoder for it in the 4.2 wheel: the numpy reader takes WAV alone
    voice = speech_like(21.0, RATE)
    wav_kind = "i16" if kind == "flac" else kind
    path = write_wav(tmp_path / "line.wav", np.stack([voice, 0.5 * voice], axis=1), RATE, wav_kind)
    path = _flac(path) if kind == "flac" else path
    start_s, end_s = span_s
    blocks = ext("addon.audio_source").read_file(str(path), "Line", start_s, end_s)
    pieces = list(blocks.read())
    assert len(pieces) > 5 and max(len(p) for p in pieces) <= int(2.7 * RATE)
    whole = _whole(path)
    first = int(round(start_s * RATE))
    last = len(whole) if end_s is None else min(int(round(end_s * RATE)), len(whole))
    np.testing.assert_array_equal(np.concatenate(pieces), whole[first:last])
    assert blocks.sample_rate == RATE and blocks.n_samples == last - first


def test_a_strip_hands_the_core_blocks_not_the_whole_sound(empty_scene, tmp_path):
    if not AUDIO:
        return  # the 4.2 wheel cannot hold sound strips; the file route is the test above
    path = write_wav(tmp_path / "line.wav", speech_like(30.0, RATE), RATE)
    compat, audio_source = ext("addon.compat"), ext("addon.audio_source")
    strip = compat.new_strip_collection(empty_scene).new_sound("Line", str(path), 1, 1)
    compat.trim_strip(strip, 24, 48)  # 1 s and 2 s at 24 fps
    take_audio = audio_source.strip_audio(empty_scene, strip)
    blocks = take_audio.blocks
    assert take_audio.frame_start == 25 and blocks.n_samples == 27 * RATE
    assert max(len(p) for p in blocks.read()) <= ext("core.audio.blocks").BLOCK_S * RATE
    np.testing.assert_array_equal(
        np.concatenate(list(blocks.read())), _whole(path)[RATE : 28 * RATE]
    )
