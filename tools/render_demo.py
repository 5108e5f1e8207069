"""Render the demo head in a few mouth poses with Workbench, plus a contact sheet.

    .venv-blender52/bin/python tools/render_demo.py --out demo/     # or .venv-blender42

The repository root is the extension's package (its __init__.py registers `addon`), and
`addon` reaches `core` with relative imports (`from ..core.head import ...`), exactly as in an
installed extension. So this script does not put the repository itself on sys.path (a top-level
`addon` could not import `..core`): it loads the repository root as a package named
`tiny_lipsync`, the extension id, from its own __init__.py, then imports
`tiny_lipsync.addon.demo_head`. Nothing is installed and the folder name does not matter.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from pathlib import Path

import bpy
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "tiny_lipsync"

POSES: dict[str, dict[str, float]] = {
    "neutral": {},
    "jawOpen": {"jawOpen": 1.0},
    "mouthClose_jawOpen": {"jawOpen": 0.6, "mouthClose": 0.6},
    "mouthPucker": {"mouthPucker": 1.0},
    "mouthFunnel": {"mouthFunnel": 1.0},
    "mouthSmile": {"mouthSmileLeft": 1.0, "mouthSmileRight": 1.0},
}
# Camera presets (location, target) in metres, and lens in mm, framed on the hm08 head.
VIEWS = {
    "front": ((0.0, -0.90, 0.73), (0.0, -0.10, 0.71), 85.0),
    "face": ((0.0, -0.64, 0.695), (0.0, -0.10, 0.68), 85.0),
    "mouth": ((0.0, -0.45, 0.665), (0.0, -0.12, 0.655), 85.0),
    "three-quarter": ((0.25, -0.45, 0.68), (0.0, -0.11, 0.655), 85.0),
}


def import_package():
    """Import the repository root as the package `tiny_lipsync` (not installed)."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            PACKAGE, ROOT / "__init__.py", submodule_search_locations=[str(ROOT)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = module
        spec.loader.exec_module(module)
    return (
        importlib.import_module(f"{PACKAGE}.addon.demo_head"),
        importlib.import_module(f"{PACKAGE}.core.head"),
    )


def setup_scene(view: str, size_px: int) -> bpy.types.Scene:
    """Empty scene with a Workbench renderer (studio light, vertex colours) and a camera."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x = scene.render.resolution_y = size_px
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.display.render_aa = "8"
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "VERTEX"
    shading.show_specular_highlight = True
    shading.show_cavity = False
    scene.world = bpy.data.worlds.new("Backdrop")
    scene.world.color = (0.05, 0.055, 0.06)

    location, target, lens = VIEWS[view]
    cam_data = bpy.data.cameras.new("Camera")
    cam_data.lens = lens
    cam = bpy.data.objects.new("Camera", cam_data)
    scene.collection.objects.link(cam)
    cam.location = location
    direction = np.subtract(target, location)
    cam.rotation_euler = _look_rotation(direction)
    scene.camera = cam
    return scene


def _look_rotation(direction: np.ndarray) -> tuple[float, float, float]:
    """XYZ Euler angles that point a camera (looking down its -Z) along `direction`."""
    x, y, z = direction / np.linalg.norm(direction)
    pitch = np.arctan2(np.hypot(x, y), -z)  # about X: 0 = looking down, pi/2 = along +Y
    yaw = np.arctan2(-x, y)  # then about Z: pi = looking along -Y, at the face
    return (float(pitch), 0.0, float(yaw))


def render_pose(scene, obj, weights: dict[str, float], path: Path) -> None:
    """Set the shape-key values (others 0) and render one still to `path`."""
    for block in obj.data.shape_keys.key_blocks[1:]:
        block.value = weights.get(block.name, 0.0)
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)


def contact_sheet(paths: list[Path], out: Path, columns: int = 3) -> None:
    """Tile the renders (same size) into one PNG, row-major from the top left."""
    images = [bpy.data.images.load(str(p)) for p in paths]
    w, h = images[0].size
    rows = -(-len(images) // columns)
    sheet = np.zeros((rows * h, columns * w, 4), np.float32)
    sheet[..., 3] = 1.0
    for i, image in enumerate(images):
        pixels = np.empty(w * h * 4, np.float32)
        image.pixels.foreach_get(pixels)
        r, c = divmod(i, columns)
        top = (rows - 1 - r) * h  # Blender images start at the bottom row
        sheet[top : top + h, c * w : (c + 1) * w] = pixels.reshape(h, w, 4)
        bpy.data.images.remove(image)
    result = bpy.data.images.new("ContactSheet", columns * w, rows * h, alpha=False)
    result.pixels.foreach_set(sheet.ravel())
    result.filepath_raw = str(out)
    result.file_format = "PNG"
    result.save()


def main() -> None:
    """Command-line entry: render every pose, print the lip gaps, compose the sheet."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "demo")
    parser.add_argument("--view", choices=sorted(VIEWS), default="face")
    parser.add_argument("--size", type=int, default=640, help="pixels, square")
    args = parser.parse_args(sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else None)

    demo_head, head_core = import_package()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scene = setup_scene(args.view, args.size)
    obj = demo_head.build_demo_head()
    paths = []
    for pose, weights in POSES.items():
        path = args.out / f"head_{pose}.png"
        render_pose(scene, obj, weights, path)
        gap_m = head_core.lip_gap(np.array([list(weights.values())]), list(weights))[0]
        state = "closed" if head_core.is_closed(gap_m) else "open"
        print(f"{pose:20s} lip gap {gap_m * 1000:6.2f} mm  {state:6s} -> {path}")
        paths.append(path)
    contact_sheet(paths, args.out / "contact_sheet.png")
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} renders + contact sheet in {elapsed:.1f} s ({bpy.app.version_string})")


if __name__ == "__main__":
    main()
