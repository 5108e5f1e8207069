"""The students as ONNX graphs (core.engines): the clip graph and the streaming graph
give the numpy runtime's frames on real speech, hop by hop equal each other, keep to portable
operators, carry their contract in the metadata, and the reference host reports the latency."""

import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import soundfile as sf
from model_configs import PHONE_AWARE

from core import cli
from core.api import load_model
from core.audio.prepare import prepare_samples
from core.audio.resample import resample
from core.engines.export import SIZE_TARGET_BYTES, metadata, onnx_model
from core.engines.graph import IR_VERSION, OPSET, operators
from core.engines.streaming import stream_layout
from core.errors import ModelFileError
from core.runtime.catalog import MODELS_DIR, resolve_model
from core.runtime.configs import HOP, ConvLayer, LogMelConfig, StudentConfig
from core.runtime.conv import conv1d, torch_weight_to_2d
from core.runtime.modelfile import expected_shapes, read_model_file, write_model_file
from core.runtime.smoothing import resample_frames
from core.runtime.student import build_stages, run_stages, sigmoid, student_frames
from tools.engines.host import EnsembleSmoother, play

STUDENTS = ("s0", "s_tiny", "s_lowlat")
TOLERANCE = 1e-4  # max abs difference to the numpy runtime
# What the graphs may use: every one is in ONNX Runtime's CPU kernels and Unity Inference
# Engine's supported-operator table (docs/engines.md); no STFT or DFT.
PORTABLE_OPS = {
    "Add",
    "Concat",
    "Conv",
    "Div",
    "Clip",
    "Gather",
    "Gemm",
    "Identity",
    "Log",
    "MatMul",
    "Max",
    "Mod",
    "Mul",
    "Pad",
    "Range",
    "Relu",
    "Reshape",
    "Sigmoid",
    "Slice",
    "Softmax",
    "Sub",
    "Transpose",
    "Unsqueeze",
}


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, ["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    samples, rate = sf.read(MODELS_DIR.parent / "sample_speech.wav", dtype="float32")
    assert rate == 16000 and samples.ndim == 1
    return samples


@pytest.fixture(scope="module", params=STUDENTS)
def student(request):
    """(name, config, numpy stages, clip graph, streaming graph) of one shipped student."""
    model_file = read_model_file(resolve_model(request.param))
    stages = build_stages(model_file.config, model_file.weights)
    return (
        request.param,
        model_file,
        stages,
        onnx_model(request.param),
        onnx_model(request.param, streaming=True),
    )


def _closure_probability(model_file, stages, samples: np.ndarray) -> np.ndarray:
    """The numpy runtime's closure probability (T,): its stages up to the output layer's logits."""
    config, n_frames = model_file.config, math.ceil(len(samples) / HOP)
    padded = np.concatenate(
        [
            np.zeros(config.past_samples, np.float32),
            samples,
            np.zeros(config.future_samples, np.float32),
        ]
    )
    hidden = run_stages(stages[:-1], padded)
    out = model_file.weights["out.weight"]
    logits = conv1d(hidden, torch_weight_to_2d(out), model_file.weights["out.bias"], 1, 1)
    return sigmoid(logits[:n_frames, len(config.channels)])


def _stream(session: ort.InferenceSession, samples: np.ndarray, lag: int, state_size: int):
    """Frames (T, K) and closure (T,) of a clip fed hop by hop, then `lag` hops of zeros."""
    n_hops = math.ceil(len(samples) / HOP) + lag
    audio = np.zeros(n_hops * HOP, np.float32)
    audio[: len(samples)] = samples
    state, frames, closure = np.zeros((1, state_size), np.float32), [], []
    for h in range(n_hops):
        hop = audio[None, h * HOP : (h + 1) * HOP]
        weights, prob, state = session.run(None, {"audio": hop, "state": state})
        frames.append(weights[0, 0])
        closure.append(prob[0, 0])
    return np.array(frames[lag:]), np.array(closure[lag:])


def test_clip_and_streaming_graphs_equal_the_numpy_runtime_on_real_speech(student, speech):
    name, model_file, stages, clip, streaming = student
    expected = student_frames(model_file.config, stages, speech)  # (T, K)
    expected_closure = _closure_probability(model_file, stages, speech)
    weights, closure = _session(clip).run(None, {"audio": speech[None]})
    assert weights.shape == (1, *expected.shape) and closure.shape == (1, len(expected))
    assert np.abs(weights[0] - expected).max() <= TOLERANCE, name
    assert np.abs(closure[0] - expected_closure).max() <= TOLERANCE, name

    meta = metadata(streaming)
    stream_frames, stream_closure = _stream(
        _session(streaming), speech, int(meta["lag_frames"]), int(meta["state_size"])
    )
    assert np.abs(stream_frames - expected).max() <= TOLERANCE, name
    assert np.abs(stream_frames - weights[0]).max() <= TOLERANCE, name
    assert np.abs(stream_closure - closure[0]).max() <= TOLERANCE, name


def test_graphs_keep_to_portable_operators_and_carry_their_contract(student):
    name, model_file, _, clip, streaming = student
    config = model_file.config
    for model, form in ((clip, "clip"), (streaming, "streaming")):
        assert set(operators(model)) <= PORTABLE_OPS, name
        assert [(o.domain, o.version) for o in model.opset_import] == [("", OPSET)]
        assert model.ir_version == IR_VERSION
        meta = metadata(model)
        assert meta["channels"].split(",") == list(config.channels)
        assert (meta["model"], meta["form"], meta["fps"]) == (name, form, "100")
        assert float(meta["past_ms"]) == config.past_ms
        assert float(meta["future_ms"]) == config.future_ms
        assert meta["version"] and meta["licence"]
    assert not {"Range", "Mod", "Gather", "Pad"} & set(operators(streaming))
    meta = metadata(streaming)
    lag = math.ceil(config.future_samples / HOP) - 1
    assert int(meta["lag_frames"]) == lag and float(meta["latency_ms"]) == (lag + 1) * 10.0
    assert int(meta["state_size"]) == stream_layout(config, model_file.weights).state_size


def test_the_small_students_fit_a_game_teams_budget():
    for name in ("s_tiny", "s_lowlat"):
        for streaming in (False, True):
            size = len(onnx_model(name, streaming=streaming).SerializeToString())
            assert size <= SIZE_TARGET_BYTES, (name, streaming, size)


# Students the shipped ones do not cover: a future on the 10 ms grid (no late read), a raw
# waveform front, MFCC input with a second hidden layer, no part ramp; random weights.
ODD_STUDENTS = [
    StudentConfig(
        "on_grid",
        (ConvLayer(8, 3, 1),),
        bottleneck=4,
        hidden=8,
        past_ms=162,
        future_ms=80,
        input_kind="logmel",
        logmel=LogMelConfig(n_mels=16),
        **PHONE_AWARE,
    ),
    StudentConfig(
        "raw_on_grid",
        (ConvLayer(4, 32, 10), ConvLayer(6, 9, 4), ConvLayer(8, 11, 4), ConvLayer(8, 3, 1)),
        bottleneck=4,
        hidden=8,
        past_ms=32,
        future_ms=30,
        part_ramp=(0.1, 0.3),
        **PHONE_AWARE,
    ),
    StudentConfig(
        "mfcc",
        (ConvLayer(8, 3, 1),),
        bottleneck=4,
        hidden=8,
        hidden2=12,
        past_ms=96,
        future_ms=36,
        n_mfcc=12,
        input_kind="mfcc",
        logmel=LogMelConfig(n_mels=16),
        part_ramp=(0.05, 0.2),
        **PHONE_AWARE,
    ),
]


@pytest.mark.parametrize("config", ODD_STUDENTS, ids=lambda c: c.name)
def test_any_student_config_exports_exactly(tmp_path, speech, config):
    rng = np.random.default_rng(0)
    weights = {
        name: (rng.standard_normal(shape) * 0.3).astype(np.float32)
        for name, shape in expected_shapes(config).items()
    }
    path = tmp_path / f"{config.name}.npz"
    write_model_file(path, config.name, config, weights, "random weights")
    samples = speech[:24000]
    expected = student_frames(config, build_stages(config, weights), samples)
    (clip, _) = _session(onnx_model(path)).run(None, {"audio": samples[None]})
    streaming = onnx_model(path, streaming=True)
    meta = metadata(streaming)
    frames, _ = _stream(
        _session(streaming), samples, int(meta["lag_frames"]), int(meta["state_size"])
    )
    assert np.abs(clip[0] - expected).max() <= TOLERANCE
    assert np.abs(frames - expected).max() <= TOLERANCE


@pytest.mark.parametrize("n_samples", [1, 159, 160, 161, 1000])
def test_clip_graph_gives_one_frame_per_started_hop_on_short_clips(n_samples):
    model_file = read_model_file(resolve_model("s_lowlat"))
    stages = build_stages(model_file.config, model_file.weights)
    samples = np.random.default_rng(n_samples).uniform(-0.5, 0.5, n_samples).astype(np.float32)
    (weights, _) = _session(onnx_model("s_lowlat")).run(None, {"audio": samples[None]})
    expected = student_frames(model_file.config, stages, samples)
    assert weights.shape[1] == math.ceil(n_samples / HOP) == len(expected)
    assert np.abs(weights[0] - expected).max() <= TOLERANCE


def test_state_of_zeros_is_silence_before_the_stream():
    """Regression: the kept log-mel and conv tails start at their values on silence, not 0."""
    model_file = read_model_file(resolve_model("s_lowlat"))
    layout = stream_layout(model_file.config, model_file.weights)
    first = layout.tails[0]
    assert not layout.rest[: first.length].any()  # samples of silence are zeros
    assert np.allclose(layout.rest[first.length : first.length + 40], np.log(1e-5))


def test_a_teacher_does_not_export():
    with pytest.raises(ModelFileError, match="teacher"):
        onnx_model("teacher")


@pytest.mark.parametrize("rate", [16000, 48000])
def test_host_keys_the_runtime_frames_and_measures_the_latency(tmp_path, speech, rate):
    wav = tmp_path / "speech.wav"
    samples = speech if rate == 16000 else resample(speech, 16000, rate)
    sf.write(wav, samples, rate, subtype="FLOAT")
    model = onnx_model("s_lowlat", streaming=True).SerializeToString()
    result = play(wav, model, block_ms=10.0, fps=None)
    # the runtime's own pipeline: DC removal, resampling to 16 kHz, frames
    expected = load_model("s_lowlat").frames(prepare_samples(samples, rate))
    got = np.array([weights for _, weights, _ in result["rows"]])
    assert got.shape == expected.shape and np.abs(got - expected).max() <= TOLERANCE
    latency_ms = np.array(result["latency_s"]) * 1000
    if rate == 16000:  # 64 ms of future audio, on the 10 ms grid
        assert np.allclose(latency_ms, 70.0)
    else:  # + the resampler's look-ahead (0.6 ms), which waits for the next 10 ms callback
        assert np.allclose(latency_ms, 80.0)


def test_host_smoothing_equals_the_runtime_smoothing():
    frames = np.random.default_rng(0).uniform(0, 1, (57, 3)).astype(np.float32)
    n_samples = 57 * HOP - 40
    smoother = EnsembleSmoother(fps=24.0)
    got = [w for frame in frames for _, w in smoother.push(frame)]
    got += [w for _, w in smoother.finish(n_samples)]
    expected = resample_frames(frames, n_samples, 24.0)
    assert np.abs(np.array(got) - expected).max() <= 1e-6


def test_stored_dft_needs_no_index_operators_and_gives_the_same_frames(speech):
    folded, stored = onnx_model("s_tiny"), onnx_model("s_tiny", stored_dft=True)
    assert not {"Range", "Mod", "Gather"} & set(operators(stored))
    (expected, _), (got, _) = (
        _session(m).run(None, {"audio": speech[None]}) for m in (folded, stored)
    )
    assert np.abs(got - expected).max() <= TOLERANCE
    assert len(stored.SerializeToString()) <= SIZE_TARGET_BYTES


def test_export_onnx_command_writes_a_graph_and_refuses_bad_requests(tmp_path, capsys):
    out = tmp_path / "s_lowlat_stream.onnx"
    assert cli.main(["export-onnx", "--model", "s_lowlat", "--out", str(out), "--streaming"]) == 0
    assert metadata(onnx.load(str(out)))["form"] == "streaming"
    assert cli.main(["export-onnx", "--model", "teacher", "--out", str(tmp_path / "t.onnx")]) == 2
    assert cli.main(["export-onnx", "--model", "s_tiny", "--out", str(tmp_path / "w.csv")]) == 2
    assert "teacher" in capsys.readouterr().err
    assert not (tmp_path / "t.onnx").exists() and not (tmp_path / "w.csv").exists()
