"""The "Add Demo Head" operator in the installed extension, against the core's asset."""

import importlib

import bpy
import numpy as np
from conftest import ADDON_MODULE


def test_add_demo_head_builds_the_asset_with_52_arkit_keys(empty_scene):
    core_head = importlib.import_module(f"{ADDON_MODULE}.core.demohead.head")
    rig = importlib.import_module(f"{ADDON_MODULE}.core.rig.arkit")
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


def test_add_demo_head_adds_one_whole_head_at_the_cursor_and_leaves_the_first(empty_scene):
    core_head = importlib.import_module(f"{ADDON_MODULE}.core.demohead.head")
    head = core_head.load_demo_head()
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    first = bpy.context.active_object
    first_co = np.empty(len(first.data.vertices) * 3, dtype=np.float32)
    first.data.vertices.foreach_get("co", first_co)
    empty_scene.cursor.location = (1.0, 2.0, 3.0)
    before = {m.name for m in bpy.data.meshes}, {o.name for o in bpy.data.objects}
    assert bpy.ops.lipsync.add_demo_head() == {"FINISHED"}
    added_meshes = {m.name for m in bpy.data.meshes} - before[0]
    added_objects = {o.name for o in bpy.data.objects} - before[1]
    obj = bpy.context.active_object
    assert added_objects == {obj.name} and added_meshes == {obj.data.name}
    assert obj.select_get() and not first.select_get()
    assert tuple(obj.location) == (1.0, 2.0, 3.0) and tuple(first.location) == (0.0, 0.0, 0.0)
    mesh = obj.data
    assert len(mesh.polygons) == len(head.poly_sizes) and len(mesh.loops) == len(head.poly_verts)
    assert [g.name for g in obj.vertex_groups] == list(core_head.PARTS)
    assert mesh.uv_layers.active.name == "UVMap" and "Col" in mesh.color_attributes
    (modifier,) = obj.modifiers
    assert modifier.type == "SUBSURF" and modifier.levels == modifier.render_levels == 1
    blocks = mesh.shape_keys.key_blocks[1:]
    assert mesh.shape_keys.use_relative and all(b.slider_max == 1.0 for b in blocks)
    co = np.empty_like(first_co)
    first.data.vertices.foreach_get("co", co)
    np.testing.assert_array_equal(co, first_co)  # the first head is untouched


def test_the_demo_heads_mouth_is_dark_inside_and_its_face_keeps_the_asset_colours(empty_scene):
    core_head = importlib.import_module(f"{ADDON_MODULE}.core.demohead.head")
    shade = importlib.import_module(f"{ADDON_MODULE}.core.demohead.mouth_shade")
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
