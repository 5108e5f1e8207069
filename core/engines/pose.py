"""The run-time pose rule of core.rig.seal.finish_pose as ONNX nodes: weights sealed where the
closure head is confident and, with a part ramp, parted in speech without a closure.

Per-channel writes (`out[:, k] = ...`) become whole-frame products with constant rows: (openness,
seal) times the fade rows puts each channel's fade amount in place, (jaw floor, seal * jaw, seal)
times the floor rows each channel's floor (every column has at most one nonzero, so each sum is
one product, rounded as numpy rounds it). The weights are multiplied by 1 - fade, then raised to
the floors; a floor of 0 leaves a weight as it was, since every weight is a sigmoid (>= 0). The
fades and floors touch disjoint channels, so their order does not matter, and numpy's final clip
to [0, 1] changes nothing (every value already lies there), so the graph leaves it out.
"""

import numpy as np

from ..rig.arkit import channel_index
from ..rig.seal import LIP_OPENERS, PARTED_JAW, PRESS_AT_FULL_SEAL
from ..runtime.configs import StudentConfig
from .graph import Graph


def _mask(channels: tuple[str, ...], names: list[str] | tuple[str, ...]) -> np.ndarray:
    """(K,) float32: 1 on the named channels (and their Left/Right), else 0."""
    index = channel_index(channels)
    mask = np.zeros(len(channels), np.float32)
    for base in names:
        for full in (base, base + "Left", base + "Right"):
            if full in index:
                mask[index[full]] = 1.0
    return mask


def _smoothstep(g: Graph, x: str, lows: list[float], highs: list[float]) -> str:
    """core.rig.seal._smoothstep on each column of x (..., n) with its own ramp (lows, highs):
    clip((x - lo) / (hi - lo), 0, 1), then t * t * (3 - 2t)."""
    lo = g.const(f"ramp_from_{len(g.initializers)}", np.array(lows, np.float32))
    span = np.array([hi - lo for lo, hi in zip(lows, highs, strict=True)], np.float32)
    t = g.op("Div", g.op("Sub", x, lo), g.const(f"ramp_span_{len(g.initializers)}", span))
    t = g.op("Clip", t, g.scalar(0.0), g.scalar(1.0))
    rise = g.op("Sub", g.scalar(3.0), g.op("Mul", g.scalar(2.0), t))
    return g.op("Mul", g.op("Mul", t, t), rise)


def pose(g: Graph, logits: str, config: StudentConfig) -> tuple[str, str]:
    """Output-layer logits (T, n_outputs), one row a frame -> weights (1, T, K) and closure
    probability (1, T), as core.runtime.student.sealed_weights gives them."""
    k, channels = len(config.channels), config.channels
    probabilities = g.op("Sigmoid", g.slice(logits, 0, k + 1, axis=1))
    weights = g.slice(probabilities, 0, k, axis=1)  # (T, K)
    closure = g.slice(probabilities, k, k + 1, axis=1)  # (T, 1)
    if config.part_ramp is None:
        seal = _smoothstep(g, closure, [config.seal_ramp[0]], [config.seal_ramp[1]])
        openness = g.op("Mul", seal, g.scalar(0.0))
    else:
        phones = g.op("Softmax", g.slice(logits, k + 1, config.n_outputs, axis=1), axis=1)
        sil = config.phones.index("SIL")
        speech = g.op("Sub", g.scalar(1.0), g.slice(phones, sil, sil + 1, axis=1))
        (seal_from, seal_full), (part_from, part_full) = config.seal_ramp, config.part_ramp
        pair = g.op("Concat", closure, speech, axis=1)  # (T, 2)
        ramps = _smoothstep(g, pair, [seal_from, part_from], [seal_full, part_full])
        seal = g.slice(ramps, 0, 1, axis=1)
        openness = g.op("Mul", g.op("Sub", g.scalar(1.0), seal), g.slice(ramps, 1, 2, axis=1))
    # 1 - fade: parting fades mouthClose and mouthPress by the openness, the seal fades the lip
    # openers; a Gemm with bias 1 rounds 1 - amount once, as numpy's `*= 1.0 - amount` does
    fade_rows = -np.stack(
        [_mask(channels, ["mouthClose", "mouthPress"]), _mask(channels, LIP_OPENERS)]
    )
    keep = g.op(
        "Gemm",
        g.op("Concat", openness, seal, axis=1),
        g.const("fade_rows", fade_rows),
        g.const("ones", np.ones(k, np.float32)),
    )
    faded = g.op("Mul", weights, keep)
    # floors: the parted jaw, mouthClose = seal * jaw (the jaw after parting), the lip press
    jaw_floor = g.op("Mul", g.scalar(PARTED_JAW), openness)
    jaw = channel_index(channels)["jawOpen"]
    parted_jaw = g.op("Max", g.slice(weights, jaw, jaw + 1, axis=1), jaw_floor)
    floor_values = g.op("Concat", jaw_floor, g.op("Mul", seal, parted_jaw), seal, axis=1)
    press_row = np.float32(PRESS_AT_FULL_SEAL) * _mask(channels, ["mouthPress"])
    floor_rows = np.stack(
        [_mask(channels, ["jawOpen"]), _mask(channels, ["mouthClose"]), press_row]
    )
    floors = g.op("MatMul", floor_values, g.const("floor_rows", floor_rows))
    weights = g.op("Max", faded, floors)  # (T, K), already inside [0, 1]
    return g.op("Unsqueeze", weights, g.ints(0)), g.op("Reshape", closure, g.ints(1, -1))
