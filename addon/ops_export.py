"""Export a take: CSV, Live Link Face CSV, JSON, or FBX / glTF of the target.

A file browser operator (Blender's ExportHelper), in File > Export and in the panel. It works
on the context it is given (its scene, view layer, window), never on the global one.

CSV, Live Link and JSON carry the keyed shape-key curves as they are in the file (hand edits
included): one row per key frame, time in seconds from the take's first key. A viseme take
exports as CSV or JSON: its stored curves and the viseme column (core.export.curves). FBX and
glTF export the target alone with its shape-key animation through Blender's own exporters; the
selection, active object and frame range are restored afterwards.
"""

import os

import bpy
from bpy.props import EnumProperty, StringProperty
from bpy_extras.io_utils import ExportHelper

from ..core.animation import Animation
from ..core.errors import LipSyncError, RigError
from ..core.export.curves import VisemeColumn, check_output_folder, write_csv, write_json
from ..core.export.live_link import arkit_named, write_live_link_csv
from . import audio_source, closure_edit, keying, take_store, targets

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
# Stored for corrections (take_store), not part of the exported metadata
_INTERNAL = {"weights", "weights_shape", "track", "markers", "viseme_set_json", "routes", "phones"}


class LIPSYNC_OT_export(ExportHelper, bpy.types.Operator):
    """Export the target's lip-sync take"""

    bl_idname = "lipsync.export"
    bl_label = "Export Take"
    filename_ext = ".csv"  # follows `format` (check)

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
    take: StringProperty(
        name="Take",
        description="Name of the take's Action (unset: the object's active take, else the one "
        "the Closures panel shows, else its first)",
    )
    filter_glob: StringProperty(
        default="*.csv;*.json;*.fbx;*.glb;*.gltf",
        options={"HIDDEN"},
        description="Show only the kinds of file this export writes",
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
            if settings.target is None or not keying.object_takes(settings.target):
                cls.poll_message_set("The target has no lip-sync take; Generate one first.")
                return False
        return True

    def invoke(self, context: bpy.types.Context, event) -> set[str]:
        self.filename_ext = EXTENSIONS[self.format]
        if not self.filepath:
            try:
                obj, _ = self._target(context)
                stem = bpy.path.clean_name(self._take(context, obj).name)
            except LipSyncError:
                stem = "take"
            self.filepath = os.path.join(bpy.path.abspath("//") or os.getcwd(), stem)
        self.filepath = os.path.splitext(self.filepath)[0] + self.filename_ext
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def check(self, context: bpy.types.Context) -> bool:
        """The file name follows the chosen format's extension (the browser's redraw)."""
        self.filename_ext = EXTENSIONS[self.format]
        return super().check(context)

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            obj, why = self._target(context)
            action = self._take(context, obj)
            path = bpy.path.abspath(self.filepath)
            if not path:
                raise LipSyncError("Give a file path to export to.")
            check_output_folder(path)  # before any exporter touches the scene or the disk
            if self.format in ("FBX", "GLTF"):
                export_scene(context, obj, action, path, self.format)
            else:
                export_curves(context, obj, action, path, self.format)
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
            obj, why = targets.default_target(context, lambda o: bool(keying.object_takes(o)))
            if obj is None:
                raise RigError(
                    "No object with a lip-sync take to export: Generate one, or pass target=."
                )
        if not keying.object_takes(obj):
            raise RigError(f"'{obj.name}' has no lip-sync take; Generate one first.")
        return obj, why

    def _take(self, context: bpy.types.Context, obj: bpy.types.Object) -> bpy.types.Action:
        """The take to export: the named one, else the active one, else the focused one."""
        if self.take:
            action = closure_edit.take_named(obj, self.take)
            if action is None:
                raise RigError(f"'{obj.name}' has no lip-sync take named '{self.take}'.")
            return action
        active = keying.current_take(obj)
        if active is not None:
            return active
        focus = closure_edit.focused_take(context)
        if focus is not None and focus[0] == obj:
            return focus[1]
        return keying.object_takes(obj)[0]


def take_animation(
    context: bpy.types.Context, obj: bpy.types.Object, action: bpy.types.Action
) -> tuple[Animation, dict]:
    """A take as an Animation over its shape keys, and its metadata."""
    frames, names, values = keying.take_curves(obj, action)
    if len(frames) == 0:
        raise RigError(f"The take '{action.name}' has no keyed shape keys.")
    return Animation(_fps(context, action), names, values), _metadata(obj, action, frames[0])


def _fps(context: bpy.types.Context, action: bpy.types.Action) -> float:
    return float(action.get("tiny_lipsync_fps", 0.0)) or audio_source.scene_fps(context.scene)


def _metadata(obj: bpy.types.Object, action: bpy.types.Action, first_frame: float) -> dict:
    """The take's metadata (what made it) for a JSON file."""
    metadata = {
        k.removeprefix("tiny_lipsync_"): _plain(action[k])
        for k in action.keys()
        if k.startswith("tiny_lipsync_") and k.removeprefix("tiny_lipsync_") not in _INTERNAL
    }
    metadata.update(action=action.name, target=obj.name, first_frame=float(first_frame))
    return metadata


def export_curves(
    context: bpy.types.Context,
    obj: bpy.types.Object,
    action: bpy.types.Action,
    path: str,
    file_format: str,
) -> None:
    """Write the take as CSV, Live Link Face CSV or JSON."""
    if action.get("tiny_lipsync_output") == "VISEMES":
        export_visemes(context, obj, action, path, file_format)
        return
    animation, metadata = take_animation(context, obj, action)
    if file_format == "CSV":
        write_csv(path, animation)
    elif file_format == "JSON":
        write_json(path, animation, metadata)
    else:  # Live Link wants ARKit names: the shape keys matched to them, tolerant of spelling
        write_live_link_csv(path, arkit_named(animation, f"'{obj.name}'"))


def export_visemes(
    context: bpy.types.Context,
    obj: bpy.types.Object,
    action: bpy.types.Action,
    path: str,
    file_format: str,
) -> None:
    """A viseme take as CSV or JSON: its ARKit curves (corrections included) and the track."""
    if file_format not in ("CSV", "JSON"):
        raise RigError(
            f"The take '{action.name}' holds visemes (lipsync_viseme); export it as CSV or JSON."
        )
    weights, channels = take_store.weights_of(action)
    vset, _, track = take_store.visemes_of(action)
    animation = Animation(_fps(context, action), channels, weights)
    column = VisemeColumn(vset.name, vset.shapes, track)
    if file_format == "CSV":
        write_csv(path, animation, column)
    else:
        first = take_store.first_frame(action)
        write_json(path, animation, _metadata(obj, action, first), column)


def export_scene(
    context: bpy.types.Context,
    obj: bpy.types.Object,
    action: bpy.types.Action,
    path: str,
    file_format: str,
):
    """Export only `obj` with its shape-key animation via Blender's FBX or glTF exporter."""
    if action.get("tiny_lipsync_output") == "VISEMES":
        export_visemes(context, obj, action, path, file_format)  # says: CSV or JSON
        return
    frames, _, _ = keying.take_curves(obj, action)
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
        with context.temp_override(scene=scene, view_layer=view_layer):
            result = _run_exporter(path, file_format)
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


def _run_exporter(path: str, file_format: str) -> set[str]:
    """Blender's FBX or glTF exporter on the selected object (in the context set by the caller)."""
    if file_format == "FBX":
        return bpy.ops.export_scene.fbx(
            filepath=path,
            use_selection=True,
            object_types={"MESH"},
            use_mesh_modifiers=False,
            bake_anim=True,
            bake_anim_use_all_actions=False,
            bake_anim_use_nla_strips=False,
            add_leaf_bones=False,
        )
    is_glb = not path.lower().endswith(".gltf")
    return bpy.ops.export_scene.gltf(
        filepath=path,
        export_format="GLB" if is_glb else "GLTF_SEPARATE",
        use_selection=True,
        export_apply=False,
        export_animations=True,
        export_morph=True,
        export_morph_animation=True,
        export_morph_normal=False,  # engines recompute them; a quarter of the file size
    )


def _plain(value):
    """ID property value -> JSON-friendly Python value."""
    return value.to_dict() if hasattr(value, "to_dict") else value


def menu_export(self, context: bpy.types.Context) -> None:
    """File > Export: the lip-sync take."""
    self.layout.operator(
        LIPSYNC_OT_export.bl_idname, text="Lip-Sync Take (.csv, .json, .fbx, .glb)"
    )


CLASSES = (LIPSYNC_OT_export,)
MENUS = ((bpy.types.TOPBAR_MT_file_export, menu_export),)
