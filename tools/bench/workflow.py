"""Workflow benchmark: the whole scene in one go, and corrections on a one-minute take.

Run with each Blender as a module (`make bench-workflow` runs both):
    .venv-blender52/bin/python -m tools.bench.workflow
    .venv-blender42/bin/python -m tools.bench.workflow

It builds and installs the extension into a throw-away user folder (the test harness), speaks
20 dialogue lines with espeak-ng for three characters (Alice, Bob, Carol: demo heads), and
times `lipsync.generate_all` with S-tiny as a click in the UI does (its undo push on): cold
(first call, the model file read) and again (`force`), then the second click that skips every
strip, and checks that one undo restores the file. Then a 60 s take on one head: the median
and worst of 5 deletes, adds and moves of a closure, each re-keying its frames only (checked).
Blender 4.2's wheel cannot hold sound strips: there the strips are the tests' stand-ins
(tests/blender/dialogue_scene.py). Writes its rows into reports/workflow_bench.md (the other
Blender's rows kept), the first run's whole report to reports/workflow/whole_scene_report_*.txt
and the before/after lip-gap plot of the first corrections to
reports/workflow/correction_before_after.png.
"""

import os
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "blender"))

# isort: off
import conftest  # noqa: E402  (isolated Blender user folder before bpy starts)
import bpy  # noqa: E402
import numpy as np  # noqa: E402
from addon_helpers import ext, fingerprint, synthesize_speech  # noqa: E402
from dialogue_scene import AUDIO, DialogueScene, add_character, wav_seconds  # noqa: E402
# isort: on

FPS = 30
CHARACTERS = ("Alice", "Bob", "Carol")
LINES = (
    "Bob met Pam by the pump at the mall.",
    "Maybe my mum made bread, but Ben bought plums and a map.",
    "Please pass the butter, Bill, before the bus comes back.",
    "The bright blue boat bobbed beside the pier all morning.",
    "I promised to bring both maps to the meeting, remember?",
    "People build bridges because some problems cannot be walked around.",
    "My brother bakes the best apple pie in the whole valley.",
)
REPORT = REPO / "reports" / "workflow_bench.md"
PLOT = REPO / "reports" / "workflow" / "correction_before_after.png"
HEADER = "| Blender | what | measured |"


def speak_lines(folder: Path) -> list[Path]:
    """20 lines of speech, 3-8 s each (espeak-ng, three voices)."""
    voices = ("en-us+m3", "en-us+f3", "en+m1")
    paths = []
    for i in range(20):
        text = " ".join(LINES[(i + k) % len(LINES)] for k in range(1 + i % 2))
        paths.append(synthesize_speech(folder / f"line_{i:02d}.wav", text, voices[i % 3]))
    return paths


def speech_60s(folder: Path, lines: list[Path]) -> Path:
    """60 s of the lines one after another (a one-minute take)."""
    out, frames = folder / "speech_60s.wav", b""
    with wave.open(str(lines[0]), "rb") as first:
        params = first.getparams()
    for path in lines:
        with wave.open(str(path), "rb") as source:
            frames += source.readframes(source.getnframes())
    needed = int(60.0 * params.framerate) * params.sampwidth
    with wave.open(str(out), "wb") as sink:
        sink.setparams(params)
        sink.writeframes((frames * (needed // len(frames) + 1))[:needed])
    return out


def whole_scene(lines: list[Path]) -> list[tuple[str, str]]:
    """Generate All on 20 strips of 3 characters: timings, skip, undo."""
    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = FPS
    for name in CHARACTERS:
        add_character(name)
    strips = DialogueScene(scene)
    cursor = {name: 1 for name in CHARACTERS}
    audio_s = 0.0
    for i, path in enumerate(lines):
        who = CHARACTERS[i % 3]
        strips.add(f"{who}: line {i + 1}", path, cursor[who], channel=1 + i % 3)
        seconds = wav_seconds(path)
        cursor[who] += int(np.ceil(seconds * FPS)) + 12
        audio_s += seconds
    minutes = audio_s / 60.0
    assert bpy.ops.ed.undo_push(message="before") == {"FINISHED"}
    before = fingerprint()
    cold = _timed(lambda: bpy.ops.lipsync.generate_all("EXEC_DEFAULT", True, model="s_tiny"))
    report = bpy.context.window_manager.lipsync_status.scene_report
    assert report.startswith("Keyed 20 of 20 sound strips on 3 objects"), report
    keyed = fingerprint()
    assert bpy.ops.ed.undo() == {"FINISHED"}  # one step back: the file as it was
    undone = fingerprint() == before and keyed != before
    assert bpy.ops.ed.redo() == {"FINISHED"}
    redone = fingerprint() == keyed
    strips.refresh()
    skip = _timed(lambda: bpy.ops.lipsync.generate_all("EXEC_DEFAULT", True, model="s_tiny"))
    assert "20 skipped" in bpy.context.window_manager.lipsync_status.scene_report
    again = _timed(
        lambda: bpy.ops.lipsync.generate_all("EXEC_DEFAULT", True, model="s_tiny", force=True)
    )
    visemes = _timed(
        lambda: bpy.ops.lipsync.generate_all(model="s_tiny", output="VISEMES", viseme_set="rhubarb")
    )
    (REPORT.parent / "workflow").mkdir(parents=True, exist_ok=True)
    (
        REPORT.parent / "workflow" / f"whole_scene_report_{bpy.app.version_string[:3]}.txt"
    ).write_text(report + "\n")
    where = "real sound strips" if AUDIO else "stand-in strips (the 4.2 wheel has no Audaspace)"
    return [
        ("scene", f"20 strips, 3 characters, {audio_s:.1f} s of speech, {where}"),
        ("machine load (1-minute load average, 2 cores)", f"{os.getloadavg()[0]:.1f}"),
        ("Generate All, S-tiny, first click (model read)", _per_minute(cold, minutes)),
        ("Generate All again (force)", _per_minute(again, minutes)),
        ("second click: every strip skipped (same settings)", _seconds(skip)),
        ("Generate All, Rhubarb visemes", _per_minute(visemes, minutes)),
        (
            "one undo after Generate All restores the file, redo keys it again",
            "yes" if undone and redone else f"NO (undo {undone}, redo {redone})",
        ),
        ("report, first line", report.splitlines()[0]),
    ]


def _timed(run) -> tuple[float, float]:
    """(wall, CPU) seconds of run(); CPU time counts this process's threads only, so it is
    what the job costs even when other jobs share the cores."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    assert result in ({"FINISHED"},) or isinstance(result, tuple), result
    return time.perf_counter() - wall, time.process_time() - cpu


def _seconds(timed: tuple[float, float]) -> str:
    return f"{timed[0]:.3f} s wall, {timed[1]:.3f} s CPU"


def _per_minute(timed: tuple[float, float], minutes: float) -> str:
    wall, cpu = timed
    return (
        f"{wall:.2f} s wall = {wall / minutes:.2f} s per minute of audio; "
        f"{cpu:.2f} s CPU = {cpu / minutes:.2f} s per minute"
    )


def corrections(speech: Path) -> list[tuple[str, str]]:
    """Delete, add and move closures on a 60 s take: the apply (the operators' body: edit,
    re-key, closure list, markers) five times each, then the same as a script calls the
    operators (bpy.ops, with the undo push a click makes), and the frames they touch."""
    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = FPS
    head = add_character("Alice")
    scene.lipsync.target = head
    bpy.ops.lipsync.generate(filepath=str(speech), frame_start=1, model="s_tiny", target="Alice")
    action = head.data.shape_keys.animation_data.action
    compat, store = ext("addon.compat"), ext("addon.take_store")
    correct, Correction = (
        ext("addon.closure_edit").correct,
        ext("core.corrections.edit_log").Correction,
    )
    count = len(action.lipsync_take.closures)
    gap = ext("core.demohead.head").lip_gap
    weights, channels = store.weights_of(action)
    before_gap = gap(weights, channels)
    apply = {"delete": [], "add": [], "move": []}
    farthest, events = 0.0, []
    for i in range(5):
        closure = store.closures_of(action)[10 + 20 * i]
        middle_s, length_s = closure.middle / FPS, (closure.stop - closure.start) / FPS
        edits = (
            ("delete", Correction("delete", middle_s), [(closure.start, closure.stop - 1)]),
            ("add", Correction("add", 5.0 + 10 * i), [(150 + 300 * i,) * 2]),
            ("move", Correction("move", middle_s + 1.0, 8.0 + 10 * i, length_s), None),
        )
        for kind, correction, spans in edits:
            if kind == "move":  # the closure nearest 1 s after the deleted one
                near = min(
                    store.closures_of(action), key=lambda c: abs(c.middle / FPS - middle_s - 1.0)
                )
                correction = Correction("move", near.middle / FPS, 8.0 + 10 * i, length_s)
                spans = [(near.start, near.stop - 1), (240 + 300 * i,) * 2]
            if correction.kind == "move":
                events += [(correction.at_s, "moved"), (correction.to_s, "to")]
            else:
                events.append((correction.at_s, "deleted" if kind == "delete" else "added"))
            keys = _keys(compat, head)
            apply[kind].append(_timed(lambda c=correction: correct(bpy.context, head, action, c)))
            changed = _changed(keys, _keys(compat, head)) - 1.0  # as take rows
            distance = np.min([_distance_ms(changed, a, b, keep=True) for a, b in spans], axis=0)
            farthest = max(farthest, float(distance.max(initial=0.0)))
    weights, _ = store.weights_of(action)
    _plot(before_gap, gap(weights, channels), events)
    calls = {"delete": [], "add": [], "move": []}
    for i in range(3):
        scene.frame_set(1500 + 30 * i)
        runs = {
            "delete": lambda i=i: bpy.ops.lipsync.closure_delete("EXEC_DEFAULT", True, index=5 + i),
            "add": lambda: bpy.ops.lipsync.closure_add("EXEC_DEFAULT", True),
            "move": lambda i=i: bpy.ops.lipsync.closure_move("EXEC_DEFAULT", True, index=30 + i),
        }
        for kind, run in runs.items():
            calls[kind].append(_timed(run))
    rows = [("take", f"60 s at {FPS} fps, 29 shape keys, {count} closures")]
    for kind in apply:
        rows.append((f"{kind} a closure: apply (edit, re-key, list, markers)", _ms(apply[kind])))
    for kind in calls:
        rows.append((f"{kind} a closure: bpy.ops call with its undo push", _ms(calls[kind])))
    rows.append(("farthest changed key from its edit", f"{farthest:.0f} ms (limit 150 ms)"))
    return rows


def _ms(timings: list[tuple[float, float]]) -> str:
    wall = [1000 * w for w, _ in timings]
    cpu = [1000 * c for _, c in timings]
    return (
        f"wall median {statistics.median(wall):.1f} ms, worst {max(wall):.1f} ms; "
        f"CPU median {statistics.median(cpu):.1f} ms, worst {max(cpu):.1f} ms"
    )


def _keys(compat, head) -> dict[str, np.ndarray]:
    key = head.data.shape_keys
    action = key.animation_data.action
    return {f.data_path: compat.read_fcurve(f)[1] for f in compat.action_fcurves(action, key)}


def _changed(before: dict, after: dict) -> np.ndarray:
    """Frames (take rows + 1: the take starts at frame 1) whose key changed on any curve."""
    rows = set()
    for path, values in before.items():
        rows |= set(np.flatnonzero(values != after[path]).tolist())
    return np.array(sorted(rows), float) + 1.0


def _distance_ms(frames: np.ndarray, first: float, last: float, keep: bool = False):
    """How far (ms) changed frames lie outside [first, last]: the largest, or each (keep)."""
    outside = np.maximum(np.maximum(first - frames, frames - last), 0.0) * 1000.0 / FPS
    return outside if keep else float(outside.max(initial=0.0))


def _plot(before: np.ndarray, after: np.ndarray, events: list) -> None:
    """The lip gap before and after the corrections, on the stretch holding the first ones
    (each marked: deleted, added, moved ... to)."""
    gap_plot = ext("core.demohead.gap_plot")
    rows = slice(0, 12 * FPS)
    pixels = gap_plot.render_gap_plot(
        [before[rows], after[rows]],
        FPS,
        names=("before", "after"),
        events=[(t, label) for t, label in events if t < 12.0],
        events_name="corrections",
        title="Lip gap of a 60 s S-tiny take before and after deleting, adding, moving closures",
    )
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    image = bpy.data.images.new("plot", pixels.shape[1], pixels.shape[0], alpha=True)
    image.pixels.foreach_set(np.ascontiguousarray(pixels[::-1]).ravel())
    image.filepath_raw = str(PLOT)
    image.file_format = "PNG"
    image.save()


def write_report(rows: list[tuple[str, str]]) -> None:
    """Replace this Blender's rows in reports/workflow_bench.md, keep the other's."""
    version = bpy.app.version_string
    kept = []
    if REPORT.exists():
        table = [line for line in REPORT.read_text().splitlines() if line.startswith("| ")]
        kept = [line for line in table[1:] if not line.startswith(f"| {version} |")]
        kept = [line for line in kept if not line.startswith("|---")]
    lines = [
        "# Workflow benchmark: the whole scene, corrections",
        "",
        "`python -m tools.bench.workflow` under each Blender as a module (background mode, the "
        "synchronous path of the operators; a click in the UI runs the same job in a worker). "
        "Two CPU cores shared with other jobs. Targets (issue 31): Generate All under 1 s per "
        "minute of audio with S-tiny; a correction under 50 ms on a one-minute take, no key "
        "moved farther than 150 ms from its edit. The apply rows time the correction itself; "
        "the bpy.ops rows a script's call with the undo push a click makes (Blender 4.2's "
        "Python bpy.ops also evaluates the view layer before and after every call: the demo "
        "head with its subdivision, about 30 ms each; a click in the UI does not). CPU time "
        "counts this process only: it is what the work costs while other jobs share the cores.",
        "",
        HEADER,
        "|---|---|---|",
        *kept,
        *(f"| {version} | {what} | {value} |" for what, value in rows),
    ]
    REPORT.write_text("\n".join(lines) + "\n")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tiny-lipsync-workflow-"))
    zip_path = conftest.build_extension_zip(folder)
    bpy.ops.extensions.package_install_files(
        filepath=str(zip_path), repo="user_default", enable_on_install=True
    )
    lines = speak_lines(folder)
    rows = whole_scene(lines)
    rows += corrections(speech_60s(folder, lines))
    write_report(rows)
    print(REPORT.read_text(), flush=True)


if __name__ == "__main__":
    main()
    os._exit(0)  # the bpy 4.2 wheel crashes freeing itself after an add-on registered
