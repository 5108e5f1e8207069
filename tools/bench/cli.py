"""End-to-end speed of `python -m core.cli predict`: a 10-minute WAV at 16, 44.1 and 48 kHz.

    .venv/bin/python -m tools.bench.cli [--minutes 10] [--runs 3]   -> reports/cli_speed.md

Each run is a fresh process, timed from outside (read, resample, model, 30 fps CSV written).
Start-up (interpreter, imports, model load) is excluded by difference with a 2 s file of the
same speech: speed = (long_s - short_s) / (time_long - time_short), medians of `runs`, for the
wall clock and for the CPU time of the process (user + system; on a machine shared with other
jobs the wall clock also counts their turns). The speech is the bundled LibriVox sample looped,
16-bit PCM, resampled to each rate.
"""

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[2]
RATES = (16000, 44100, 48000)
SHORT_S = 2.0
FPS = 30
TARGETS = {16000: 1000, 44100: 500, 48000: 500}


def write_speech(path: Path, seconds: float, rate: int) -> None:
    """The bundled sample looped to `seconds`, at `rate`, as 16-bit mono WAV."""
    from scipy.signal import resample_poly

    sample, sample_rate = soundfile.read(REPO / "assets" / "sample_speech.wav", dtype="float32")
    looped = np.resize(sample, int(seconds * sample_rate))
    if rate != sample_rate:
        looped = resample_poly(looped, rate, sample_rate).astype(np.float32)
    soundfile.write(path, np.clip(looped, -1, 1), rate, subtype="PCM_16")


def run_s(audio: Path, model: str, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `core.cli predict` process, from outside."""
    command = [sys.executable, "-m", "core.cli", "predict", str(audio), "--model", model]
    command += ["--fps", str(FPS), "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def medians(audio: Path, model: str, out: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds over `runs` runs."""
    walls, cpus = zip(*(run_s(audio, model, out) for _ in range(runs)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="s_tiny")
    parser.add_argument("--scratch", type=Path, default=REPO / "build" / "bench_cli")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "cli_speed.md")
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    long_s = args.minutes * 60.0
    rows = []
    for rate in RATES:
        files = {}
        for seconds in (SHORT_S, long_s):
            files[seconds] = args.scratch / f"speech-{seconds:g}s-{rate}.wav"
            if not files[seconds].exists():
                write_speech(files[seconds], seconds, rate)
        csv = args.scratch / "out.csv"
        short = medians(files[SHORT_S], args.model, csv, args.runs)
        long = medians(files[long_s], args.model, csv, args.runs)
        speeds = [(long_s - SHORT_S) / (b - a) for a, b in zip(short, long, strict=True)]
        rows.append((rate, short, long, speeds))
        print(f"{rate} Hz: wall {speeds[0]:.0f}x, CPU {speeds[1]:.0f}x real time")
    lines = [
        "# Command-line speed",
        "",
        f"`python -m core.cli predict <wav> --model {args.model} --fps {FPS} --out out.csv` on a "
        f"{args.minutes:g}-minute 16-bit mono WAV (the bundled LibriVox sample looped), each run "
        f"a fresh process timed from outside, median of {args.runs}. Start-up (Python, imports, "
        f"model load) is excluded by difference with a {SHORT_S:g} s file: speed = "
        f"({long_s:g} - {SHORT_S:g}) s / (wall of the long file - wall of the short one). "
        "Made by `tools/bench/cli.py`.",
        "",
        "| sample rate | 2 s file (wall / CPU) | 10 min file (wall / CPU) | speed, wall clock "
        "| speed, CPU time | target |",
        "|---|---|---|---|---|---|",
    ]
    for rate, short, long, (wall_speed, cpu_speed) in rows:
        lines.append(
            f"| {rate / 1000:g} kHz | {short[0]:.2f} / {short[1]:.2f} s "
            f"| {long[0]:.2f} / {long[1]:.2f} s | {wall_speed:.0f}x | {cpu_speed:.0f}x "
            f"| {TARGETS[rate]}x |"
        )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    lines += [
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load} when the "
        f"table was written; Python {sys.version.split()[0]}, numpy {np.__version__}; `predict` "
        "runs BLAS on one thread.",
    ]
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
