"""Add-on benchmark: a 60 s sound strip, Generate click to keys, for every shipped model.

Run with Blender 5.2 as a module: `.venv-blender52/bin/python -m tools.bench.addon`. It builds
and installs the extension into a throw-away user folder (the test harness), speaks 60 s of
speech with espeak-ng, and times `bpy.ops.lipsync.generate` (cold: first call, the model file
read included; warm: best of 3) for every shipped model. Writes reports/addon_bench.md.
"""

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "blender"))

# isort: off
import conftest  # noqa: E402  (isolated Blender user folder before bpy starts)
import bpy  # noqa: E402
from addon_helpers import ext, shipped_model_names, synthesize_speech  # noqa: E402
# isort: on

DURATION_S = 60.0
FPS = 30


def _speech_60s(folder: Path) -> Path:
    line = synthesize_speech(folder / "line.wav")
    import wave

    with wave.open(str(line), "rb") as source:
        params, raw = source.getparams(), source.readframes(source.getnframes())
    needed = int(DURATION_S * params.framerate) * params.sampwidth
    out = folder / "speech_60s.wav"
    with wave.open(str(out), "wb") as sink:
        sink.setparams(params)
        sink.writeframes((raw * (needed // len(raw) + 1))[:needed])
    return out


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tiny-lipsync-bench-"))
    zip_path = conftest.build_extension_zip(folder)
    bpy.ops.extensions.package_install_files(
        filepath=str(zip_path), repo="user_default", enable_on_install=True
    )
    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = FPS
    bpy.ops.lipsync.add_demo_head()
    head = bpy.context.active_object
    speech = _speech_60s(folder)
    ext("addon.compat").new_strip_collection(scene).new_sound("Dialogue", str(speech), 1, 1)
    models = shipped_model_names()
    rows = []
    for model in models:
        times = []
        for _ in range(4):
            start = time.perf_counter()
            bpy.ops.lipsync.generate(strip="Dialogue", model=model, target=head.name)
            times.append(time.perf_counter() - start)
        info = ext("core.api").model_info(ext("core.api").cached_model(model))
        rows.append((info.name, info.parameters, info.file_size, times[0], min(times[1:])))
        print(f"{info.name}: cold {times[0]:.3f} s, warm {min(times[1:]):.3f} s", flush=True)
    frames = int(DURATION_S * FPS)
    lines = [
        "# Add-on benchmark: 60 s strip, Generate click to keys",
        "",
        f"Blender {bpy.app.version_string} as a Python module, background mode (synchronous "
        f"operator), {frames} frames at {FPS} fps x 29 shape keys on the demo head, one CPU "
        "shared with other jobs. Cold = first call (model file read); warm = best of 3.",
        "",
        "| model | parameters | file | cold (s) | warm (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, params, size, cold, warm in rows:
        lines.append(f"| {name} | {params:,} | {size / 1024:.0f} KB | {cold:.3f} | {warm:.3f} |")
    report = REPO / "reports" / "addon_bench.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(lines) + "\n")
    print(report.read_text())


if __name__ == "__main__":
    main()
