"""Transcript-mode demo: the sample speech keyed by one model alone and by the same model with
the sample's dialogue text, rendered side by side at every p/b/m.

    .venv-blender52/bin/python -m tools.demo.transcript --out demo/transcript \
        --zip build/tiny_lipsync-0.1.0.zip [--model s_tiny]

Only through the installed extension's operators, as tools/demo/render.py does (its install,
camera and label helpers are reused): two demo heads, `lipsync.generate(text="")` on the left
one (the model alone), then `lipsync.generate()` on the right one, where the panel's "use the
.txt beside the audio file" picks up assets/sample_speech.txt (the book's line; the reader says
one "a" more). Writes frames/*.jpg, contact_sheet.png, lip_gap.png and summary.md with both
lip gaps at each rendered frame and the take's one-line text message.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import render_demo  # sets up the isolated Blender user folder, then imports bpy

bpy = render_demo.bpy

FPS = render_demo.FPS
HEAD_SPACING_M = 0.28


def generate(head, model: str, audio: dict, **text) -> str:
    """Key a take on head; return the text message stored on its Action."""
    render_demo.check(bpy.ops.lipsync.generate(target=head.name, model=model, **audio, **text),
                      f"Generate on {head.name}")
    action = render_demo.ext("addon.keying").current_take(head)
    return str(action.get("tiny_lipsync_text_alignment", ""))


def run(out: Path, zip_path: Path, model: str, size: tuple[int, int]) -> None:
    started = time.perf_counter()
    scene = render_demo.new_scene(size)
    render_demo.check(bpy.ops.lipsync.add_demo_head(), "Add Demo Head")
    left = bpy.context.active_object
    scene.cursor.location = (HEAD_SPACING_M, 0.0, 0.0)
    render_demo.check(bpy.ops.lipsync.add_demo_head(), "Add Demo Head")
    right = bpy.context.active_object
    audio = render_demo.sample_audio(scene)
    generate(left, model, audio, text="")  # the model alone
    message = generate(right, model, audio)  # the .txt beside the sample is picked up
    names = (f"{model} alone", f"{model} + text")
    takes = render_demo.take_gaps((left, right))
    scene.frame_end = int(takes[0][0][-1])
    phones = render_demo.read_phones(render_demo.PHONES_FILE)
    render_demo.write_gap_plot(out / "lip_gap.png", takes, names, phones)

    _, labels = render_demo.frame_both_heads(scene, (left, right), names)
    rows, sheet_size = render_demo.render_frames(scene, takes, names, labels, phones, out)
    lines = [
        f"# Transcript mode: {model} alone and with the sample's text",
        "",
        f"Blender {bpy.app.version_string}; extension from `{zip_path.name}`; {FPS} fps.",
        f"Text: assets/sample_speech.txt. Take message: {message}",
        f"Contact sheet: contact_sheet.png ({sheet_size[0]} x {sheet_size[1]} px); "
        f"{time.perf_counter() - started:.0f} s in all.",
        "",
        f"| frame | time s | phone | {names[0]} lip gap mm | {names[1]} lip gap mm |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f} | {t:.2f} | {p} | {a:.1f} | {b:.1f} |" for f, t, p, a, b in rows]
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=render_demo.ROOT / "demo" / "transcript")
    parser.add_argument("--zip", type=Path, help="built extension zip (default: build one now)")
    parser.add_argument("--model", default="s_tiny")
    parser.add_argument("--width", type=int, default=960)
    parser.add_argument("--height", type=int, default=600)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    zip_path = render_demo.extension_zip(args.zip)
    render_demo.install(zip_path)
    run(args.out.resolve(), zip_path, args.model, (args.width, args.height))


if __name__ == "__main__":
    main()
    if bpy.app.version < (4, 3, 0):  # as in render_demo: bpy 4.2 crashes freeing itself
        sys.stdout.flush()
        sys.stderr.flush()
        render_demo.os._exit(0)
