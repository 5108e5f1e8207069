"""Lip gap over time for one utterance and several systems, P/B/M intervals shaded (PNG)."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...demohead.head import CLOSED_GAP_M
from ...phones.phone_set import BILABIALS, SILENCE, Phone
from .scoring import EVAL_FPS

MAX_PLOT_S = 8.0  # longer clips show their first seconds only


def plot_lip_gaps(
    path: Path,
    title: str,
    phones: Sequence[Phone],
    gaps_mm: dict[str, np.ndarray],
    fps: float,
) -> None:
    """One panel per system (name -> gap (T,) in mm at `fps`); bilabials shaded; saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    duration_s = min(max(len(g) for g in gaps_mm.values()) / fps, MAX_PLOT_S)
    top_mm = max(float(np.max(g[: int(duration_s * fps)])) for g in gaps_mm.values()) * 1.1 + 1
    fig, axes = plt.subplots(
        len(gaps_mm),
        1,
        figsize=(max(6.0, 1.6 * duration_s + 2), 1.1 + 1.3 * len(gaps_mm)),
        sharex=True,
        squeeze=False,
    )
    for ax, (name, gap_mm) in zip(axes[:, 0], gaps_mm.items(), strict=True):
        times_s = np.arange(len(gap_mm)) / fps
        for phone in phones:
            if phone.start_s >= duration_s:
                break
            if phone.label in BILABIALS:
                ax.axvspan(phone.start_s, phone.end_s, color="tab:orange", alpha=0.3, lw=0)
        ax.plot(times_s, gap_mm, color="tab:blue", lw=1.2)
        ax.axhline(CLOSED_GAP_M * 1000, color="tab:red", lw=0.8, ls="--")
        ax.set_ylim(0, top_mm)
        ax.set_ylabel("gap mm", fontsize=8)
        ax.set_title(name, fontsize=9, loc="left", pad=2)
        ax.tick_params(labelsize=7)
    top = axes[0, 0]
    for phone in phones:
        if phone.start_s >= duration_s:
            break
        if phone.label != SILENCE:
            top.text(
                0.5 * (phone.start_s + phone.end_s),
                top_mm * 0.98,
                phone.label,
                fontsize=6,
                ha="center",
                va="top",
                color="tab:orange" if phone.label in BILABIALS else "0.35",
            )
    axes[-1, 0].set_xlim(0, duration_s)
    xlabel = "time (s); orange: P/B/M phones (forced alignment); dashed red: closed"
    axes[-1, 0].set_xlabel(xlabel, fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(
    folder: Path, items: Sequence, gaps: dict[str, dict], clip_ids: Sequence[str]
) -> list[Path]:
    """One PNG per clip in clip_ids that is among the items (EvalItem), all systems' gaps
    (name -> clip id -> gap (T,) in mm at 60 fps) in panels; returns the paths written."""
    paths = []
    by_id = {item.item_id: item for item in items}
    for clip_id in clip_ids:
        if clip_id not in by_id:
            continue
        curves = {name: per_clip[clip_id] for name, per_clip in gaps.items() if clip_id in per_clip}
        path = folder / f"{clip_id}.png"
        text = " ".join(by_id[clip_id].text.split()[:12])
        plot_lip_gaps(path, f"{clip_id}: {text}", by_id[clip_id].phones, curves, EVAL_FPS)
        paths.append(path)
    return paths
