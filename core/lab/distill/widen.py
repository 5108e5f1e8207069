"""Grow a trained student into a wider, deeper or farther-hearing one with the same function.

    python -m core.lab.distill.widen assets/models/s_tiny.npz --to s_tiny_wide --out W.npz
    python -m core.lab.distill.widen assets/models/s_tiny.npz --to s_tiny_deep --out D.npz

A wider student trained from scratch on this machine's data stays far below the shipped one
(reports/training_log.md: the students are limited by data and steps, not width), so the
capacity step starts from the shipped weights instead: each new unit of a hidden layer copies a
random old unit of that layer (its incoming weights and bias), and the copies' outgoing weights
split the old unit's among them in random shares that sum to one. ReLU passes copies through
unchanged, so the wider student's outputs equal the narrow one's; the unequal shares give the
copies different gradients, so fine-tuning pulls them apart (Net2WiderNet).

A second hidden layer (hidden2) starts as the identity on the first layer's units, which ReLU
keeps non-negative, so it passes them through unchanged; its extra units start random and the
output layer reads them with zero weights, so they change nothing until fine-tuning moves them.

A longer window (past_ms, future_ms later by whole frames) gives the fully-connected head more
feature frames to read, with zero weights: it hears farther without changing what it says.
"""

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from ...runtime.configs import HOP, StudentConfig
from ...runtime.modelfile import ModelFile, read_model_file, write_model_file
from .recipes import RECIPES

# The layers' weight names in order: each hidden one (all but "out") is widened on its output
# axis, and the next reads its units on the input axis (axis 1 of an (out, in, kernel) conv).
_CHAIN = ("stack.0", "stack.1", "bottleneck", "head", "out")


def _widths(config: StudentConfig) -> list[int]:
    return [layer.channels for layer in config.layers] + [config.bottleneck, config.hidden]


def widen_weights(
    weights: dict[str, np.ndarray], old: StudentConfig, new: StudentConfig, seed: int = 0
) -> dict[str, np.ndarray]:
    """The weights of `new` that compute what `weights` of `old` do: same frontend, kernels and
    outputs, each hidden layer at least as wide."""
    widths = {"layers": old.layers, "bottleneck": old.bottleneck, "hidden": old.hidden}
    if (
        replace(new, name=old.name, seal_ramp=old.seal_ramp, part_ramp=old.part_ramp, **widths)
        != old
    ):
        raise ValueError(f"{new.name} is not {old.name} with other widths.")
    kernels = [(layer.kernel, layer.stride) for layer in old.layers]
    if len(kernels) != 2 or kernels != [(layer.kernel, layer.stride) for layer in new.layers]:
        raise ValueError(f"{new.name} is not {old.name}'s two conv layers wider.")
    if old.hidden2 or new.hidden2:
        raise ValueError("widen a student before it has a second hidden layer.")
    rng = np.random.default_rng(seed)
    out = {name: value.astype(np.float32).copy() for name, value in weights.items()}
    for i, (narrow, wide) in enumerate(zip(_widths(old), _widths(new), strict=True)):
        if wide < narrow:
            raise ValueError(f"{new.name}: {_CHAIN[i]} narrower than {old.name}'s.")
        source = np.concatenate([np.arange(narrow), rng.integers(0, narrow, wide - narrow)])
        layer, reader = _CHAIN[i], _CHAIN[i + 1]
        out[f"{layer}.weight"] = out[f"{layer}.weight"][source]
        out[f"{layer}.bias"] = out[f"{layer}.bias"][source]
        shares = rng.uniform(0.5, 1.5, wide)
        totals = np.bincount(source, weights=shares, minlength=narrow)
        scale = (shares / totals[source]).astype(np.float32)
        out[f"{reader}.weight"] = out[f"{reader}.weight"][:, source] * scale[None, :, None]
    return out


def deepen_weights(
    weights: dict[str, np.ndarray], old: StudentConfig, new: StudentConfig, seed: int = 0
) -> dict[str, np.ndarray]:
    """The weights of `new`, `old` with a second hidden layer at least as wide as its first, that
    compute what `weights` of `old` do."""
    same = replace(new, name=old.name, seal_ramp=old.seal_ramp, part_ramp=old.part_ramp, hidden2=0)
    if old.hidden2 or same != old or new.hidden2 < old.hidden:
        raise ValueError(f"{new.name} is not {old.name} with a second hidden layer as wide.")
    rng = np.random.default_rng(seed)
    extra = new.hidden2 - old.hidden
    spread = np.sqrt(2.0 / old.hidden)  # Kaiming, as a fresh layer starts
    head2 = np.concatenate([np.eye(old.hidden), rng.normal(0.0, spread, (extra, old.hidden))])
    read = weights["out.weight"]
    unread = np.zeros((len(read), extra, 1))
    out = {name: value.astype(np.float32).copy() for name, value in weights.items()}
    out["head2.weight"] = head2[:, :, None].astype(np.float32)
    out["head2.bias"] = np.zeros(new.hidden2, np.float32)
    out["out.weight"] = np.concatenate([read, unread], axis=1).astype(np.float32)
    return out


def lengthen_weights(
    weights: dict[str, np.ndarray], old: StudentConfig, new: StudentConfig
) -> dict[str, np.ndarray]:
    """The weights of `new`, `old` with a window longer by whole frames on either side, that
    compute what `weights` of `old` do."""
    window = {"past_ms": old.past_ms, "future_ms": old.future_ms}
    same = replace(new, name=old.name, seal_ramp=old.seal_ramp, part_ramp=old.part_ramp, **window)
    more = [
        (new.past_samples - old.past_samples) / HOP,
        (new.future_samples - old.future_samples) / HOP,
    ]
    if same != old or min(more) < 0 or any(frames % 1 for frames in more):
        raise ValueError(f"{new.name} is not {old.name} hearing whole frames farther.")
    out = {name: value.astype(np.float32).copy() for name, value in weights.items()}
    earlier, later = (int(frames) for frames in more)
    out["head.weight"] = np.pad(out["head.weight"], ((0, 0), (0, 0), (earlier, later)))
    return out


def grow_weights(
    weights: dict[str, np.ndarray], old: StudentConfig, new: StudentConfig, seed: int = 0
) -> dict[str, np.ndarray]:
    """Lengthen `old`'s window to `new`'s, widen it to `new`'s widths, then give it `new`'s
    second hidden layer."""
    heard = replace(old, past_ms=new.past_ms, future_ms=new.future_ms)
    if heard != old:
        weights = lengthen_weights(weights, old, heard)
    wide = replace(new, hidden2=0)
    weights = widen_weights(weights, heard, wide, seed)
    return deepen_weights(weights, wide, new, seed) if new.hidden2 else weights


def widen_file(source: Path, new: StudentConfig, out: Path, seed: int = 0) -> ModelFile:
    """Write `source` grown to `new` (its seal and part ramps kept) to `out`."""
    model_file = read_model_file(source)
    old = model_file.config
    if not isinstance(old, StudentConfig):
        raise ValueError(f"{source}: not a student.")
    config = replace(new, seal_ramp=old.seal_ramp, part_ramp=old.part_ramp)
    weights = grow_weights(model_file.weights, old, config, seed)
    card = model_file.card.replace(f"'{old.name}'", f"'{config.name}'")
    write_model_file(out, config.name, config, weights, card, model_file.dtype)
    return read_model_file(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.lab.distill.widen", description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("--to", required=True, choices=sorted(RECIPES), help="a model's name")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    widened = widen_file(args.source, RECIPES[args.to].config, args.out, args.seed)
    count = sum(v.size for v in widened.weights.values())
    print(f"wrote {args.out}: {widened.name}, {count:,} parameters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
