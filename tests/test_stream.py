"""Streaming inference equals offline inference, whatever the block sizes and frame rate."""

import numpy as np
import pytest
from model_configs import STUDENT_TINY

from core.api import Model, load_model, open_stream, predict
from core.errors import AudioError, LipSyncError
from core.lab.models import family
from core.runtime.modelfile import ModelFile
from core.runtime.student import expected_shapes


def random_weights(shapes: dict, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        k: (rng.standard_normal(s) / np.sqrt(max(1, np.prod(s[1:])))).astype(np.float32)
        for k, s in shapes.items()
    }


def _model(config) -> Model:
    weights = random_weights(expected_shapes(config), 7)
    return Model(ModelFile(config.name, config, weights, "", 0, "float32"))


@pytest.mark.parametrize(
    "config",
    [
        family.S_TINY,
        family.S_LOWLAT,
        family.S_TINY_DEEP,
        family.S_TINY_RAW,
        family.S_LOWLAT_RAW,
        STUDENT_TINY,
    ],
    ids=lambda c: c.name,
)
@pytest.mark.parametrize("fps", [24.0, 30000 / 1001, 60.0])
@pytest.mark.parametrize("smoothing", [True, False])
def test_stream_equals_offline(config, fps, smoothing, speechlike):
    model = _model(config)
    clip = speechlike[:27001]
    offline = predict(model, clip, 16000, fps, smoothing).weights  # DC removal included
    rng = np.random.default_rng(int(fps))
    stream, pieces, start = open_stream(model, fps, smoothing), [], 0
    while start < len(clip):
        size = int(rng.choice([1, 7, 160, 1000, 4321]))
        pieces.append(stream.push(clip[start : start + size]))
        start += size
    pieces.append(stream.finish())
    streamed = np.concatenate(pieces)
    assert streamed.shape == offline.shape
    assert np.abs(streamed - offline).max() <= 1e-5


def test_stream_releases_frames_once_their_future_has_arrived(speechlike):
    config = family.S_LOWLAT
    stream = open_stream(_model(config), 60.0, smoothing=True)
    received = stream.push(speechlike[:16000])  # 1 s of audio
    # frame k needs audio up to k/60 + 1/60 + 10 ms + 64 ms
    expected = int(np.floor((1.0 - 0.064 - 0.01 - 1 / 60) * 60)) + 1
    assert abs(len(received) - expected) <= 1
    per_block = [len(stream.push(speechlike[16000 + i * 800 : 16800 + i * 800])) for i in range(5)]
    assert all(n in (2, 3) for n in per_block)  # 50 ms of audio -> 3 frames at 60 fps
    stream.finish()
    with pytest.raises(AudioError):
        stream.push(speechlike[:10])


def test_teacher_cannot_stream():
    with pytest.raises(LipSyncError, match="cannot stream"):
        open_stream(load_model("teacher"), 24.0)
