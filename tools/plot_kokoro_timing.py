"""Plot Kokoro sentences with both phone timings: the model's durations and forced alignment.

    .venv/bin/python tools/plot_kokoro_timing.py --out reports/kokoro_timing.png

One panel per sentence: waveform, short-time energy (dB, 10 ms hop), and the /p b m/ spans of
each source (durations above, pocketsphinx below). A lip closure is a drop in energy (silence
for /p b/, a murmur for /m/); whichever source puts its spans on those drops is right.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.audio import SAMPLE_RATE  # noqa: E402
from core.corpus import kokoro  # noqa: E402
from core.corpus.align import align  # noqa: E402
from core.phone_set import BILABIALS  # noqa: E402

CASES = (
    ("af_heart", "Bob met Pam by the pump, maybe."),
    ("bm_george", "A big brown bear ate a bun by the pub."),
    ("am_adam", "Every member bumped into my umbrella."),
    ("bf_emma", "The plumber put a lamp upon the table."),
)


def energy_db(audio: np.ndarray, hop_s: float = 0.01, window_s: float = 0.02):
    """(times s, energy dB) of 20 ms windows every 10 ms."""
    hop, window = int(hop_s * SAMPLE_RATE), int(window_s * SAMPLE_RATE)
    starts = np.arange(0, max(1, len(audio) - window), hop)
    power = np.array([np.mean(audio[s : s + window] ** 2) for s in starts])
    return (starts + window / 2) / SAMPLE_RATE, 10 * np.log10(power + 1e-10)


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("reports/kokoro_timing.png"))
    args = parser.parse_args()
    fig, axes = plt.subplots(len(CASES), 1, figsize=(15, 3.2 * len(CASES)))
    for ax, (voice, text) in zip(axes, CASES, strict=True):
        audio, durations = kokoro.synthesize_raw(text, voice)
        aligned = align(audio, text)
        times_s, db = energy_db(audio)
        ax.plot(
            np.arange(len(audio)) / SAMPLE_RATE,
            audio / np.abs(audio).max() * 30 - 45,
            lw=0.3,
            color="0.6",
        )
        ax.plot(times_s, db, color="black", lw=1)
        sources = ((durations, -5, 0, "tab:orange", "durations"),
                   (aligned, -10, -5, "tab:blue", "pocketsphinx"))  # fmt: skip
        for phones, low, high, color, name in sources:
            for p in phones:
                if p.label in BILABIALS:
                    ax.fill_between([p.start_s, p.end_s], low, high, color=color, alpha=0.8)
                    ax.text(p.start_s, high + 0.3, p.label, fontsize=7, color=color)
                ax.axvline(
                    p.start_s,
                    ymin=0.9 if name == "durations" else 0.8,
                    ymax=1.0 if name == "durations" else 0.9,
                    color=color,
                    lw=0.5,
                )
            ax.plot([], [], color=color, lw=6, label=f"/p b m/ by {name}")
        ax.set_ylim(-80, 2)
        ax.set_xlim(0, len(audio) / SAMPLE_RATE)
        ax.set_ylabel("energy dB")
        ax.set_title(f"Kokoro {voice}: {text}", fontsize=9)
        ax.legend(loc="lower right", fontsize=7)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=100)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
