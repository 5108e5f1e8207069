"""The clip graph: a whole clip of 16 kHz audio in, its 100 fps weights and closure out.

    audio (1, n) -> weights (1, ceil(n / 160), K), closure (1, ceil(n / 160)),  n >= 1

The same numbers as core.runtime.student.student_frames (before smoothing and resampling).
The clip is padded with past_samples zeros in front and future_samples - 1 behind: frame j's
window [160 j - past, 160 j + future) then lies inside, and exactly ceil(n / 160) frames come
out, so the graph needs no arithmetic on its input's shape.
"""

import numpy as np

from ..runtime.configs import StudentConfig
from .frontend import features
from .graph import Graph, float_input
from .network import conv, conv_specs
from .pose import pose


def clip_graph(
    config: StudentConfig, weights: dict[str, np.ndarray], stored_dft: bool = False
) -> tuple[Graph, list, list]:
    """The clip graph's nodes, inputs and outputs for a phone-aware student."""
    g = Graph()
    pads = g.ints(0, config.past_samples, 0, config.future_samples - 1)
    padded = g.op("Pad", "audio", pads, g.scalar(0.0), mode="constant")
    x = g.op("Reshape", padded, g.ints(1, 1, -1))  # (1, 1, L)
    if config.input_kind != "raw":
        x = features(g, x, config, stored_dft)  # (1, in_channels, T')
    for spec in conv_specs(config):
        x = conv(g, x, weights, spec)  # (1, n_outputs, T) at the end
    logits = g.op("Reshape", g.op("Transpose", x, perm=[0, 2, 1]), g.ints(-1, config.n_outputs))
    frames, closure = pose(g, logits, config)  # (1, T, K), (1, T)
    inputs = [float_input("audio", [1, "samples"])]
    outputs = [
        float_input(g.rename(frames, "weights"), [1, "frames", len(config.channels)]),
        float_input(g.rename(closure, "closure"), [1, "frames"]),
    ]
    return g, inputs, outputs
