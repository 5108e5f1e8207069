"""Render the demo head at a bilabial and at an open-vowel frame of a synthesised sentence.

    .venv-blender52/bin/python -m tools.demo.head_renders --out reports/head_renders

espeak-ng speaks the sentence (phone timings from its events, stop onsets corrected), the
procedural animator (core.phones.animator) turns the phones into the 60 fps label curves the models
learn from, and the demo head is posed with the curves' values at the middle of one P/B/M phone
and of the longest open vowel, then rendered with Workbench from the front and three-quarter,
each with a caption (phone, time, lip gap). Runs in Blender's Python (bpy) with only numpy.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path

import bpy

from tools.demo import scene as demo_scene  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "tiny_lipsync"
OPEN_VOWELS = ("AA", "AE", "AO", "AW", "AY")
# (location, target) in metres and lens in mm, framed on the demo head's mouth.
VIEWS = {
    "front": ((0.0, -0.64, 0.68), (0.0, -0.10, 0.668), 85.0),
    "three-quarter": ((0.25, -0.45, 0.68), (0.0, -0.11, 0.655), 85.0),
}


def package(module: str):
    """A module of the repository imported as the extension package (not installed)."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            PACKAGE, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)]
        )
        root = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = root
        spec.loader.exec_module(root)
    return importlib.import_module(f"{PACKAGE}.{module}")


def pick_phones(phones, bilabial: str):
    """The first phone labelled `bilabial`, and the longest open vowel."""
    closed = next(p for p in phones if p.label == bilabial)
    vowel = max((p for p in phones if p.label in OPEN_VOWELS), key=lambda p: p.end_s - p.start_s)
    return closed, vowel


def main() -> None:
    """Command-line entry: synthesise, animate, pose, render, print the lip gaps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "head_renders")
    parser.add_argument("--text", default="Bob bought a big map, pop!")
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice")
    parser.add_argument("--bilabial", default="M", choices=["P", "B", "M"])
    parser.add_argument("--size", type=int, default=400, help="pixels, square")
    args = parser.parse_args(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else None)

    espeak, animator = package("core.lab.corpus.espeak"), package("core.phones.animator")
    head_core, rig = package("core.demohead.head"), package("core.rig.arkit")
    speech = espeak.synthesize(args.text, args.voice)
    fps = package("core.lab.corpus.dataset").LABEL_FPS
    weights = animator.animate(speech.phones, speech.duration_s, fps)  # (T, 29)
    gaps_m = head_core.lip_gap(weights, rig.LOWER_FACE)  # (T,)

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    demo_scene.setup_render(scene, args.size, args.size)
    scene.render.image_settings.file_format = "PNG"
    head = package("addon.demo_head").build_demo_head()
    blocks = head.data.shape_keys.key_blocks
    args.out.mkdir(parents=True, exist_ok=True)
    for phone in pick_phones(speech.phones, args.bilabial):
        middle_s = 0.5 * (phone.start_s + phone.end_s)
        frame = min(int(round(middle_s * fps)), len(weights) - 1)
        for name, value in zip(rig.LOWER_FACE, weights[frame], strict=True):
            blocks[name].value = float(value)
        gap_mm = 1000.0 * float(gaps_m[frame])
        state = "closed" if head_core.is_closed(gaps_m[frame]) else "open"
        for view, (location, target, lens_mm) in VIEWS.items():
            for obj in [o for o in scene.objects if o.type in ("CAMERA", "FONT")]:
                bpy.data.objects.remove(obj)
            camera = demo_scene.add_camera(scene, location, target, lens_mm)
            caption = demo_scene.add_label(scene, camera, "Caption", (0.0, -0.44))
            caption.data.body = f"/{phone.label}/ t = {middle_s:.2f} s, lip gap {gap_mm:.1f} mm"
            path = args.out / f"head_{phone.label}_{view}.png"
            demo_scene.render_still(scene, path)
            print(f"{phone.label:3s} {middle_s:5.2f} s frame {frame:3d} lip gap {gap_mm:5.2f} mm "
                  f"{state:6s} {view:13s} -> {path}")
    print(
        f'espeak-ng {args.voice}: "{args.text}", {speech.duration_s:.2f} s; '
        f"phones: {' '.join(p.label for p in speech.phones)}"
    )


if __name__ == "__main__":
    main()
