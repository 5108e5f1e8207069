"""The demo's 2D mouth: Rhubarb's nine mouth shapes as flat drawings, switched by `lipsync_viseme`.

`build_mouth_2d` makes an Empty (the viseme target) with one flat mesh per shape under it, each
drawn from a few numbers (opening width and height, teeth, tongue) in vertex colours; drivers
scale each mesh to 1 while the Empty's `lipsync_viseme` is its index and to 0 otherwise (simple
expressions, evaluated without Python). It is how an animator would switch image planes
or Grease Pencil layers from the property. `render_2d` keys the viseme take on the Empty with
`lipsync.generate(output="VISEMES")` and renders it beside the 3D head at the demo's frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bpy
import numpy as np

from tools.demo import scene as demo_scene

SKIN = (0.80, 0.55, 0.45)
LIPS = (0.62, 0.18, 0.22)
INSIDE = (0.06, 0.015, 0.02)
TEETH = (0.95, 0.94, 0.88)
TONGUE = (0.86, 0.36, 0.42)
MOUTH = "Mouth 2D"
LAYER_M = 0.0006  # each drawing layer this much nearer the camera than the one under it


@dataclass(frozen=True)
class Shape:
    """A mouth drawing, in units of the mouth's width: the opening's size and what shows."""

    width: float  # opening width
    height: float  # opening height (0: lips together)
    upper_teeth: float = 0.0  # height of the upper teeth showing
    lower_teeth: float = 0.0
    tongue: float = 0.0  # height of the tongue (from the bottom of the opening)
    tongue_up: bool = False  # the tongue raised to the upper teeth (L)
    lip: float = 0.11  # lip thickness


# Rhubarb Lip Sync's shapes (Preston Blair): A closed, B teeth together, C open, D wide open,
# E slightly rounded, F puckered, G lower lip under the teeth, H tongue up, X rest.
RHUBARB = {
    "A": Shape(0.60, 0.0, lip=0.13),
    "B": Shape(0.62, 0.14, upper_teeth=0.07, lower_teeth=0.07),
    "C": Shape(0.64, 0.34, upper_teeth=0.08, tongue=0.08),
    "D": Shape(0.70, 0.62, upper_teeth=0.09, tongue=0.14),
    "E": Shape(0.42, 0.38, upper_teeth=0.06, tongue=0.06),
    "F": Shape(0.20, 0.16, lip=0.14),
    "G": Shape(0.60, 0.10, upper_teeth=0.10, lip=0.12),
    "H": Shape(0.62, 0.40, upper_teeth=0.08, tongue=0.24, tongue_up=True),
    "X": Shape(0.52, 0.0, lip=0.10),
}


def ellipse(rx: float, rz: float, cz: float = 0.0, n: int = 40) -> np.ndarray:
    """(n, 2) points (x, z) around an ellipse."""
    angle = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return np.stack([rx * np.cos(angle), cz + rz * np.sin(angle)], axis=1)


def cap(rx: float, rz: float, cut: float, upper: bool, n: int = 24) -> np.ndarray:
    """(n, 2) points: the part of an ellipse above (or below) the height `cut`."""
    lift = np.arcsin(np.clip(cut / rz, -1.0, 1.0))
    angle = np.linspace(lift, np.pi - lift, n)
    points = np.stack([rx * np.cos(angle), rz * np.sin(angle)], axis=1)
    return points if upper else (points * [1.0, -1.0])[::-1]  # mirrored, same winding


def drawing(shape: Shape) -> list[tuple[np.ndarray, tuple[float, float, float]]]:
    """The polygons of one mouth, back to front: (points (n, 2), colour)."""
    rx, rz = shape.width / 2, max(shape.height / 2, 0.012)
    layers = [
        (ellipse(0.95, 0.62), SKIN),
        (ellipse(rx + shape.lip, rz + shape.lip), LIPS),
        (ellipse(rx, rz), INSIDE),
    ]
    if shape.tongue > 0:
        cut = rz - shape.tongue if not shape.tongue_up else -rz + 0.02
        layers.append((cap(rx * 0.85, rz, cut, upper=shape.tongue_up), TONGUE))
    if shape.upper_teeth > 0:
        layers.append((cap(rx, rz, rz - shape.upper_teeth, upper=True), TEETH))
    if shape.lower_teeth > 0:
        layers.append((cap(rx, rz, rz - shape.lower_teeth, upper=False), TEETH))
    return layers


def _mesh(name: str, shape: Shape, size_m: float) -> bpy.types.Mesh:
    """One flat mesh of the drawing in the XZ plane, facing -Y, with a corner colour 'Col'."""
    verts, faces, colours = [], [], []
    for k, (points, colour) in enumerate(drawing(shape)):
        first = len(verts)
        verts += [(x * size_m, -k * LAYER_M, z * size_m) for x, z in points]
        faces.append(tuple(range(first, len(verts)))[::-1])  # the normal towards -Y
        colours += [colour] * len(points)
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    attribute = mesh.color_attributes.new(name="Col", type="FLOAT_COLOR", domain="CORNER")
    corner = np.array([colours[v] for face in faces for v in face], np.float32)
    rgba = np.concatenate([corner**2.2, np.ones((len(corner), 1), np.float32)], axis=1)  # linear
    attribute.data.foreach_set("color", rgba.ravel())
    mesh.color_attributes.active_color = attribute
    return mesh


def _switch(obj: bpy.types.Object, control: bpy.types.Object, index: int) -> None:
    """Show `obj` only while the control's lipsync_viseme is `index`: drivers scale it to 1 or
    to 0 (a driven scale holds in renders, where driven visibility flags are not re-read)."""
    for fcurve in obj.driver_add("scale"):
        driver = fcurve.driver
        driver.type = "SCRIPTED"
        variable = driver.variables.new()
        variable.name, variable.type = "v", "SINGLE_PROP"
        variable.targets[0].id = control
        variable.targets[0].data_path = '["lipsync_viseme"]'
        driver.expression = f"v == {index}"


def build_mouth_2d(scene, location, size_m: float) -> bpy.types.Object:
    """The Empty (the viseme target) and its nine shape meshes, at `location` (metres)."""
    control = bpy.data.objects.new(MOUTH, None)
    scene.collection.objects.link(control)
    control.location = location
    control["lipsync_viseme"] = len(RHUBARB) - 1  # X; a driver on a missing property is invalid
    for index, (name, shape) in enumerate(RHUBARB.items()):
        obj = bpy.data.objects.new(f"{MOUTH} {name}", _mesh(f"{MOUTH} {name}", shape, size_m))
        scene.collection.objects.link(obj)
        obj.parent = control
        _switch(obj, control, index)
    return control


def render_2d(scene, heads, labels, model: str, audio: dict, frames, strip, out: Path, ext) -> list:
    """Key the Rhubarb viseme take on a 2D mouth put where head B stood (B hidden), render it
    beside head A at each (frame, time, phone) of `frames` (frames_2d/, mouth_2d_sheet.png) and
    of `strip`, consecutive frames (mouth_2d_strip.png); the (frame, time, phone, shape) rows
    of both."""
    head_a, head_b = heads
    lips_z = float(np.mean(ext("core.demohead.head").lip_probe(_demo_head(ext)).z))
    location = (head_b.location.x, head_b.location.y - 0.13, head_b.location.z + lips_z)
    head_b.hide_render = True
    control = build_mouth_2d(scene, location, size_m=0.085)
    options = {"output": "VISEMES", "viseme_set": "rhubarb", "min_hold": 2}
    result = bpy.ops.lipsync.generate(target=control.name, model=model, **options, **audio)
    if result != {"FINISHED"}:
        raise SystemExit(f"Generate (visemes) did not finish ({result}).")
    names = list(control["lipsync_viseme_names"])
    rows = _render(scene, control, names, labels, model, frames, out / "frames_2d")
    demo_scene.contact_sheet(
        [path for *_, path in rows], out / "mouth_2d_sheet.png", columns=3, scale=2
    )
    strip_rows = _render(scene, control, names, labels, model, strip, out / "frames_2d_strip")
    demo_scene.contact_sheet(
        [path for *_, path in strip_rows], out / "mouth_2d_strip.png", columns=4, scale=2
    )
    head_b.hide_render = False
    return [row[:4] for row in rows + strip_rows]


def _render(scene, control, names, labels, model: str, frames, folder: Path) -> list:
    """Render each (frame, time, phone) into `folder`: (frame, time, phone, shape, path) rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for frame, time_s, phone in frames:
        scene.frame_set(frame)  # the animation writes the keyed value to the property
        shape = names[int(control["lipsync_viseme"])]
        labels[0].data.body = f"{model} on the 3D head"
        labels[1].data.body = f"2D mouth: Rhubarb {shape}"
        labels[2].data.body = f"t = {time_s:.2f} s   /{phone}/   frame {frame}"
        path = folder / f"frame_{frame:04d}_{phone}.jpg"
        demo_scene.render_still(scene, path)
        rows.append((frame, time_s, phone, shape, path))
    return rows


def _demo_head(ext):
    return ext("core.demohead.head").load_demo_head()
