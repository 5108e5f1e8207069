"""Benchmark, not a test: one hour of real speech through the CLI, the core API and the add-on.

    .venv/bin/python -m tools.bench.long_audio            # builds data/long/one_hour.wav once
    .venv-blender52/bin/python -m tools.bench.long_audio --blender [--key-tolerance 0.001]

The hour is the real-speech dev set (data/devset) looped to 3600 s, 44.1 kHz mono 16-bit.
Prints wall time and peak memory: the CLI's peak RSS (whole process), the API's peak traced
numpy/Python allocations (tracemalloc), and Blender's peak RSS for the add-on's Generate.
"""

import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
LONG_WAV = ROOT / "data" / "long" / "one_hour.wav"
RATE, SECONDS, FPS = 44100, 3600, 30
BEZTRIPLE_BYTES = 72  # sizeof(BezTriple) in Blender's DNA (4.2 to 5.2): one keyframe


def build_one_hour() -> Path:
    """Loop the dev set's clips (resampled to 44.1 kHz) into one hour of 16-bit mono."""
    import soundfile

    from core.audio.prepare import resample

    if LONG_WAV.is_file():
        return LONG_WAV
    clips = []
    for path in sorted((ROOT / "data" / "devset").glob("*.wav")):
        samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        clips.append(resample(samples.mean(axis=1), rate, RATE))
    LONG_WAV.parent.mkdir(parents=True, exist_ok=True)
    partial = LONG_WAV.with_suffix(".partial.wav")
    with soundfile.SoundFile(str(partial), "w", RATE, 1, "PCM_16") as out:
        written, i = 0, 0
        while written < RATE * SECONDS:
            clip = clips[i % len(clips)][: RATE * SECONDS - written]
            out.write(clip)
            written, i = written + len(clip), i + 1
    partial.replace(LONG_WAV)
    return LONG_WAV


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def current_rss_mb() -> float:
    """Resident memory now (Linux), not the high-water mark."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def reset_peak_rss() -> None:
    """Start the high-water mark afresh (Linux), so that it tells one step's peak only."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def peak_rss_since_reset_mb() -> float:
    """The process's peak resident memory since `reset_peak_rss` (VmHWM, Linux)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def bench_cli(model: str) -> None:
    out = ROOT / "data" / "long" / "one_hour.csv"
    start = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "core.cli",
        "predict",
        str(LONG_WAV),
        "--model",
        model,
        "--fps",
        str(FPS),
        "--out",
        str(out),
    ]
    subprocess.run(command, cwd=ROOT, check=True)
    wall = time.perf_counter() - start
    rss = peak_rss_mb(resource.RUSAGE_CHILDREN)
    rows = sum(1 for _ in out.open()) - 1
    print(f"CLI  {model}: {wall:.1f} s wall, peak RSS {rss:.0f} MB, {rows} rows")


def bench_api(model_name: str) -> None:
    from core import api

    model = api.load_model(model_name)
    marks = []

    def progress(fraction: float, text: str) -> None:
        if not marks or fraction - marks[-1] >= 0.1 or fraction == 1.0:
            marks.append(fraction)
            print(f"  {text}: {fraction:.0%} at {time.perf_counter() - start:.1f} s", flush=True)

    tracemalloc.start()
    start = time.perf_counter()
    animation = api.predict_file(model, LONG_WAV, FPS, progress=progress)
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert np.all(np.isfinite(animation.weights))
    print(
        f"API  {model_name}: {wall:.1f} s wall, peak traced {peak:.0f} MB, "
        f"{animation.frame_count} frames, process peak RSS "
        f"{peak_rss_mb(resource.RUSAGE_SELF):.0f} MB"
    )


def bench_blender(model: str, wav: Path, key_tolerance: float = 0.0) -> None:
    """Install the built extension as the tests do, then Generate from `wav` (one hour)."""
    sys.path.insert(0, str(ROOT / "tests" / "blender"))
    import importlib
    import tempfile

    harness = importlib.import_module("conftest")  # first: it points bpy at a throw-away user dir
    import bpy

    ADDON_MODULE = harness.ADDON_MODULE
    zip_path = harness.build_extension_zip(Path(tempfile.mkdtemp()))
    assert bpy.ops.extensions.package_install_files(
        filepath=str(zip_path), repo=harness.REPO_MODULE, enable_on_install=True
    ) == {"FINISHED"}
    bpy.ops.wm.read_homefile(use_empty=True)
    rig = __import__(f"{ADDON_MODULE}.core.rig.arkit", fromlist=["LOWER_FACE"])
    mesh = bpy.data.meshes.new("Head")
    mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
    head = bpy.data.objects.new("Head", mesh)
    bpy.context.scene.collection.objects.link(head)
    for name in ("Basis", *rig.LOWER_FACE):
        head.shape_key_add(name=name)
    bpy.context.scene.render.fps = FPS
    options = {"key_tolerance": key_tolerance} if key_tolerance else {}
    baseline = current_rss_mb()  # Blender's own baseline: the scene loaded, nothing generated
    reset_peak_rss()  # Generate's own peak, not an earlier one (installing the extension...)
    start = time.perf_counter()
    result = bpy.ops.lipsync.generate(
        filepath=str(wav), frame_start=1, model=model, target="Head", **options
    )
    wall = time.perf_counter() - start
    peak = peak_rss_since_reset_mb()  # before reading the keys back (that costs too)
    frames, _, _ = __import__(f"{ADDON_MODULE}.addon.keying", fromlist=["x"]).take_curves(head)
    key = head.data.shape_keys
    compat = __import__(f"{ADDON_MODULE}.addon.compat", fromlist=["x"])
    curves = compat.action_fcurves(key.animation_data.action, key)
    keys = sum(len(fcurve.keyframe_points) for fcurve in curves)
    # What Blender itself holds: a BezTriple per key in the Action and again in the depsgraph's
    # evaluated copy of it (the view-layer update after every bpy.ops call, or a redraw).
    blender_mb = 2 * keys * BEZTRIPLE_BYTES / 2**20
    print(
        f"Blender {bpy.app.version_string} {model} key_tolerance={key_tolerance:g}: {result} "
        f"{wall:.1f} s wall, baseline {baseline:.0f} MB, peak RSS {peak:.0f} MB, "
        f"+{peak - baseline:.0f} MB over the baseline, {len(frames)} frames, {keys} keys "
        f"(Blender's 2 x 72 B per key: {blender_mb:.0f} MB)"
    )
    sys.stdout.flush()


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


if __name__ == "__main__":
    if "--blender" in sys.argv:
        bench_blender(
            "s_tiny", Path(_option("--wav", str(LONG_WAV))), float(_option("--key-tolerance", "0"))
        )
        import os

        os._exit(0)  # bpy 4.2 crashes in its teardown (see tests/blender/conftest.py)
    build_one_hour()
    bench_api("s_tiny")
    bench_cli("s_tiny")
