"""The streaming graph: one 10 ms hop of audio and the state in, one 100 fps frame and the state
out. Run hop by hop over a clip (then lag_frames hops of zeros) it gives the clip graph's frames.

    audio (1, 160), state (1, S) -> weights (1, 1, K), closure (1, 1), state_out (1, S)

Each stage keeps the tail of its input that its next outputs still read (kernel - stride
steps), the way core.runtime.stream does, so a hop costs one log-mel frame and one output per
layer. Tails are time-major, so a tail and the new steps side by side are one window of the
next convolution, a Gemm with the k-major weight (core.runtime.conv); stages with several
outputs a hop (the first convs of a raw-waveform student) run a Conv.

The stages' windows end on the 10 ms grid shifted by future_samples mod 160, so the first
stage reads its hop `delay_samples` late: the output at hop h (samples up to 160 (h + 1)) is
frame h - lag_frames, lag_frames = ceil(future_samples / 160) - 1.

The state holds each kept tail minus its value on silence, so all-zero state is a stream that
heard silence forever: the host starts from zeros, no initial values to ship.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..runtime.configs import HOP, StudentConfig
from ..runtime.student import build_stages
from .frontend import frame_features
from .graph import Graph, float_input
from .network import ConvSpec, conv_specs, conv_step, conv_steps
from .pose import pose


@dataclass(frozen=True)
class StageTail:
    """The part of the state one stage keeps: its last `length` input steps, time-major."""

    channels: int  # values per input step
    length: int
    offset: int  # where it starts in the flat state
    steps_per_hop: int  # input steps one hop brings


@dataclass(frozen=True)
class StreamLayout:
    """The state of a student's streaming graph: every stage's tail, flat, and its timing."""

    tails: tuple[StageTail, ...]  # one per stage, input to output
    rest: np.ndarray  # (state_size,) float32: the kept tails on silence
    delay_samples: int  # the first stage reads its hop this many samples late
    lag_frames: int  # output at hop h is frame h - lag_frames

    @property
    def state_size(self) -> int:
        return len(self.rest)


def _stages(config: StudentConfig) -> list[ConvSpec | None]:
    """None for the log-mel front end (when the student has one), then its convolutions."""
    return ([] if config.input_kind == "raw" else [None]) + conv_specs(config)


def _kernel_stride(spec: ConvSpec | None, config: StudentConfig) -> tuple[int, int]:
    return (config.logmel.n_fft, HOP) if spec is None else (spec.kernel, spec.stride)


def stream_layout(config: StudentConfig, weights: dict[str, np.ndarray]) -> StreamLayout:
    """Where each stage's tail lives in the state, and the state's values on silence."""
    delay = -config.future_samples % HOP
    numpy_stages = build_stages(config, weights)
    tails, rest, offset, steps, rest_in = [], [], 0, HOP, np.zeros(1, np.float32)
    for i, spec in enumerate(_stages(config)):
        kernel, stride = _kernel_stride(spec, config)
        length = kernel - stride + (delay if i == 0 else 0)
        tails.append(StageTail(len(rest_in), length, offset, steps))
        rest.append(np.tile(rest_in, length))  # (length, C) flattened
        offset += len(rest_in) * length
        if i + 1 < len(numpy_stages):  # the next stage's input on silence
            rest_in = numpy_stages[i].apply(np.tile(rest_in, (kernel, 1)))[0]
        steps //= stride
    lag = math.ceil(config.future_samples / HOP) - 1
    return StreamLayout(tuple(tails), np.concatenate(rest).astype(np.float32), delay, lag)


def _stage(
    g: Graph,
    x: str,
    spec: ConvSpec | None,
    tail: StageTail,
    config: StudentConfig,
    weights: dict[str, np.ndarray],
) -> str:
    """One stage over its window(s), time-major flat (1, steps * C_in) -> (1, outputs * C_out)."""
    if spec is None:
        return frame_features(g, x, config)  # exactly one n_fft frame
    if tail.steps_per_hop == spec.stride:  # one output a hop: x is exactly one window
        return conv_step(g, x, weights, spec)
    return conv_steps(g, x, tail.channels, weights, spec)


def streaming_graph(
    config: StudentConfig, weights: dict[str, np.ndarray]
) -> tuple[Graph, list, list, StreamLayout]:
    """The streaming graph's nodes, inputs, outputs and state layout for a phone-aware student."""
    layout = stream_layout(config, weights)
    g = Graph()
    rest = g.const("state_rest", layout.rest[None, :])
    state = g.op("Add", "state", rest)  # (1, S): the kept tails
    x, kept = "audio", []  # x: the new input steps of a stage, time-major flat (1, steps * C)
    for spec, tail in zip(_stages(config), layout.tails, strict=True):
        kernel, stride = _kernel_stride(spec, config)
        if tail.length:
            width, new = tail.channels * tail.length, tail.channels * tail.steps_per_hop
            old = g.slice(state, tail.offset, tail.offset + width, axis=1)
            x = g.op("Concat", old, x, axis=1)  # (1, (length + steps_per_hop) * C)
            kept.append(g.slice(x, new, new + width, axis=1))
            if tail.length > kernel - stride:  # the first stage reads its hop late
                x = g.slice(x, 0, (kernel - stride) * tail.channels + new, axis=1)
        x = _stage(g, x, spec, tail, config, weights)
    frame, closure = pose(g, x, config)  # (1, 1, K), (1, 1)
    state_out = g.op("Sub", g.op("Concat", *kept, axis=1), rest)
    inputs = [float_input("audio", [1, HOP]), float_input("state", [1, layout.state_size])]
    outputs = [
        float_input(g.rename(frame, "weights"), [1, 1, len(config.channels)]),
        float_input(g.rename(closure, "closure"), [1, 1]),
        float_input(g.rename(state_out, "state_out"), [1, layout.state_size]),
    ]
    return g, inputs, outputs, layout
