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
