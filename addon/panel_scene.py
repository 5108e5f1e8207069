"""The sidebar's whole-scene and closure panels: every sound strip with its target, model, text
and state, Generate All and its report; the shown take's closures with delete, add, move."""

import bpy

from . import closure_edit, take_store
from .panel import LipSyncPanel
from .strip_casting import strips_collection


class LIPSYNC_PT_scene(LipSyncPanel, bpy.types.Panel):
    bl_label = "Whole Scene"
    bl_parent_id = "LIPSYNC_PT_main"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        scene = context.scene
        status = context.window_manager.lipsync_status
        if scene.sequence_editor is None:
            layout.label(text="No sound strips: add dialogue in the Video Sequencer.", icon="INFO")
        else:
            data, name = strips_collection(scene)
            layout.template_list("LIPSYNC_UL_strips", "", data, name, status, "strip_index", rows=4)
        layout.label(text="A strip named 'Alice: ...' goes on the object Alice.", icon="INFO")
        if status.running:
            layout.progress(factor=status.progress, text=f"{status.text} (Esc cancels)")
        row = layout.row(align=True)
        row.operator("lipsync.generate_all", icon="SEQUENCE")
        row.operator("lipsync.generate_all", text="Again", icon="FILE_REFRESH").force = True
        if status.scene_report:
            box = layout.box()
            for line in status.scene_report.splitlines():
                box.label(text=line)


class LIPSYNC_UL_closures(bpy.types.UIList):
    """A take's closures: frame, phone, confidence, origin."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_prop, index=0):
        row = layout.row(align=True)
        row.label(text=f"{item.frame_start:.0f}-{item.frame_end - 1:.0f}", icon="MARKER")
        row.label(text=item.phone or "p/b/m")
        row.label(text=f"{100 * item.confidence:.0f}%")
        row.label(text=item.origin)


class LIPSYNC_PT_closures(LipSyncPanel, bpy.types.Panel):
    bl_label = "Closures"
    bl_parent_id = "LIPSYNC_PT_main"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        focus = closure_edit.focused_take(context)
        if focus is None:
            layout.label(text="Generate a take: its p/b/m closures are listed here.")
            return
        obj, action = focus
        layout.label(text=f"{obj.name}: {action.name}", icon="ACTION")
        status = context.window_manager.lipsync_status
        layout.template_list(
            "LIPSYNC_UL_closures", "", action.lipsync_take, "closures", status, "closure_index"
        )
        row = layout.row(align=True)
        row.operator("lipsync.closure_delete", text="Delete", icon="X")
        row.operator("lipsync.closure_add", text="Add Here", icon="ADD")
        row.operator("lipsync.closure_move", text="Move Here", icon="FORWARD")
        corrections = take_store.corrections_of(action) if take_store.has_weights(action) else []
        if corrections:
            box = layout.box()
            box.label(text=f"{len(corrections)} corrections, kept by Generate:")
            for correction in corrections[-5:]:
                box.label(text=correction.describe())


CLASSES = (LIPSYNC_PT_scene, LIPSYNC_UL_closures, LIPSYNC_PT_closures)
