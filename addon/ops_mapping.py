"""Mapping table operators: fill the table from a preset for the target, save it as a preset."""

import bpy
from bpy.props import StringProperty

from ..core.errors import LipSyncError
from ..core.rig.mapping import Preset, save_preset
from .properties import PRESET_TABLE
from .take_options import mapping_preset, table_preset, target_mapping, target_object


class LIPSYNC_OT_load_mapping(bpy.types.Operator):
    """Fill the mapping table from the chosen preset, matched to the target's shape keys"""

    bl_idname = "lipsync.load_mapping"
    bl_label = "Load Into Table"
    bl_options = {"REGISTER", "UNDO"}

    target: StringProperty(
        name="Target", description="Name of the mesh with shape keys (unset: the panel's Target)"
    )
    preset: StringProperty(
        name="Mapping",
        description="A preset id (arkit52, character_creator4, rhubarb_ax) or a preset .json "
        "path (unset: the panel's Mapping)",
    )

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.lipsync
        try:
            obj = target_object(context, self.target)
            if settings.preset == PRESET_TABLE and not self.preset:
                raise LipSyncError("Pick a preset to load; 'Edited table' is the table itself.")
            mapping = target_mapping(obj, mapping_preset(context, self.preset))
        except LipSyncError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        settings.routes.clear()
        for route in mapping.routes:
            row = settings.routes.add()
            row.channel, row.shape_key, row.gain = route.channel, route.shape_key, route.gain
        for channel in mapping.unmapped:
            settings.routes.add().channel = channel
        settings.preset = PRESET_TABLE
        self.report({"INFO"}, f"{len(mapping.routes)} routes, {len(mapping.unmapped)} unmapped.")
        return {"FINISHED"}


class LIPSYNC_OT_save_mapping(bpy.types.Operator):
    """Save the mapping table as a preset file (.json)"""

    bl_idname = "lipsync.save_mapping"
    bl_label = "Save Preset"

    filepath: StringProperty(subtype="FILE_PATH", description="The preset .json file to write")
    filter_glob: StringProperty(
        default="*.json", options={"HIDDEN"}, description="Show only .json files"
    )
    name: StringProperty(
        name="Preset Name",
        default="My rig",
        description="The name stored in the preset file",
    )

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            table = table_preset(context.scene.lipsync)
            path = save_preset(Preset(self.name, table.channels), bpy.path.abspath(self.filepath))
        except LipSyncError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, f"Saved the mapping preset {path}.")
        return {"FINISHED"}


CLASSES = (LIPSYNC_OT_load_mapping, LIPSYNC_OT_save_mapping)
