"""Training checkpoints (atomic torch.save) and their loss-curve PNGs."""

from pathlib import Path

import numpy as np


def save_checkpoint(path: Path, state: dict) -> None:
    """Write a checkpoint atomically (temporary file, then rename)."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    partial.replace(path)


def load_checkpoint(path: Path) -> dict | None:
    """The checkpoint at path, or None when there is none yet."""
    import torch

    if not path.is_file():
        return None
    return torch.load(path, map_location="cpu", weights_only=True)


def trained_state(source: Path) -> dict | None:
    """{"config", "model" (state_dict), "recipe"} of a run folder's checkpoint or a model file.

    A shipped model file (.npz) stands in for its run, so a fresh machine can pseudo-label with
    the shipped teacher, guide with the shipped S0 and fine-tune a shipped student without the
    run folders they came from (those are not kept in git). The teacher file's frozen encoder
    is left out: training reads encoder features from the cache.
    """
    source = Path(source)
    if source.suffix != ".npz":
        return load_checkpoint(source / "checkpoint.pt")
    import torch

    from ...runtime.configs import WhisperTeacherConfig, config_to_dict
    from ...runtime.modelfile import read_model_file

    model_file = read_model_file(source)
    weights = model_file.weights
    if isinstance(model_file.config, WhisperTeacherConfig):  # its head, as trained
        weights = {n.removeprefix("head."): v for n, v in weights.items() if n.startswith("head.")}
    state = {name: torch.from_numpy(value.astype(np.float32)) for name, value in weights.items()}
    history = [
        line.removeprefix("Training: ").rstrip(".")
        for line in model_file.card.splitlines()
        if line.startswith("Training: ")
    ]
    return {
        "config": config_to_dict(model_file.config),
        "model": state,
        "recipe": history[0] if history else "unknown",
    }


def plot_losses(history: list[dict[str, float]], path: Path, title: str) -> None:
    """Loss curves (each term and the total, log scale, running mean) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    steps = np.arange(1, len(history) + 1)
    for key in history[0] if history else []:
        values = np.array([h[key] for h in history])
        width = max(1, len(values) // 20)
        smooth = np.convolve(values, np.ones(width) / width, mode="valid")
        line = ax.plot(steps, values, alpha=0.25)[0]
        ax.plot(steps[width - 1 :], smooth, color=line.get_color(), label=key)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
