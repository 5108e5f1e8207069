"""The demo job: demo head + sample speech -> student and teacher side by side -> renders, exports.

    .venv-blender52/bin/python -m tools.demo.render --out demo --zip build/tiny_lipsync-0.1.0.zip
    .venv-blender42/bin/python -m tools.demo.render --out demo     # builds a zip when none given

Drives the installed extension the way a script would, only through its operators:
1. install the extension zip into a throw-away Blender user folder and enable it;
2. "Add Demo Head", then "Add Sample Speech" (a sound strip of assets/sample_speech.wav; a
   Blender built without Audaspace, like the bpy 4.2 wheel, cannot hold sound strips, so there
   the take operators get the same file with `filepath`);
3. `lipsync.compare`: the student (model A) on the head, the teacher (model B) on a copy beside
   it, closure markers, and the lip-gap plot saved as demo/lip_gap_compare.png (redrawn with
   the sample's p/b/m phones marked);
4. Workbench renders of both heads at every P/B/M of the sample (the middle of each phone, from
   pocketsphinx forced alignment in tools/demo/sample_phones.txt) and at one open vowel, each
   labelled with model, time, phone and the measured lip gap, plus a contact sheet of them;
5. `lipsync.export` of the student's take as CSV and glTF (and the teacher's as CSV);
6. the student's take again in the viseme output (Rhubarb A-X, `lipsync_viseme` on an Empty)
   driving a 2D mouth (tools/demo/mouth_2d.py) put where the teacher's head stood: renders at
   the same frames beside the 3D head (frames_2d/, mouth_2d_sheet.png) and every third frame
   of 0.5-1.7 s (mouth_2d_strip.png).
demo/summary.md lists every rendered frame with both models' lip gaps. With `--picture` (as
`make demo` gives it: docs/images/demo.png) it also writes the README's picture: both heads at a
p/b/m where both close and at an open vowel, above the lip-gap plot.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Blender reads its user folders when bpy is imported: isolate them first, so the demo neither
# touches nor depends on the user's preferences and installed extensions.
_USER_DIR = Path(tempfile.mkdtemp(prefix="tiny-lipsync-demo-user-"))
os.environ["BLENDER_USER_RESOURCES"] = str(_USER_DIR)
(_USER_DIR / "extensions" / "user_default").mkdir(parents=True)

import bpy  # noqa: E402
import numpy as np  # noqa: E402
from mathutils import Vector  # noqa: E402

from tools.demo import mouth_2d  # noqa: E402
from tools.demo import scene as demo_scene  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ADDON = "bl_ext.user_default.tiny_lipsync"
PHONES_FILE = Path(__file__).resolve().parent / "sample_phones.txt"
BILABIALS = ("P", "B", "M")
OPEN_VOWELS = ("AA", "AE", "AO", "AW", "AY")
FPS = 30
HEADS_SHARE = 0.75  # of the frame's height, from the top: the heads (the labels go below)
TOP_MARGIN_M = 0.012  # above the skull
FRAME_START = 1
STRIP_FRAMES = (16, 52)  # the 2D mouth's consecutive renders: "... Bob met ..." every 3 frames


def read_phones(path: Path) -> list[tuple[float, float, str]]:
    """(start_s, end_s, label) per line of a 'start end LABEL' file."""
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
    return [(float(s), float(e), label) for s, e, label in rows if label]


def phone_at(phones: list[tuple[float, float, str]], time_s: float) -> str:
    """The phone playing at `time_s` ('SIL' between phones)."""
    return next((label for s, e, label in phones if s <= time_s < e), "SIL")


def demo_frames(phones: list[tuple[float, float, str]]) -> list[tuple[float, str]]:
    """(time s, phone) to render: the middle of every P/B/M and of the longest open vowel."""
    picks = [(0.5 * (s + e), label) for s, e, label in phones if label in BILABIALS]
    vowels = [(e - s, 0.5 * (s + e), label) for s, e, label in phones if label in OPEN_VOWELS]
    _, middle_s, label = max(vowels)
    return sorted([*picks, (middle_s, label)])


def extension_zip(given: Path | None) -> Path:
    """The extension zip to install: the one given, else one built now with Blender's builder."""
    if given is not None:
        return given
    builder = Path(bpy.utils.system_resource("SCRIPTS")) / "addons_core/bl_pkg/cli/blender_ext.py"
    out = Path(tempfile.mkdtemp(prefix="tiny-lipsync-demo-zip-")) / "tiny_lipsync.zip"
    subprocess.run(
        [
            sys.executable,
            str(builder),
            "build",
            "--source-dir",
            str(ROOT),
            "--output-filepath",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


def install(zip_path: Path) -> None:
    """Install and enable the extension from its zip in the isolated user folder."""
    result = bpy.ops.extensions.package_install_files(
        filepath=str(zip_path), repo="user_default", enable_on_install=True
    )
    if result != {"FINISHED"} or ADDON not in bpy.context.preferences.addons:
        raise SystemExit(f"Could not install and enable the extension from {zip_path}.")


def ext(module: str):
    """A module of the installed extension."""
    return __import__(f"{ADDON}.{module}", fromlist=["_"])


def check(result: set[str], what: str) -> None:
    if result != {"FINISHED"}:
        raise SystemExit(f"{what} did not finish ({result}); see the messages above.")


def run_job(
    out: Path,
    zip_path: Path,
    size: tuple[int, int],
    models: tuple[str, str],
    picture: Path | None = None,
) -> None:
    """Everything after installation: scene, compare, renders, sheet, exports, summary (and the
    README's picture when `picture` is given)."""
    timings = {}
    started = time.perf_counter()
    scene = new_scene(size)
    check(bpy.ops.lipsync.add_demo_head(), "Add Demo Head")
    head = bpy.context.active_object
    audio = sample_audio(scene)
    timings["set-up"] = time.perf_counter() - started

    t0 = time.perf_counter()
    plot_path = out / "lip_gap_compare.png"
    check(
        bpy.ops.lipsync.compare(
            target=head.name, model=models[0], model_b=models[1], plot_path=str(plot_path), **audio
        ),
        "Compare A/B",
    )
    timings["compare (both models, keys, markers, plot)"] = time.perf_counter() - t0
    heads = (head, bpy.data.objects[f"{head.name} B"])
    takes = take_gaps(heads)
    scene.frame_end = int(takes[0][0][-1])
    phones = read_phones(PHONES_FILE)
    write_gap_plot(plot_path, takes, models, phones)

    t0 = time.perf_counter()
    _, labels = frame_both_heads(scene, heads, models)
    rows, sheet_size = render_frames(scene, takes, models, labels, phones, out)
    timings[f"{len(rows)} renders + contact sheet"] = time.perf_counter() - t0
    if picture is not None:
        write_picture(picture, out, rows, takes, models, phones)

    t0 = time.perf_counter()
    exports = [
        (heads[0], f"take_{models[0]}.csv", "CSV"),
        (heads[0], f"take_{models[0]}.glb", "GLTF"),
        (heads[1], f"take_{models[1]}.csv", "CSV"),
    ]
    for obj, name, file_format in exports:
        check(
            bpy.ops.lipsync.export(filepath=str(out / name), format=file_format, target=obj.name),
            f"Export {file_format}",
        )
    timings["exports"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    frames = [
        (FRAME_START + int(round(time_s * FPS)), time_s, phone)
        for time_s, phone in demo_frames(phones)
    ]
    strip = [
        (f, (f - FRAME_START) / FPS, phone_at(phones, (f - FRAME_START) / FPS))
        for f in range(STRIP_FRAMES[0], STRIP_FRAMES[1], 3)
    ]
    rows_2d = mouth_2d.render_2d(scene, heads, labels, models[0], audio, frames, strip, out, ext)
    timings[f"2D mouth: viseme take + {len(rows_2d)} renders"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    markers = {p: sum(m.name.startswith(p) for m in scene.timeline_markers) for p in ("[A]", "[B]")}
    write_summary(out, models, rows, markers, timings, zip_path, sheet_size, rows_2d)


def new_scene(size: tuple[int, int]) -> bpy.types.Scene:
    """An empty scene at the demo's frame rate and start frame, set up to render."""
    bpy.ops.wm.read_homefile(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps, scene.render.fps_base = FPS, 1.0
    scene.frame_start = FRAME_START
    demo_scene.setup_render(scene, *size)
    return scene


def sample_audio(scene) -> dict:
    """The operators' audio arguments for the sample speech: a sound strip where Blender has
    Audaspace, else the file itself (the 4.2 wheel)."""
    if bpy.app.build_options.audaspace:
        check(bpy.ops.lipsync.add_sample_speech(), "Add Sample Speech")
        return {"strip": scene.lipsync.strip}
    sample = ext("addon.demo_head").SAMPLE_SPEECH
    return {"filepath": str(sample), "frame_start": float(FRAME_START)}


def take_gaps(heads) -> list[tuple[np.ndarray, np.ndarray]]:
    """(frames, lip gap in metres) of each head's keyed take (identity mapping)."""
    keying, head_core = ext("addon.keying"), ext("core.demohead.head")
    takes = []
    for obj in heads:
        frames, names, values = keying.take_curves(obj)
        takes.append((frames, head_core.lip_gap(values, names)))
    return takes


def render_frames(scene, takes, names, labels, phones, out: Path) -> tuple[list, tuple[int, int]]:
    """Render the demo frames (every p/b/m and one open vowel) with each head's lip state in its
    label, and the contact sheet; the (frame, time, phone, gap A, gap B) rows and sheet size."""
    head_core = ext("core.demohead.head")
    frames_dir = out / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    rows, paths = [], []
    for time_s, phone in demo_frames(phones):
        frame = FRAME_START + int(round(time_s * FPS))
        gaps_mm = [1000.0 * float(gap[np.searchsorted(frames, frame)]) for frames, gap in takes]
        for label, name, gap in zip(labels[:2], names, gaps_mm, strict=True):
            state = "closed" if head_core.is_closed(gap / 1000.0) else f"open {gap:.1f} mm"
            label.data.body = f"{name}: {state}"
        labels[2].data.body = f"t = {time_s:.2f} s   /{phone}/   frame {frame}"
        scene.frame_set(frame)
        path = frames_dir / f"frame_{frame:04d}_{phone}.jpg"
        demo_scene.render_still(scene, path)
        paths.append(path)
        rows.append((frame, time_s, phone, *gaps_mm))
    sheet_size = demo_scene.contact_sheet(paths, out / "contact_sheet.png", columns=3, scale=2)
    return rows, sheet_size


def write_picture(path: Path, out: Path, rows, takes, models, phones) -> None:
    """The README's picture: both heads at the first p/b/m where both close and at the open
    vowel (renders shrunk by 2), above the lip-gap plot at the same width."""
    head_core = ext("core.demohead.head")

    def closed(row) -> bool:
        return all(head_core.is_closed(gap_mm / 1000.0) for gap_mm in row[3:])

    bilabials = [row for row in rows if row[2] in BILABIALS]
    bilabial = next((row for row in bilabials if closed(row)), bilabials[0])
    vowel = next(row for row in rows if row[2] not in BILABIALS)
    tiles = [
        demo_scene.load_image(out / "frames" / f"frame_{row[0]:04d}_{row[2]}.jpg", scale=2)
        for row in (bilabial, vowel)
    ]
    top = np.concatenate(tiles, axis=1)  # (H, 2W, 4)
    plot = gap_plot_pixels(takes, models, phones, width=top.shape[1], height=top.shape[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    demo_scene.save_png(np.concatenate([top, plot], axis=0), path)


def gap_plot_pixels(takes, models, phones, width: int = 1200, height: int = 420) -> np.ndarray:
    """The lip-gap plot of both takes with the sample's p/b/m phones marked, RGBA (H, W, 4)."""
    gap_plot = ext("core.demohead.gap_plot")
    # the plot's time 0 is the take's first frame, where the sample starts playing
    events = [(0.5 * (s + e), label.lower()) for s, e, label in phones if label in BILABIALS]
    return gap_plot.render_gap_plot(
        [gap for _, gap in takes],
        FPS,
        names=models,
        events=events,
        width=width,
        height=height,
        title=f"Lip gap at the mouth's midline: {models[0]} vs {models[1]}",
    )


def write_gap_plot(path: Path, takes, models, phones) -> None:
    """The compare plot again, now with the transcript's p/b/m phones marked (the operator has
    no transcript): where each bilabial's closure should be."""
    demo_scene.save_png(gap_plot_pixels(takes, models, phones), path)


def frame_both_heads(scene, heads, models) -> tuple[bpy.types.Object, list[bpy.types.Object]]:
    """A level camera on both heads, whole from the top of the skull to the neck in the upper
    three quarters of the frame, and three labels below: each model under its head, then the
    caption."""
    x_a, x_b = heads[0].location.x, heads[1].location.x
    corners = [heads[0].matrix_world @ Vector(corner) for corner in heads[0].bound_box]
    top_z = max(c.z for c in corners) + TOP_MARGIN_M
    bottom_z = min(c.z for c in corners)
    height_m = (top_z - bottom_z) / HEADS_SHARE  # of the view, at the faces' distance
    centre_z = top_z - 0.5 * height_m
    aspect = scene.render.resolution_x / scene.render.resolution_y
    width_m = max(height_m * aspect, abs(x_b - x_a) + heads[0].dimensions.x + 0.1)
    centre_x, distance_m = 0.5 * (x_a + x_b), 0.85  # the lips are ~0.13 m in front of y = 0
    lens_mm = 36.0 * distance_m / width_m  # sensor 36 mm wide, fitted to the frame's width
    location = (centre_x, -0.13 - distance_m, centre_z)
    camera = demo_scene.add_camera(scene, location, (centre_x, 0.0, centre_z), lens_mm)
    half = 0.5 * abs(x_b - x_a) / demo_scene.view_width_m(camera, distance_m)  # frame share
    labels = [
        demo_scene.add_label(scene, camera, f"Label {models[0]}", (-half, -0.32)),
        demo_scene.add_label(scene, camera, f"Label {models[1]}", (half, -0.32)),
        demo_scene.add_label(scene, camera, "Caption", (0.0, -0.43)),
    ]
    return camera, labels


def write_summary(out, models, rows, markers, timings, zip_path, sheet_size, rows_2d=()) -> None:
    """demo/summary.md: what was made, each rendered frame's lip gaps, and the timings."""
    lines = [
        "# Demo: student and teacher on the sample speech",
        "",
        f"Blender {bpy.app.version_string}; extension from `{zip_path.name}`; "
        f"{FPS} fps; models A = {models[0]}, B = {models[1]}.",
        "Sample: assets/sample_speech.wav (LibriVox, public domain; see assets/CREDITS.md).",
        f"Closure markers: A {markers['[A]']}, B {markers['[B]']}.",
        f"Contact sheet: contact_sheet.png ({sheet_size[0]} x {sheet_size[1]} px).",
        "",
        f"| frame | time s | phone | {models[0]} lip gap mm | {models[1]} lip gap mm |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f} | {t:.2f} | {p} | {a:.1f} | {b:.1f} |" for f, t, p, a, b in rows]
    if rows_2d:
        lines += [
            "",
            f"2D mouth (mouth_2d_sheet.png): {models[0]}'s take in the viseme output, Rhubarb "
            "A-X, minimum hold 2 frames, `lipsync_viseme` switching the drawings.",
            "",
            "| frame | time s | phone | Rhubarb shape |",
            "|---|---|---|---|",
        ]
        lines += [f"| {f} | {t:.2f} | {p} | {shape} |" for f, t, p, shape in rows_2d]
    lines += ["", "| step | seconds |", "|---|---|"]
    lines += [f"| {step} | {seconds:.1f} |" for step, seconds in timings.items()]
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "demo")
    parser.add_argument("--zip", type=Path, help="built extension zip (default: build one now)")
    parser.add_argument("--model-a", default="s_tiny")
    parser.add_argument("--model-b", default="teacher")
    parser.add_argument("--width", type=int, default=960, help="render width, pixels")
    parser.add_argument("--height", type=int, default=600, help="render height, pixels")
    parser.add_argument("--picture", type=Path, help="also write the README's picture here")
    args = parser.parse_args(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else None)
    args.out.mkdir(parents=True, exist_ok=True)
    zip_path = extension_zip(args.zip)
    install(zip_path)
    picture = args.picture.resolve() if args.picture else None
    run_job(
        args.out.resolve(),
        zip_path,
        (args.width, args.height),
        (args.model_a, args.model_b),
        picture,
    )


if __name__ == "__main__":
    main()
    if bpy.app.version < (4, 3, 0):  # bpy 4.2 crashes freeing itself after an add-on registered
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
