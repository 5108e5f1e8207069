"""Plot a sentence's waveform, phone intervals and the demo head's lip gap to a PNG.

    .venv/bin/python -m tools.demo.plot_labels --engine espeak --voice en-us \\
        --text "Bob bought a big map, pop!" --out build/labels-espeak.png
    .venv/bin/python -m tools.demo.plot_labels --audio a.wav --phones a.txt --out a.png

A phones file has one "start_s end_s LABEL" line per phone. P/B/M intervals are shaded; the
title gives how many of them close (lip gap below core.demohead.head.CLOSED_GAP_M) and how many
T/D/K/G/N/S intervals wrongly close.
"""

import argparse
import sys
from pathlib import Path

import numpy as np


from core.audio.prepare import SAMPLE_RATE  # noqa: E402
from core.audio.blocks import file_blocks  # noqa: E402
from core.lab.corpus.dataset import LABEL_FPS  # noqa: E402
from core.errors import LipSyncError  # noqa: E402
from core.demohead.head import CLOSED_GAP_M, lip_gap  # noqa: E402
from core.phones.animator import animate  # noqa: E402
from core.phones.closures import count_closures  # noqa: E402
from core.phones.phone_set import BILABIALS, Phone, base_label  # noqa: E402
from core.rig.arkit import LOWER_FACE  # noqa: E402


def synthesize(engine: str, voice: str, text: str) -> tuple[np.ndarray, list[Phone]]:
    """Audio (N,) at 16 kHz and phones of `text` spoken by one engine's voice."""
    if engine == "espeak":
        from core.lab.corpus import espeak

        result = espeak.synthesize(text, voice or "en-us")
    elif engine == "festival":
        from core.lab.corpus import festival

        result = festival.synthesize_batch([text], voice or "kal")[0]
    elif engine == "flite":
        from core.lab.corpus import flite

        result = flite.synthesize(text, voice or "slt")
    elif engine == "kokoro":
        from core.lab.corpus import kokoro

        result = kokoro.synthesize(text, voice or "af_heart")
    else:
        raise SystemExit(f"Unknown engine {engine!r}: espeak, festival, flite or kokoro.")
    return result.audio, list(result.phones)


def read_phones(path: Path) -> list[Phone]:
    """Phones from a text file of "start_s end_s LABEL" lines."""
    phones = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 3:
            phones.append(Phone(float(fields[0]), float(fields[1]), fields[2]))
    return phones


def plot(audio: np.ndarray, phones: list[Phone], title: str, out: Path) -> str:
    """Draw waveform, phones, lip gap and the main channels; return the closure summary."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    duration_s = len(audio) / SAMPLE_RATE
    weights = animate(phones, duration_s, LABEL_FPS)  # (T, 29)
    gap_mm = lip_gap(weights, LOWER_FACE) * 1000.0  # (T,)
    times_s = np.arange(len(weights)) / LABEL_FPS
    counts = count_closures(phones, gap_mm <= CLOSED_GAP_M * 1000.0, LABEL_FPS)
    summary = (
        f"P/B/M closed {counts.bilabials_closed}/{counts.bilabials}; "
        f"T/D/K/G/N/S closed mid-interval {counts.open_closed_middle}/{counts.open_phones} "
        f"(any frame {counts.open_closed_any})"
    )
    fig, axes = plt.subplots(4, 1, figsize=(14, 9), sharex=True, height_ratios=[2, 1, 2, 2])
    wave_ax, phone_ax, gap_ax, curve_ax = axes
    wave_ax.plot(np.arange(len(audio)) / SAMPLE_RATE, audio, lw=0.4, color="0.2")
    wave_ax.set_ylabel("waveform")
    wave_ax.set_title(f"{title}\n{summary}", fontsize=10)
    for phone in phones:
        bilabial = base_label(phone.label) in BILABIALS
        for ax in axes:
            if bilabial:
                ax.axvspan(phone.start_s, phone.end_s, color="tab:red", alpha=0.18, lw=0)
        phone_ax.axvline(phone.start_s, color="0.6", lw=0.5)
        phone_ax.text(
            0.5 * (phone.start_s + phone.end_s), 0.5, phone.label, ha="center", va="center",
            fontsize=8, rotation=90 if phone.end_s - phone.start_s < 0.05 else 0,
            color="tab:red" if bilabial else "black",
        )
    phone_ax.set_yticks([])
    phone_ax.set_ylabel("phones")
    gap_ax.plot(times_s, gap_mm, ".-", ms=3, color="tab:blue")
    gap_ax.axhline(CLOSED_GAP_M * 1000.0, color="tab:red", ls="--", lw=0.8, label="closed below")
    gap_ax.set_ylabel("lip gap (mm)")
    gap_ax.legend(loc="upper right", fontsize=8)
    for name in ("jawOpen", "mouthClose", "mouthPressLeft", "mouthPucker", "mouthFunnel",
                 "mouthRollLower", "tongueOut"):
        curve_ax.plot(times_s, weights[:, LOWER_FACE.index(name)], lw=1, label=name)
    curve_ax.set_ylabel("weight")
    curve_ax.set_xlabel("time (s)")
    curve_ax.legend(loc="upper right", fontsize=7, ncol=4)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["espeak", "festival", "flite", "kokoro"])
    parser.add_argument("--voice", default="")
    parser.add_argument("--text", default="Bob bought a big map, pop!")
    parser.add_argument("--audio", type=Path, help="a speech file instead of an engine")
    parser.add_argument("--phones", type=Path, help="its phones, 'start_s end_s LABEL' lines")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.audio is not None:
        if args.phones is None:
            parser.error("--audio needs --phones")
        audio = np.concatenate(list(file_blocks(args.audio).blocks_16k()))  # 16 kHz mono
        phones, title = read_phones(args.phones), str(args.audio)
    elif args.engine is not None:
        try:
            audio, phones = synthesize(args.engine, args.voice, args.text)
        except LipSyncError as error:
            raise SystemExit(str(error)) from None
        title = f"{args.engine} {args.voice or '(default voice)'}: {args.text}"
    else:
        parser.error("give --engine or --audio")
    print(plot(audio, phones, title, args.out))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
