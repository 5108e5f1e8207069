"""A student's convolutions as ONNX Conv nodes, channels-first (1, C, T), in build order.

The list matches core.runtime.student.build_stages after its front end: the conv stack, the 1x1
bottleneck, the head (a convolution whose kernel spans the window), the 1x1 second hidden layer
when there is one, and the 1x1 output layer. The torch weights (C_out, C_in, k) are ONNX's Conv
layout as they are.
"""

from dataclasses import dataclass

import numpy as np

from ..runtime.configs import StudentConfig
from ..runtime.conv import torch_weight_to_2d
from .graph import Graph


@dataclass(frozen=True)
class ConvSpec:
    name: str  # torch state_dict prefix of its weight and bias
    kernel: int  # input steps one output reads
    stride: int  # input steps between outputs
    relu: bool


def conv_specs(config: StudentConfig) -> list[ConvSpec]:
    """The student's convolutions after its front end, input to output."""
    specs = [
        ConvSpec(f"stack.{i}", layer.kernel, layer.stride, True)
        for i, layer in enumerate(config.layers)
    ]
    specs.append(ConvSpec("bottleneck", 1, 1, True))
    specs.append(ConvSpec("head", config.head_frames, 1, True))
    if config.hidden2:
        specs.append(ConvSpec("head2", 1, 1, True))
    specs.append(ConvSpec("out", 1, 1, False))
    return specs


def conv(g: Graph, x: str, weights: dict[str, np.ndarray], spec: ConvSpec) -> str:
    """Valid convolution (and ReLU) of x (1, C_in, L) -> (1, C_out, (L - kernel) // stride + 1)."""
    weight = g.const(f"{spec.name}.weight", weights[f"{spec.name}.weight"].astype(np.float32))
    bias = g.const(f"{spec.name}.bias", weights[f"{spec.name}.bias"].astype(np.float32))
    y = g.op("Conv", x, weight, bias, strides=[spec.stride], stem=spec.name.replace(".", "_"))
    return g.op("Relu", y) if spec.relu else y


def conv_step(g: Graph, x: str, weights: dict[str, np.ndarray], spec: ConvSpec) -> str:
    """One output of a convolution (and ReLU) from exactly one window, time-major flat:
    x (1, kernel * C_in), row t * C_in + c -> (1, C_out); a Gemm with the k-major 2-D weight."""
    weight_2d = torch_weight_to_2d(weights[f"{spec.name}.weight"])  # (kernel * C_in, C_out)
    weight = g.const(f"{spec.name}.weight_2d", weight_2d)
    bias = g.const(f"{spec.name}.bias", weights[f"{spec.name}.bias"].astype(np.float32))
    y = g.op("Gemm", x, weight, bias, stem=spec.name.replace(".", "_"))
    return g.op("Relu", y) if spec.relu else y


def conv_steps(g: Graph, x: str, channels_in: int, weights: dict, spec: ConvSpec) -> str:
    """Every output of a convolution (and ReLU) over time-major flat input (1, L * C_in) ->
    time-major flat (1, L_out * C_out): Conv between two transposes."""
    x = g.op("Transpose", g.op("Reshape", x, g.ints(1, -1, channels_in)), perm=[0, 2, 1])
    y = conv(g, x, weights, spec)  # (1, C_out, L_out)
    return g.op("Reshape", g.op("Transpose", y, perm=[0, 2, 1]), g.ints(1, -1))
