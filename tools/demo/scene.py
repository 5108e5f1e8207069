"""Scene pieces of the demo job: Workbench set-up, a camera on both heads, labels, contact sheet.

Blender has no drawing library for text on images, so labels are Text objects parented to the
camera, in the free corners of the frame; they render with the heads.
"""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np

BACKDROP = (0.012, 0.013, 0.015)  # linear; the view transform lifts it to a dark grey
LABEL_HEIGHT = 0.028  # text height as a share of the frame width
LABEL_DISTANCE_M = 0.3  # labels float this far in front of the camera, before the heads


def setup_render(scene: bpy.types.Scene, width_px: int, height_px: int) -> None:
    """Workbench: studio light without highlights, vertex colours (the demo head's 'Col', with
    its dark mouth cavity), JPEG stills (small; the contact sheet is a PNG)."""
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x, scene.render.resolution_y = width_px, height_px
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "JPEG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.image_settings.quality = 92
    scene.display.render_aa = "8"
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.color_type = "VERTEX"
    # Off: the studio light's highlights would paint pale streaks on the dark walls of the
    # mouth (vertex colours cannot make a surface matte in Workbench).
    shading.show_specular_highlight = False
    shading.show_cavity = False
    scene.world = bpy.data.worlds.new("Backdrop")
    scene.world.color = BACKDROP


def look_rotation(direction: np.ndarray) -> tuple[float, float, float]:
    """XYZ Euler angles that point a camera (looking down its -Z) along `direction`."""
    x, y, z = direction / np.linalg.norm(direction)
    pitch = np.arctan2(np.hypot(x, y), -z)  # about X: 0 = looking down, pi/2 = along +Y
    yaw = np.arctan2(-x, y)  # then about Z: pi = looking along -Y, at the face
    return (float(pitch), 0.0, float(yaw))


def add_camera(scene, location, target, lens_mm: float) -> bpy.types.Object:
    """A perspective camera at `location` looking at `target` (metres), made the scene camera."""
    data = bpy.data.cameras.new("Camera")
    data.lens = lens_mm
    cam = bpy.data.objects.new("Camera", data)
    scene.collection.objects.link(cam)
    cam.location = location
    cam.rotation_euler = look_rotation(np.subtract(target, location))
    scene.camera = cam
    return cam


def view_width_m(camera: bpy.types.Object, distance_m: float) -> float:
    """Width of the camera's view (sensor fitted horizontally) at a distance, metres."""
    return distance_m * camera.data.sensor_width / camera.data.lens


def add_label(scene, camera, name: str, anchor: tuple[float, float]) -> bpy.types.Object:
    """A centred Text object fixed in the camera's view; anchor (x, y) in -0.5..0.5 of the
    frame's width and height, from its centre."""
    width = view_width_m(camera, LABEL_DISTANCE_M)
    height = width * scene.render.resolution_y / scene.render.resolution_x
    curve = bpy.data.curves.new(name, type="FONT")
    curve.align_x, curve.align_y = "CENTER", "CENTER"
    curve.size = LABEL_HEIGHT * width
    text = bpy.data.objects.new(name, curve)
    scene.collection.objects.link(text)
    text.parent = camera
    text.location = (anchor[0] * width, anchor[1] * height, -LABEL_DISTANCE_M)
    return text


def render_still(scene, path: Path) -> None:
    """Render the current frame to `path` (the scene's image format)."""
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True)


def save_png(pixels: np.ndarray, path: Path) -> None:
    """Write an RGBA float image (H, W, 4), row 0 at the top, as a PNG through Blender."""
    height, width = pixels.shape[:2]
    image = bpy.data.images.new("Plot", width, height, alpha=True)
    image.pixels.foreach_set(np.ascontiguousarray(pixels[::-1]).ravel())  # bottom row first
    image.filepath_raw = str(path)
    image.file_format = "PNG"
    image.save()
    bpy.data.images.remove(image)


def load_image(path: Path, scale: int = 1) -> np.ndarray:
    """A rendered image as RGBA float (H, W, 4), row 0 at the top, shrunk by `scale` (box
    filter)."""
    image = bpy.data.images.load(str(path))
    w, h = image.size
    pixels = np.empty(w * h * 4, np.float32)
    image.pixels.foreach_get(pixels)
    bpy.data.images.remove(image)
    tile = pixels.reshape(h, w, 4)[::-1]  # Blender stores the bottom row first
    if scale > 1:
        tile = tile[: h - h % scale, : w - w % scale]
        tile = tile.reshape(h // scale, scale, w // scale, scale, 4).mean(axis=(1, 3))
    return tile


def contact_sheet(paths: list[Path], out: Path, columns: int, scale: int = 1) -> tuple[int, int]:
    """Tile same-size renders row-major from the top left into one PNG, each shrunk by `scale`;
    return the sheet's (width, height) in pixels."""
    tiles = [load_image(path, scale) for path in paths]
    h, w = tiles[0].shape[:2]
    rows = -(-len(tiles) // columns)
    gap = 4  # pixels between tiles
    sheet = np.zeros(
        (rows * h + (rows - 1) * gap, columns * w + (columns - 1) * gap, 4), np.float32
    )
    sheet[..., 3] = 1.0
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        sheet[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = tile
    height, width = sheet.shape[:2]
    result = bpy.data.images.new("ContactSheet", width, height, alpha=False)
    result.pixels.foreach_set(np.ascontiguousarray(sheet[::-1]).ravel())
    result.filepath_raw = str(out)
    result.file_format = "PNG"
    result.save()
    bpy.data.images.remove(result)
    return width, height
