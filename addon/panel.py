"""The "Lip Sync" tab of the 3D Viewport sidebar: set-up, Generate, mapping, Compare, Export."""

import os

import bpy

from . import dialogue, keying, model_menu
from .ops_compare import PLOT_IMAGE
from .properties import PRESET_FILE, PRESET_TABLE


class LipSyncPanel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Lip Sync"


class LIPSYNC_PT_main(LipSyncPanel, bpy.types.Panel):
    bl_label = "Lip Sync"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.lipsync
        status = context.window_manager.lipsync_status
        row = layout.row(align=True)
        row.operator("lipsync.add_demo_head", icon="MONKEY")
        row.operator("lipsync.add_sample_speech", icon="SOUND")
        col = layout.column(align=True)
        col.prop(settings, "target", icon="MESH_DATA")
        col.prop(settings, "strip", icon="SOUND")
        col.prop(settings, "model")
        if settings.model == model_menu.CUSTOM:
            col.prop(settings, "model_path", text="")
        draw_dialogue(layout, context, settings)
        col = layout.column(align=True)
        col.prop(settings, "smoothing")
        col.prop(settings, "strength", slider=True)
        col.prop(settings, "close_bias", slider=True)
        col.prop(settings, "offset_ms")
        draw_output(layout, settings)
        if status.running:
            layout.progress(factor=status.progress, text=f"{status.text} (Esc cancels)")
        draw_keep_corrections(layout, settings)
        layout.operator("lipsync.generate", icon="PLAY_SOUND")
        take = keying.current_take(settings.target)
        if take is not None:
            layout.label(text=f"Take: {take.name}", icon="ACTION")
        if status.unmapped:
            box = layout.box()
            box.label(text="Unmapped channels:", icon="ERROR")
            for name in status.unmapped.split(", "):
                box.label(text=name)


def draw_output(layout, settings) -> None:
    """Shape keys or visemes; the viseme set and minimum hold for the latter."""
    col = layout.column(align=True)
    col.row(align=True).prop(settings, "output", expand=True)
    if settings.output == "VISEMES":
        col.prop(settings, "viseme_set")
        if settings.viseme_set == PRESET_FILE:
            col.prop(settings, "viseme_path", text="")
        col.prop(settings, "min_hold")


def draw_keep_corrections(layout, settings) -> None:
    """Offer to keep the corrections of the take Generate would replace."""
    if settings.target is None or not settings.strip:
        return
    count = 0
    for action in keying.object_takes(settings.target):
        if action.get(f"{keying.TAKE_PREFIX}audio") == settings.strip:
            corrections = action.get(f"{keying.TAKE_PREFIX}corrections", "[]")
            count = max(count, corrections.count('"kind"'))
    if count:
        layout.prop(settings, "keep_corrections", text=f"Keep {count} closure corrections")


def draw_dialogue(layout, context: bpy.types.Context, settings) -> None:
    """The dialogue text field, and the .txt beside the audio when one is there."""
    col = layout.column(align=True)
    col.prop(settings, "dialogue_text", icon="TEXT")
    beside = dialogue.text_file_beside(dialogue.audio_path(context.scene, settings.strip, ""))
    if beside and not settings.dialogue_text.strip():
        col.prop(settings, "use_text_file", text=f"Use {os.path.basename(beside)}")


class LIPSYNC_UL_routes(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_prop, index=0):
        row = layout.row(align=True)
        row.label(text=item.channel)
        target = context.scene.lipsync.target
        if target is not None and target.data.shape_keys is not None:
            row.prop_search(item, "shape_key", target.data.shape_keys, "key_blocks", text="")
        else:
            row.prop(item, "shape_key", text="")
        row.prop(item, "gain", text="")


class LIPSYNC_PT_mapping(LipSyncPanel, bpy.types.Panel):
    bl_label = "Mapping"
    bl_parent_id = "LIPSYNC_PT_main"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.lipsync
        layout.prop(settings, "preset")
        if settings.preset == PRESET_FILE:
            layout.prop(settings, "preset_path", text="")
        row = layout.row(align=True)
        row.operator("lipsync.load_mapping", icon="IMPORT")
        row.operator("lipsync.save_mapping", icon="EXPORT")
        if settings.preset == PRESET_TABLE or len(settings.routes):
            layout.template_list(
                "LIPSYNC_UL_routes", "", settings, "routes", settings, "route_index", rows=6
            )


class LIPSYNC_PT_compare(LipSyncPanel, bpy.types.Panel):
    bl_label = "Compare A/B"
    bl_parent_id = "LIPSYNC_PT_main"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        settings = context.scene.lipsync
        layout.label(text=f"A: {settings.model} on the target")
        layout.prop(settings, "model_b")
        layout.prop(settings, "compare_object")
        layout.operator("lipsync.compare", icon="SPLIT_HORIZONTAL")
        image = bpy.data.images.get(PLOT_IMAGE)
        if image is not None:
            layout.template_icon(icon_value=layout.icon(image), scale=6.0)
            layout.operator("lipsync.show_plot", icon="IMAGE_DATA")


class LIPSYNC_PT_export(LipSyncPanel, bpy.types.Panel):
    bl_label = "Export"
    bl_parent_id = "LIPSYNC_PT_main"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        col = self.layout.column(align=True)
        for file_format, label in (
            ("CSV", "CSV"),
            ("LIVE_LINK", "Live Link Face CSV"),
            ("JSON", "JSON"),
            ("FBX", "FBX"),
            ("GLTF", "glTF"),
        ):
            col.operator("lipsync.export", text=label).format = file_format


CLASSES = (
    LIPSYNC_UL_routes,
    LIPSYNC_PT_main,
    LIPSYNC_PT_mapping,
    LIPSYNC_PT_compare,
    LIPSYNC_PT_export,
)
