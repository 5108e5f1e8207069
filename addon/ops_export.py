"""Export the target's active take: CSV, Live Link Face CSV, JSON, or FBX / glTF of the target.

CSV, Live Link and JSON carry the keyed shape-key curves as they are in the file (hand edits
included): one row per key frame, time in seconds from the take's first key. FBX and glTF
export the target alone with its shape-key animation through Blender's own exporters; the
selection, active object and frame range are restored afterwards.
"""

import os

import bpy
from bpy.props import EnumProperty, StringProperty

from ..core.animation import Animation
from ..core.errors import LipSyncError, RigError
from ..core.export.curves import check_output_folder, write_csv, write_json
from ..core.export.live_link import arkit_named, write_live_link_csv
from . import audio_source, keying, targets

FORMATS = (
    ("CSV", "CSV", "a time column and one column per shape key, for spreadsheets and scripts"),
    (
        "LIVE_LINK",
        "Live Link Face CSV",
        "the iPhone Live Link Face app's take format (52 ARKit columns), for tools that read it",
    ),
    ("JSON", "JSON", "the curves with fps, channel names and how the take was made"),
    ("FBX", "FBX", "the target mesh with its shape-key animation, for game engines"),
    ("GLTF", "glTF", "the target mesh with its morph-target animation (.glb), for engines and web"),
)
EXTENSIONS = {"CSV": ".csv", "LIVE_LINK": ".csv", "JSON": ".json", "FBX": ".fbx", "GLTF": ".glb"}


class LIPSYNC_OT_export(bpy.types.Operator):
    """Export the target's lip-sync take"""

    bl_idname = "lipsync.export"
    bl_label = "Export Take"

    filepath: StringProperty(subtype="FILE_PATH", description="The file to write")
    format: EnumProperty(
        name="Format",
        items=FORMATS,
        default="CSV",
        description="CSV or JSON for scripts, Live Link Face CSV for Unreal, FBX or glTF for "
        "game engines and other 3D programs",
    )
    target: StringProperty(
        name="Target", description="Name of the object whose take to export (unset: the panel's)"
    )

    @classmethod
    def description(cls, context: bpy.types.Context, properties) -> str:
        """Each Export button's tooltip: its format and what the file holds."""
        label, detail = next((lab, det) for f, lab, det in FORMATS if f == properties.format)
        return f"Export the target's lip-sync take as {label}: {detail}"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        settings = getattr(context.scene, "lipsync", None)
        if settings is None:
            return False
        if context.area is not None and context.area.type == "VIEW_3D":
            if keying.current_take(settings.target) is None:
                cls.poll_message_set("The target has no lip-sync take; Generate one first.")
                return False
        return True

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        if not self.filepath:
            take = keying.current_take(self._target(context)[0])
            stem = bpy.path.clean_name(take.name) if take else "take"
            self.filepath = os.path.join(bpy.path.abspath("//") or os.getcwd(), stem)
        self.filepath = os.path.splitext(self.filepath)[0] + EXTENSIONS[self.format]
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            obj, why = self._target(context)
            path = bpy.path.abspath(self.filepath)
            if not path:
                raise LipSyncError("Give a file path to export to.")
            check_output_folder(path)  # before any exporter touches the scene or the disk
            if self.format in ("FBX", "GLTF"):
                export_scene(context, obj, path, self.format)
            else:
                export_curves(obj, path, self.format)
        except LipSyncError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        chosen = f" ({why})" if why else ""
        self.report({"INFO"}, f"Exported the take of '{obj.name}'{chosen} to {path}.")
        return {"FINISHED"}

    def _target(self, context: bpy.types.Context) -> tuple[bpy.types.Object, str]:
        """The object whose take to export, and why it was chosen ('' when named)."""
        if self.target:
            obj = bpy.data.objects.get(self.target)
            if obj is None:
                raise RigError(f"There is no object named '{self.target}'.")
            why = ""
        else:
            obj, why = targets.default_target(context, lambda o: keying.current_take(o) is not None)
            if obj is None:
                raise RigError(
                    "No object with a lip-sync take to export: Generate one, or pass target=."
                )
        if keying.current_take(obj) is None:
            raise RigError(f"'{obj.name}' has no lip-sync take; Generate one first.")
        return obj, why


def take_animation(obj: bpy.types.Object) -> tuple[Animation, dict]:
    """The active take as an Animation over its shape keys, and its metadata."""
    action = keying.current_take(obj)
    frames, names, values = keying.take_curves(obj)
    if len(frames) == 0:
        raise RigError(f"The take '{action.name}' has no keyed shape keys.")
    fps = float(action.get("tiny_lipsync_fps", 0.0)) or audio_source.scene_fps(bpy.context.scene)
    metadata = {
        k.removeprefix("tiny_lipsync_"): _plain(action[k])
        for k in action.keys()
        if k.startswith("tiny_lipsync_")
    }
    metadata.update(action=action.name, target=obj.name, first_frame=float(frames[0]))
    return Animation(fps, names, values), metadata


def export_curves(obj: bpy.types.Object, path: str, file_format: str) -> None:
    """Write the take as CSV, Live Link Face CSV or JSON."""
    animation, metadata = take_animation(obj)
    if file_format == "CSV":
        write_csv(path, animation)
    elif file_format == "JSON":
        write_json(path, animation, metadata)
    else:  # Live Link wants ARKit names: the shape keys matched to them, tolerant of spelling
        write_live_link_csv(path, arkit_named(animation, f"'{obj.name}'"))


def export_scene(context: bpy.types.Context, obj: bpy.types.Object, path: str, file_format: str):
    """Export only `obj` with its shape-key animation via Blender's FBX or glTF exporter."""
    frames, _, _ = keying.take_curves(obj)
    scene, view_layer = context.scene, context.view_layer
    selected = [o for o in view_layer.objects if o.select_get()]
    active = view_layer.objects.active
    frame_range = (scene.frame_start, scene.frame_end)
    try:
        for other in selected:
            other.select_set(False)
        obj.select_set(True)
        view_layer.objects.active = obj
        scene.frame_start, scene.frame_end = int(frames[0]), int(frames[-1]) + 1
        if file_format == "FBX":
            result = bpy.ops.export_scene.fbx(
                filepath=path,
                use_selection=True,
                object_types={"MESH"},
                use_mesh_modifiers=False,
                bake_anim=True,
                bake_anim_use_all_actions=False,
                bake_anim_use_nla_strips=False,
                add_leaf_bones=False,
            )
        else:
            is_glb = not path.lower().endswith(".gltf")
            result = bpy.ops.export_scene.gltf(
                filepath=path,
                export_format="GLB" if is_glb else "GLTF_SEPARATE",
                use_selection=True,
                export_apply=False,
                export_animations=True,
                export_morph=True,
                export_morph_animation=True,
                export_morph_normal=False,  # engines recompute them; a quarter of the file size
            )
    except RuntimeError as error:  # the exporter's own error, e.g. an unwritable path
        raise LipSyncError(f"The {file_format} exporter failed: {error}") from None
    finally:
        scene.frame_start, scene.frame_end = frame_range
        obj.select_set(False)
        for other in selected:
            other.select_set(True)
        view_layer.objects.active = active
    if result != {"FINISHED"}:
        raise LipSyncError(f"The {file_format} exporter did not finish ({result}).")


def _plain(value):
    """ID property value -> JSON-friendly Python value."""
    return value.to_dict() if hasattr(value, "to_dict") else value


CLASSES = (LIPSYNC_OT_export,)
