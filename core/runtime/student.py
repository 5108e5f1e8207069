"""Numpy student forward, fully convolutional: each layer runs once over the whole clip.

The network is a list of stages (kernel, stride, apply); `apply` maps a time-major input
(L, C_in) to every output it fully covers, (L_out, C_out). Offline inference runs the stages on
the padded clip; core.runtime.stream runs the same stages on growing buffers.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..rig.seal import finish_pose
from .configs import HOP, StudentConfig
from .conv import conv1d, torch_weight_to_2d
from .logmel import dct_matrix, log_mel


@dataclass(frozen=True)
class Stage:
    kernel: int  # input steps that one output needs
    stride: int  # input steps between outputs
    apply: Callable[[np.ndarray], np.ndarray]  # (L, C_in) -> ((L - kernel) // stride + 1, C_out)


def expected_shapes(config: StudentConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every weight a student model file must hold (torch state_dict names)."""
    shapes, width = {}, config.in_channels
    for i, layer in enumerate(config.layers):
        shapes[f"stack.{i}.weight"] = (layer.channels, width, layer.kernel)
        shapes[f"stack.{i}.bias"] = (layer.channels,)
        width = layer.channels
    shapes["bottleneck.weight"] = (config.bottleneck, width, 1)
    shapes["bottleneck.bias"] = (config.bottleneck,)
    shapes["head.weight"] = (config.hidden, config.bottleneck, config.head_frames)
    shapes["head.bias"] = (config.hidden,)
    if config.hidden2:
        shapes["head2.weight"] = (config.hidden2, config.hidden, 1)
        shapes["head2.bias"] = (config.hidden2,)
    shapes["out.weight"] = (config.n_outputs, config.last_hidden, 1)
    shapes["out.bias"] = (config.n_outputs,)
    return shapes


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Overflow-free logistic function."""
    return (0.5 + 0.5 * np.tanh(0.5 * x)).astype(np.float32, copy=False)


def _conv_stage(weights: dict, name: str, stride: int, activation: Callable) -> Stage:
    weight = weights[f"{name}.weight"]
    weight_2d, bias = torch_weight_to_2d(weight), weights[f"{name}.bias"].astype(np.float32)
    kernel = weight.shape[2]
    return Stage(kernel, stride, lambda x: activation(conv1d(x, weight_2d, bias, kernel, stride)))


def _relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0, out=x)


def build_stages(
    config: StudentConfig, weights: dict[str, np.ndarray], finish: Callable | None = None
) -> list[Stage]:
    """The student as stages over time-major audio (L, 1) -> 100 fps weights (T, K); `finish`
    maps the output layer's logits instead of sealed_weights (identity: output_logits)."""
    stages = []
    if config.input_kind != "raw":
        dct = (
            dct_matrix(config.logmel.n_mels, config.n_mfcc) if config.input_kind == "mfcc" else None
        )

        def front(x: np.ndarray) -> np.ndarray:
            mel = log_mel(x[:, 0], config.logmel)  # (T, n_mels)
            return mel if dct is None else mel @ dct

        stages.append(Stage(config.logmel.n_fft, HOP, front))
    for i, layer in enumerate(config.layers):
        stages.append(_conv_stage(weights, f"stack.{i}", layer.stride, _relu))
    stages.append(_conv_stage(weights, "bottleneck", 1, _relu))
    stages.append(_conv_stage(weights, "head", 1, _relu))
    if config.hidden2:
        stages.append(_conv_stage(weights, "head2", 1, _relu))
    stages.append(_conv_stage(weights, "out", 1, finish or (lambda x: sealed_weights(x, config))))
    return stages


def output_logits(
    config: StudentConfig, weights: dict[str, np.ndarray], samples: np.ndarray
) -> np.ndarray:
    """The output layer's logits (ceil(N / HOP), n_outputs) of a clip (N,): pose, closure and
    phone logits before any sigmoid or seal, to measure the heads apart."""
    return student_frames(config, build_stages(config, weights, lambda x: x), samples)


def sealed_weights(logits: np.ndarray, config: StudentConfig) -> np.ndarray:
    """Output-layer logits (T, n_outputs) -> weights (T, K), sealed where the closure head is
    confident (the teacher's rule) and, with a part_ramp, parted where its phone head hears
    speech without a closure (core.rig.seal.finish_pose)."""
    n = len(config.channels)
    weights = sigmoid(logits[:, :n])
    if not config.closure_head:
        return weights
    return finish_pose(weights, sigmoid(logits[:, n]), logits[:, n + 1 :], config)


def pad_clip(samples: np.ndarray, config: StudentConfig, n_frames: int) -> np.ndarray:
    """Zero-pad (N,) so that frame j's window starts at HOP*j: (HOP*(T-1) + window,)."""
    right = max(0, HOP * (n_frames - 1) + config.future_samples - len(samples))
    return np.concatenate(
        [
            np.zeros(config.past_samples, np.float32),
            samples.astype(np.float32, copy=False),
            np.zeros(right, np.float32),
        ]
    )


def run_stages(stages: list[Stage], samples_padded: np.ndarray) -> np.ndarray:
    """Apply every stage once to padded audio (L,) -> frames (T', K)."""
    x = samples_padded.astype(np.float32, copy=False)[:, None]
    for stage in stages:
        x = stage.apply(x)
    return x


def student_frames(config: StudentConfig, stages: list[Stage], samples: np.ndarray) -> np.ndarray:
    """100 fps weights (ceil(N / HOP), K) of a clip (N,), fully convolutional."""
    n_frames = math.ceil(len(samples) / HOP)
    return run_stages(stages, pad_clip(samples, config, n_frames))[:n_frames]


def student_window(stages: list[Stage], window: np.ndarray) -> np.ndarray:
    """The definition: one frame (K,) from one window of window_samples samples."""
    out = run_stages(stages, window)
    if out.shape[0] != 1:
        raise ValueError(f"a window must give exactly one frame, got {out.shape[0]}")
    return out[0]
