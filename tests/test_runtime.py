"""Numpy runtime: model-file validation, smoothing formula, causality (latency), public API."""

import json
import math
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from core.errors import ModelFileError
from core.lab.models import family
from core.runtime import configs
from core.runtime.modelfile import read_model_file, write_model_file
from core.runtime.smoothing import DELTA_S, resample_frames
from core.runtime.student import build_stages, expected_shapes, student_frames


def random_weights(shapes: dict, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        k: (rng.standard_normal(s) / math.sqrt(max(1, math.prod(s[1:])))).astype(np.float32)
        for k, s in shapes.items()
    }


@pytest.fixture()
def good_file(tmp_path):
    path = tmp_path / "good.npz"
    write_model_file(
        path, "s_tiny", family.S_TINY, random_weights(expected_shapes(family.S_TINY)), "card"
    )
    return path


def _rewrite(source, target, change):
    """Copy an npz member by member, letting change(name, bytes) edit or drop (None) members."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def _meta_bytes(meta: dict) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(meta)))
    return buffer.getvalue()


def test_bad_model_files_are_rejected_with_a_sentence(good_file, tmp_path):
    meta = json.loads(str(np.load(good_file)["__meta__"]))
    cases = {}
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good_file.read_bytes()[: good_file.stat().st_size // 2])
    cases[truncated] = "truncated or corrupt"
    no_meta = tmp_path / "no_meta.npz"
    _rewrite(good_file, no_meta, lambda n, d: None if n == "__meta__.npy" else d)
    cases[no_meta] = "no model metadata"
    old = tmp_path / "version.npz"
    _rewrite(
        good_file,
        old,
        lambda n, d: _meta_bytes(meta | {"version": 99}) if n == "__meta__.npy" else d,
    )
    cases[old] = "version 99 is not supported"
    lacking = tmp_path / "lacking.npz"
    _rewrite(
        good_file,
        lacking,
        lambda n, d: (
            _meta_bytes({k: v for k, v in meta.items() if k != "channel_names"})
            if n == "__meta__.npy"
            else d
        ),
    )
    cases[lacking] = "lacks channel_names"
    shapes = tmp_path / "shapes.npz"
    wrong = dict(np.load(good_file))
    wrong["w/head.weight"] = wrong["w/head.weight"][:, :, :-1]
    np.savez(shapes, **wrong)
    cases[shapes] = "weight head.weight is float32"
    pickled = tmp_path / "pickled.npz"
    objects = dict(np.load(good_file))
    objects["w/out.bias"] = np.array([{"evil": 1}] * 29, dtype=object)
    np.savez(pickled, **objects)
    cases[pickled] = "weight out.bias is object"
    short = tmp_path / "short.npz"
    _rewrite(good_file, short, lambda n, d: d[:-8] if n == "w/stack.0.weight.npy" else d)
    cases[short] = "truncated"
    cases[tmp_path / "missing.npz"] = "no such model file"
    for path, words in cases.items():
        with pytest.raises(ModelFileError, match=words):
            read_model_file(path)


def test_smoothing_is_the_mean_of_three_interpolated_predictions():
    rng = np.random.default_rng(0)
    frames = rng.random((50, 3)).astype(np.float32)  # 0.5 s at 100 fps
    n_samples = 8000
    for fps in (24.0, 25.0, 30000 / 1001, 60.0):
        out = resample_frames(frames, n_samples, fps, smoothing=True)
        plain = resample_frames(frames, n_samples, fps, smoothing=False)
        assert len(out) == len(plain) == math.ceil(0.5 * fps - 1e-9)

        def curve(t: np.ndarray) -> np.ndarray:
            t_100 = np.clip(t, 0, 0.49) * 100
            return np.stack([np.interp(t_100, np.arange(50), c) for c in frames.T], axis=-1)

        times = np.arange(len(out)) / fps
        assert np.allclose(plain, curve(times), atol=1e-6)
        expected = (curve(times - DELTA_S) + curve(times) + curve(times + DELTA_S)) / 3
        assert np.allclose(out, expected, atol=1e-6)


def _student_cases():
    for config in (family.S0, family.S_TINY, family.S_LOWLAT, family.S_TINY_MFCC):
        weights = random_weights(expected_shapes(config), seed=3)
        stages = build_stages(config, weights)
        yield config, (lambda x, c=config, s=stages: student_frames(c, s, x))


@pytest.mark.parametrize("smoothing", [False, True])
def test_students_never_read_audio_beyond_their_future_context(smoothing, speechlike):
    """Latency proof: audio after t + future (+ frame grid + delta) cannot change frame t."""
    rng = np.random.default_rng(9)
    fps = 60.0
    for config, frames_of in _student_cases():
        clip = speechlike[:32000]
        base = resample_frames(frames_of(clip), len(clip), fps, smoothing)
        for k in (5, 30, 47):
            t = k / fps
            reach_s = (DELTA_S if smoothing else 0.0) + 0.01  # delta + one 10 ms frame
            first_free = math.ceil((t + reach_s) * 16000) + config.future_samples
            changed = clip.copy()
            changed[first_free:] = rng.standard_normal(len(clip) - first_free) * 0.5
            out = resample_frames(frames_of(changed), len(clip), fps, smoothing)
            assert np.array_equal(out[: k + 1], base[: k + 1]), (config.name, k)
            # and the bound is tight: the last sample of frame j's window does matter (a loud
            # click: a log-mel student's periodic Hann window weighs that sample by 4e-5)
        j = 40
        last = configs.HOP * j + config.future_samples - 1
        poked = clip.copy()
        poked[last] += 50.0
        assert not np.array_equal(frames_of(poked)[j], frames_of(clip)[j]), config.name


def test_api_predicts_an_animation_and_never_imports_torch(tmp_path, speechlike):
    path = tmp_path / "m.npz"
    write_model_file(
        path, "tiny", family.S_TINY, random_weights(expected_shapes(family.S_TINY)), "a card"
    )
    code = (
        "import sys, numpy as np; from core.api import load_model, predict, model_info;"
        f"m = load_model({str(path)!r}); x = np.random.default_rng(0).standard_normal(44100);"
        "a = predict(m, (x * 3000).astype(np.int16), 44100, 30000 / 1001);"
        "i = model_info(m); assert a.weights.shape == (30, 29), a.weights.shape;"
        "assert i.future_ms == 256 and i.parameters > 1000 and i.card == 'a card';"
        "assert 'torch' not in sys.modules; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr
    from core.api import load_model

    with pytest.raises(ModelFileError, match="No shipped model named 'nonexistent'"):
        load_model("nonexistent")


@pytest.mark.parametrize("block_bytes", [1 << 20, 500])
@pytest.mark.parametrize("channels_in,kernel,stride", [(1, 32, 10), (3, 5, 2), (4, 3, 1)])
def test_conv1d_matches_a_direct_loop_over_windows(
    channels_in, kernel, stride, block_bytes, monkeypatch
):
    """Also for a column view x[:, None], whose length-1 axis has stride 0, and when the
    columns are gathered in several blocks with a shorter last one."""
    from core.runtime import conv
    from core.runtime.conv import conv1d, torch_weight_to_2d

    monkeypatch.setattr(conv, "COLUMN_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(4)
    weight = rng.standard_normal((6, channels_in, kernel)).astype(np.float32)
    bias = rng.standard_normal(6).astype(np.float32)
    if channels_in == 1:
        x = rng.standard_normal(200).astype(np.float32)[:, None]
    else:
        x = rng.standard_normal((200, channels_in)).astype(np.float32)
    out = conv1d(x, torch_weight_to_2d(weight), bias, kernel, stride)
    starts = range(0, len(x) - kernel + 1, stride)
    expected = np.array([np.einsum("oik,ki->o", weight, x[s : s + kernel]) + bias for s in starts])
    assert out.shape == expected.shape and np.allclose(out, expected, atol=1e-4)
