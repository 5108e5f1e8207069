"""The "Add Demo Head" operator in the installed extension, against the core's asset."""

import importlib

import bpy
import numpy as np
from conftest import ADDON_MODULE


def test_add_demo_head_builds_the_asset_with_52_arkit_keys(empty_scene):
    core_head = importlib.import_module(f"{ADDON_MODULE}.core.head")
    rig = importlib.import_module(f"{ADDON_MODULE}.core.rig")
    head = core_head.load_demo_head()

    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    obj = bpy.context.active_object
    assert obj is not None and obj.select_get()
    mesh = obj.data
    assert len(mesh.vertices) == len(head.co)
    names = [block.name for block in mesh.shape_keys.key_blocks]
    assert names == ["Basis", *rig.ARKIT_52]

    co = np.empty(len(mesh.vertices) * 3, dtype=np.float32)
    mesh.shape_keys.key_blocks["jawOpen"].data.foreach_get("co", co)
    expected = core_head.pose(head, np.ones((1, 1), dtype=np.float32), ("jawOpen",))[0]
    np.testing.assert_allclose(co.reshape(-1, 3), expected, atol=1e-5)


def test_add_demo_head_adds_one_mesh_and_one_object(empty_scene):
    before = {m.name for m in bpy.data.meshes}, {o.name for o in bpy.data.objects}
    bpy.ops.lipsync.add_demo_head()
    added_meshes = {m.name for m in bpy.data.meshes} - before[0]
    added_objects = {o.name for o in bpy.data.objects} - before[1]
    assert len(added_meshes) == 1 and len(added_objects) == 1


def test_the_demo_heads_mouth_is_dark_inside_and_its_face_keeps_the_asset_colours(empty_scene):
    core_head = importlib.import_module(f"{ADDON_MODULE}.core.head")
    shade = importlib.import_module(f"{ADDON_MODULE}.core.mouth_shade")
    head = core_head.load_demo_head()
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    colours = bpy.context.active_object.data.color_attributes["Col"]
    rgba = np.empty(len(colours.data) * 4, dtype=np.float32)
    colours.data.foreach_get("color", rgba)
    rgb = rgba.reshape(-1, 4)[:, :3]
    factor = shade.mouth_shade(head.co, head.poly_sizes, head.poly_verts)[head.poly_verts]
    asset = (head.col.astype(np.float32) / 255.0) ** 2.2  # about linear
    outside, deep = factor == 1.0, np.isclose(factor, shade.DARKEST)
    assert outside.mean() > 0.7 and deep.sum() > 500  # corners
    np.testing.assert_allclose(rgb[outside], asset[outside], atol=0.02)
    assert rgb[deep].max() < 0.06  # the back of the mouth: dark, not the lips' pale pink
