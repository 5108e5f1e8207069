"""The demo operators: "Add Demo Head" (the shipped head with its 52 ARKit shape keys) and
"Add Sample Speech" (a sound strip of the shipped real-speech sample), so a first-time user can
try lip sync without any asset of their own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import bpy
import numpy as np

from ..core.demohead.head import PARTS, DemoHead, load_demo_head
from ..core.demohead.mouth_shade import mouth_shade
from ..core.errors import AudioError, LipSyncError
from . import compat

SUBDIVISION_LEVELS = 1
SAMPLE_SPEECH = Path(__file__).resolve().parents[1] / "assets" / "sample_speech.wav"
SAMPLE_STRIP = "Sample Speech"


def _srgb_to_linear(col_srgb: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 sRGB -> (N, 4) float32 linear RGBA for a FLOAT_COLOR attribute."""
    c = col_srgb.astype(np.float32) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.concatenate([lin, np.ones((len(c), 1), np.float32)], axis=1)


@lru_cache(maxsize=1)
def _corner_shade(head: DemoHead) -> np.ndarray:
    """(L, 1) colour factors per corner: a dark mouth cavity (core.demohead.mouth_shade), once."""
    return mouth_shade(head.co, head.poly_sizes, head.poly_verts)[head.poly_verts, None]


def _new_mesh(head: DemoHead, name: str) -> bpy.types.Mesh:
    """Mesh datablock with geometry, UVs and the corner colour attribute "Col", in bulk."""
    mesh = bpy.data.meshes.new(name)
    sizes = head.poly_sizes.astype(np.int32)
    loop_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
    mesh.vertices.add(len(head.co))
    mesh.vertices.foreach_set("co", head.co.ravel())
    mesh.loops.add(len(head.poly_verts))
    mesh.loops.foreach_set("vertex_index", head.poly_verts)
    mesh.polygons.add(len(sizes))
    mesh.polygons.foreach_set("loop_start", loop_start)
    mesh.update(calc_edges=True)
    mesh.validate()

    uv_layer = mesh.uv_layers.new(name="UVMap")
    uv_layer.uv.foreach_set("vector", head.uv.astype(np.float32).ravel())
    colour = mesh.color_attributes.new(name="Col", type="FLOAT_COLOR", domain="CORNER")
    rgba = _srgb_to_linear(head.col)
    rgba[:, :3] *= _corner_shade(head)
    colour.data.foreach_set("color", rgba.ravel())
    mesh.color_attributes.active_color = colour
    mesh.color_attributes.render_color_index = mesh.color_attributes.active_color_index
    mesh.shade_smooth()
    return mesh


def _add_shape_keys(obj: bpy.types.Object, head: DemoHead) -> None:
    """Basis plus one relative key per ARKit name, each the basis plus its deltas."""
    obj.shape_key_add(name="Basis", from_mix=False)
    for name, idx, delta in zip(head.key_names, head.key_idx, head.key_delta, strict=True):
        co = head.co.copy()
        co[idx] += delta
        block = obj.shape_key_add(name=name, from_mix=False)
        block.data.foreach_set("co", co.ravel())
        block.slider_min, block.slider_max = 0.0, 1.0
        block.value = 0.0  # Blender 5.x creates keys at 1.0 (4.2 at 0.0): start at rest
    obj.data.shape_keys.use_relative = True


def build_demo_head(
    name: str = "DemoHead", collection: bpy.types.Collection | None = None
) -> bpy.types.Object:
    """Create the demo head object (mesh, UVs, colours, parts, 52 shape keys, Subdivision 1)."""
    head = load_demo_head()
    mesh = _new_mesh(head, name)
    obj = bpy.data.objects.new(name, mesh)
    (collection or bpy.context.scene.collection).objects.link(obj)
    for part in PARTS:
        group = obj.vertex_groups.new(name=part)
        group.add(head.parts[part].tolist(), 1.0, "REPLACE")
    _add_shape_keys(obj, head)
    modifier = obj.modifiers.new(name="Subdivision", type="SUBSURF")
    modifier.levels = SUBDIVISION_LEVELS
    modifier.render_levels = SUBDIVISION_LEVELS
    return obj


class LIPSYNC_OT_add_demo_head(bpy.types.Operator):
    """Add a human head with the 52 ARKit shape keys and pick it as the Target"""

    bl_idname = "lipsync.add_demo_head"
    bl_label = "Add Demo Head"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.mode != "OBJECT":
            cls.poll_message_set("Switch to Object Mode to add the demo head.")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            obj = build_demo_head(collection=context.collection)
        except LipSyncError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        obj.location = context.scene.cursor.location
        for other in context.selected_objects:
            other.select_set(False)
        obj.select_set(True)
        context.view_layer.objects.active = obj
        context.scene.lipsync.target = obj
        return {"FINISHED"}


def add_sample_speech(scene: bpy.types.Scene, frame_start: int):
    """A sound strip of the shipped sample speech at `frame_start`, above every other strip."""
    if not bpy.app.build_options.audaspace:
        raise AudioError(
            "This Blender was built without audio support (Audaspace), so it cannot hold sound "
            f"strips; give Generate the file {SAMPLE_SPEECH} instead."
        )
    if not SAMPLE_SPEECH.is_file():
        raise AudioError(f"The sample speech file {SAMPLE_SPEECH} is missing; reinstall.")
    strips = compat.new_strip_collection(scene)
    channel = min(max((strip.channel for strip in strips), default=0) + 1, 128)
    return strips.new_sound(
        SAMPLE_STRIP, str(SAMPLE_SPEECH), channel=channel, frame_start=frame_start
    )


class LIPSYNC_OT_add_sample_speech(bpy.types.Operator):
    """Add a sound strip of a short English speech sample (public domain) and pick it"""

    bl_idname = "lipsync.add_sample_speech"
    bl_label = "Add Sample Speech"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if not bpy.app.build_options.audaspace:
            cls.poll_message_set("This Blender was built without audio support (Audaspace).")
            return False
        return context.scene is not None

    def execute(self, context: bpy.types.Context) -> set[str]:
        scene = context.scene
        try:
            strip = add_sample_speech(scene, scene.frame_start)
        except LipSyncError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        scene.lipsync.strip = strip.name
        self.report({"INFO"}, f"Added the sound strip '{strip.name}' at frame {scene.frame_start}.")
        return {"FINISHED"}


CLASSES = (LIPSYNC_OT_add_demo_head, LIPSYNC_OT_add_sample_speech)
