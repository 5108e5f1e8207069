"""Benchmark the students as ONNX graphs in onnxruntime beside the numpy runtime, one thread:
the clip graph per second of audio, the streaming graph per 10 ms hop.

    python -m tools.bench.engines [--seconds 60] [--runs 5]   (also rows of `make bench`)

Run in a process pinned to one BLAS thread (tools.bench.models does), onnxruntime with
intra_op_num_threads = inter_op_num_threads = 1. Times include the Python call of
`InferenceSession.run` (about 15 us), which an engine's C/C++/C# call also pays in part.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported: one thread

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HOPS = 2000  # 10 ms hops per streaming run (20 s of audio)


def _session(model_bytes: bytes):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, options, ["CPUExecutionProvider"])


def measure_onnx(path: Path, audio: np.ndarray, runs: int) -> dict:
    """ONNX sizes and speeds of one student file, with the numpy streaming cost per hop."""
    from core.api import load_model, open_stream
    from core.engines.export import metadata, onnx_model
    from core.runtime.configs import HOP

    clip, streaming = onnx_model(path), onnx_model(path, streaming=True)
    clip_bytes, stream_bytes = clip.SerializeToString(), streaming.SerializeToString()
    session = _session(clip_bytes)
    session.run(None, {"audio": audio[None, :16000]})  # warm-up
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, {"audio": audio[None]})
        walls.append(time.perf_counter() - start)
    seconds = len(audio) / 16000

    stream = _session(stream_bytes)
    state = np.zeros((1, int(metadata(streaming)["state_size"])), np.float32)
    hops = audio[: HOPS * HOP].reshape(-1, 1, HOP)
    for hop in hops[:100]:  # warm-up
        _, _, state = stream.run(None, {"audio": hop, "state": state})
    per_hop = []
    for _ in range(runs):
        start = time.perf_counter()
        for hop in hops:
            _, _, state = stream.run(None, {"audio": hop, "state": state})
        per_hop.append((time.perf_counter() - start) / len(hops))

    model = load_model(path)  # numpy, the same hops, 100 fps frames without smoothing
    numpy_per_hop = []
    for _ in range(runs):
        numpy_stream = open_stream(model, 100.0, smoothing=False)
        start = time.perf_counter()
        for hop in hops:
            numpy_stream.push(hop[0])
        numpy_per_hop.append((time.perf_counter() - start) / len(hops))
    return {
        "onnx_clip_bytes": len(clip_bytes),
        "onnx_stream_bytes": len(stream_bytes),
        "onnx_clip_ms_per_s": statistics.median(walls) / seconds * 1000,
        "onnx_stream_ms_per_hop": statistics.median(per_hop) * 1000,
        "numpy_stream_ms_per_hop": statistics.median(numpy_per_hop) * 1000,
    }


def table(results: list[dict]) -> str:
    """The onnxruntime rows as Markdown (results carry `name` and `offline_x_realtime`)."""
    import onnxruntime

    lines = [
        "## ONNX (onnxruntime, CPU, one thread)",
        "",
        "`tiny-lipsync export-onnx` graphs (docs/engines.md). Clip graph: ms per second of audio;"
        " streaming graph: ms per 10 ms hop (the numpy runtime streaming the same 10 ms hops at"
        " 100 fps beside it); numpy offline converted to ms per second of audio.",
        "",
        "| model | clip .onnx | streaming .onnx | onnxruntime clip / s audio | numpy offline / s "
        "audio | onnxruntime stream / hop | numpy stream / hop |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "onnx_clip_bytes" not in r:
            continue
        lines.append(
            f"| {r['name']} | {r['onnx_clip_bytes'] / 1e6:.2f} MB | "
            f"{r['onnx_stream_bytes'] / 1e6:.2f} MB | {r['onnx_clip_ms_per_s']:.2f} ms | "
            f"{1000 / r['offline_x_realtime']:.2f} ms | {r['onnx_stream_ms_per_hop']:.3f} ms | "
            f"{r['numpy_stream_ms_per_hop']:.3f} ms |"
        )
    lines.append("")
    lines.append(f"onnxruntime {onnxruntime.__version__}.")
    return "\n".join(lines) + "\n"


def speech(seconds: float) -> np.ndarray:
    """The shipped sample speech repeated to `seconds` of 16 kHz audio."""
    import soundfile as sf

    from core.runtime.catalog import MODELS_DIR

    samples, _ = sf.read(MODELS_DIR.parent / "sample_speech.wav", dtype="float32")
    return np.resize(samples, int(seconds * 16000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from core.api import load_model
    from core.runtime.catalog import MODELS_DIR

    audio = speech(args.seconds)
    results = []
    for name in ("s0", "s_tiny", "s_lowlat"):
        path = MODELS_DIR / f"{name}.npz"
        model = load_model(path)
        start = time.perf_counter()
        model.frames(audio)
        offline = args.seconds / (time.perf_counter() - start)
        row = {"name": name, "offline_x_realtime": offline}
        results.append(row | measure_onnx(path, audio, args.runs))
        print(f"{name}: done", file=sys.stderr)
    print(table(results))


if __name__ == "__main__":
    main()
