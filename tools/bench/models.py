"""Benchmark every model: size, peak memory, offline speed (one thread), streaming cost, and the
students as ONNX graphs in onnxruntime beside numpy (tools.bench.engines).

    python -m tools.bench.models [--seconds 60] [--runs 5]   -> reports/bench.md, bench.json

Shipped files in assets/models are measured when present; otherwise a file with random
weights of the same architecture (speed and memory do not depend on the weight values).
Each model runs in a fresh process pinned to one BLAS thread, so peak RSS is its own.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy is imported: one thread

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

from core.lab.models import family  # noqa: E402
from core.runtime.catalog import MODELS_DIR, SHIPPED  # noqa: E402
from tools.bench.engines import measure_onnx  # noqa: E402
from tools.bench.engines import table as onnx_table  # noqa: E402

# floors in x real time on one thread (issue 29: the paper's on-device budget)
TARGETS = {"teacher": 50, "s0": 300, "s_tiny": 1000, "s_lowlat": 1000}


def _model_path(name: str, scratch: Path) -> tuple[Path, str]:
    from core.runtime import configs
    from core.runtime.modelfile import expected_shapes, write_model_file

    shipped = MODELS_DIR / f"{name}.npz"
    if shipped.is_file():
        return shipped, "shipped"
    config = {
        "teacher": configs.WhisperTeacherConfig(),
        "s0": family.S0,
        "s_tiny": family.S_TINY,
        "s_lowlat": family.S_LOWLAT,
    }[name]
    rng = np.random.default_rng(0)
    weights = {
        k: (rng.standard_normal(s) * 0.05).astype(np.float32)
        for k, s in expected_shapes(config).items()
    }
    path = scratch / f"{name}.npz"
    write_model_file(path, name, config, weights, "random weights for benchmarking")
    return path, "random weights"


def measure(path: Path, seconds: float, runs: int) -> dict:
    """Measure one model file in this process."""
    from core.api import load_model, model_info, open_stream
    from core.lab.distill.synthetic import synthetic_utterance

    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model = load_model(path)
    info = model_info(model)
    audio = synthetic_utterance("bench", np.random.default_rng(0), seconds).audio
    model.frames(audio[:16000])  # warm-up
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        model.frames(audio)
        walls.append(time.perf_counter() - start)
    result = {
        "name": info.name,
        "parameters": info.parameters,
        "file_bytes": info.file_size,
        "future_ms": info.future_ms,
        "past_ms": info.past_ms,
        "offline_x_realtime": seconds / statistics.median(walls),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_load_mib": rss_before_kib / 1024,
    }
    if info.future_ms != float("inf"):
        block = 267  # about one 60 fps frame of audio per push
        costs = []
        for _ in range(3):
            stream, frames = open_stream(model, 60.0), 0
            start = time.perf_counter()
            for i in range(0, 10 * 16000, block):
                frames += len(stream.push(audio[i : i + block]))
            costs.append((time.perf_counter() - start) / max(1, frames) * 1000)
        result["stream_ms_per_frame"] = statistics.median(costs)
        result |= measure_onnx(path, audio, runs)  # after peak RSS: onnxruntime adds its own
    return result


def _table(results: list[dict], seconds: float, runs: int) -> str:
    lines = [
        "# Benchmark",
        "",
        f"One BLAS thread; offline speed on a {seconds:g} s clip, median of {runs} runs; "
        "streaming: 10 s pushed in 267-sample blocks at 60 fps, median of 3. "
        "Latency = future context + 10 ms frame grid (+ 16.7 ms with ensemble smoothing).",
        "",
        "| model | weights | parameters | file | peak RSS | offline (x real time) | target "
        "| stream / frame | future |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        stream = f"{r['stream_ms_per_frame']:.3f} ms" if "stream_ms_per_frame" in r else "n/a"
        future = "whole clip" if r["future_ms"] == float("inf") else f"{r['future_ms']:g} ms"
        lines.append(
            f"| {r['name']} | {r['weights']} | {r['parameters']:,} | "
            f"{r['file_bytes'] / 1e6:.2f} MB | {r['peak_rss_mib']:.0f} MiB "
            f"(+{r['peak_rss_mib'] - r['rss_before_load_mib']:.0f}) | "
            f"{r['offline_x_realtime']:.0f}x | {TARGETS.get(r['name'], '')}x | {stream} "
            f"| {future} |"
        )
    lines.append("")
    lines.append(
        f"Machine: {os.uname().machine}, Python {sys.version.split()[0]}, numpy {np.__version__}."
    )
    return "\n".join(lines) + "\n\n" + onnx_table(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--one", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.seconds, args.runs)))
        return
    scratch = Path("build/bench")
    scratch.mkdir(parents=True, exist_ok=True)
    results = []
    for name in SHIPPED:
        path, kind = _model_path(name, scratch)
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "tools.bench.models",
                "--one",
                str(path),
                "--seconds",
                str(args.seconds),
                "--runs",
                str(args.runs),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]) | {"weights": kind})
        print(f"{name}: {results[-1]['offline_x_realtime']:.0f}x real time")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, indent=2, default=str))
    (args.out / "bench.md").write_text(_table(results, args.seconds, args.runs))
    print(f"wrote {args.out / 'bench.md'}")


if __name__ == "__main__":
    main()
