"""Compare A/B: two models on two heads, closure markers, and a lip-gap plot image.

Model A is keyed on the target, model B on a second object: the one the user picked, or a copy
placed beside the target. The copy shares the target's materials and modifiers but has its own
mesh, because shape keys (and so their animation) live on the mesh: a true linked duplicate
would share one Key datablock and could not play two takes.
"""

from dataclasses import dataclass

import bpy
import numpy as np
from bpy.props import StringProperty

from ..core.demohead.gap_plot import closure_onsets, render_gap_plot
from ..core.demohead.head import lip_gap
from ..core.errors import RigError
from ..core.runtime.catalog import resolve_model
from . import targets
from .job_operator import Job, JobOperator
from .take import SHAPE_KEYS, Take, apply_take, compute_take
from .take_options import TakeOptions

MARKER_PREFIX = ("[A] ", "[B] ")
PLOT_IMAGE = "Lip gap A-B"


@dataclass(frozen=True)
class Comparison:
    """Two takes and their lip gaps (metres, per frame)."""

    takes: tuple[Take, Take]
    gaps_m: tuple[np.ndarray, np.ndarray]


class LIPSYNC_OT_compare(TakeOptions, JobOperator, bpy.types.Operator):
    """Key model A on the target and model B on a second head; mark every lip closure"""

    bl_idname = "lipsync.compare"
    bl_label = "Compare A/B"
    bl_options = {"REGISTER", "UNDO"}

    model_b: StringProperty(
        name="Model B",
        description="Model for the second head: a shipped model's name or a .npz path (unset: "
        "the panel's Model B)",
    )
    object_b: StringProperty(
        name="Object B",
        description="Name of the mesh for model B (empty: a copy of the target beside it)",
    )
    plot_path: StringProperty(
        name="Plot PNG",
        subtype="FILE_PATH",
        description="Also save the lip-gap plot as this PNG file",
    )

    def prepare(self, context: bpy.types.Context) -> Job:
        obj_a, why = self._target_a(context)
        obj_b_name = self.object_b or (
            context.scene.lipsync.compare_object.name
            if context.scene.lipsync.compare_object
            else ""
        )
        obj_b = self.target_object(context, obj_b_name) if obj_b_name else obj_a
        if obj_b == obj_a and obj_b_name:
            raise RigError("Object B must differ from the target.")
        audio = self.take_audio(context)
        models = (self.model_choice(context), self.model_choice(context, "model_b", "model_b"))
        for model in models:
            resolve_model(model)  # an unknown name or missing file fails before any work
        request_a = self.request(context, obj_a, audio, models[0])
        request_b = self.request(context, obj_b, audio, models[1])
        names = (obj_a.name, obj_b_name)
        plot_path = bpy.path.abspath(self.plot_path) if self.plot_path else ""
        chosen = f" ({why})" if why else ""

        def compute(progress) -> Comparison:
            take_a = compute_take(request_a, progress, 0.0, 0.45)
            take_b = compute_take(request_b, progress, 0.45, 0.45)
            progress(0.9, "Measuring lip gaps")
            gaps = tuple(
                lip_gap(t.animation.weights, t.animation.channel_names) for t in (take_a, take_b)
            )
            return Comparison((take_a, take_b), gaps)

        def apply(context: bpy.types.Context, comparison: Comparison) -> str:
            return apply_comparison(context, names, comparison, plot_path, chosen)

        return Job(compute=compute, apply=apply)

    def output_choice(self, context: bpy.types.Context) -> str:
        """Compare measures lip gaps on shape keys, whatever the panel's output mode."""
        return SHAPE_KEYS

    def _target_a(self, context: bpy.types.Context) -> tuple[bpy.types.Object, str]:
        """Object A and why it was chosen ('' when the caller named it)."""
        if self.target:
            return self.target_object(context), ""
        obj, why = targets.default_target(context, is_shape_key_mesh)
        return self.target_object(context, obj.name if obj else ""), why


def is_shape_key_mesh(obj: bpy.types.Object) -> bool:
    return obj.type == "MESH" and obj.data.shape_keys is not None


def apply_comparison(
    context, names: tuple[str, str], comparison: Comparison, plot_path: str, chosen: str = ""
) -> str:
    """Write both takes, the closure markers and the plot image; return the report line."""
    obj_a = bpy.data.objects[names[0]]
    obj_b = bpy.data.objects[names[1]] if names[1] else _copy_beside(context, obj_a)
    take_a, take_b = comparison.takes
    apply_take(context, obj_a, take_a, markers=False)  # Compare draws its own markers
    apply_take(context, obj_b, take_b, markers=False)
    targets.remember(context, obj_a)  # Compare's subject is A
    counts = []
    markers = context.scene.timeline_markers
    for prefix, take, gap in zip(MARKER_PREFIX, comparison.takes, comparison.gaps_m, strict=True):
        for marker in [m for m in markers if m.name.startswith(prefix)]:
            markers.remove(marker)
        onsets = closure_onsets(gap)
        for frame in take.frames[onsets]:
            markers.new(f"{prefix}{take.model_name}", frame=int(round(frame)))
        counts.append(len(onsets))
    image = _plot_image(comparison, take_a.request.fps)
    if plot_path:
        image.filepath_raw = plot_path
        image.file_format = "PNG"
        image.save()
    _show_in_image_editor(context, image)
    context.window_manager.lipsync_status.plot_image = image.name
    return (
        f"A: {take_a.model_name} on '{obj_a.name}'{chosen}, {counts[0]} closures; "
        f"B: {take_b.model_name} on '{obj_b.name}', {counts[1]} closures."
    )


def _copy_beside(context, obj: bpy.types.Object) -> bpy.types.Object:
    """A copy of obj (own mesh and shape keys, shared materials) one width to its right."""
    copy = obj.copy()
    copy.data = obj.data.copy()
    copy.name = f"{obj.name} B"
    key = copy.data.shape_keys
    if key.animation_data is not None:
        key.animation_data_clear()
    width = max(obj.dimensions.x, 0.1)
    copy.location = obj.location.copy()
    copy.location.x += 1.3 * width
    for collection in obj.users_collection:
        collection.objects.link(copy)
    return copy


def _plot_image(comparison: Comparison, fps: float) -> bpy.types.Image:
    """The lip-gap plot as a Blender image (replacing the previous one)."""
    names = tuple(take.model_name for take in comparison.takes)
    title = f"Lip gap at the mouth's midline: {names[0]} vs {names[1]}"
    pixels = render_gap_plot(list(comparison.gaps_m), fps, names=names, title=title)  # (H, W, 4)
    height, width = pixels.shape[:2]
    image = bpy.data.images.get(PLOT_IMAGE)
    if image is not None and tuple(image.size) != (width, height):
        bpy.data.images.remove(image)
        image = None
    if image is None:
        image = bpy.data.images.new(PLOT_IMAGE, width, height, alpha=True)
    bottom_up = np.ascontiguousarray(pixels[::-1])  # Blender stores the bottom row first
    image.pixels.foreach_set(bottom_up.ravel())
    image.update()
    return image


def _show_in_image_editor(context, image: bpy.types.Image) -> None:
    """Show the plot in every open Image Editor (background mode has none)."""
    window_manager = context.window_manager
    for window in window_manager.windows if window_manager else ():
        for area in window.screen.areas:
            if area.type == "IMAGE_EDITOR":
                area.spaces.active.image = image


class LIPSYNC_OT_show_plot(bpy.types.Operator):
    """Open the last lip-gap comparison plot in a new Image Editor window"""

    bl_idname = "lipsync.show_plot"
    bl_label = "Show Lip-Gap Plot"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if bpy.data.images.get(PLOT_IMAGE) is None:
            cls.poll_message_set("Run Compare A/B first.")
            return False
        return True

    def execute(self, context: bpy.types.Context) -> set[str]:
        bpy.ops.wm.window_new()
        area = context.window_manager.windows[-1].screen.areas[0]
        area.type = "IMAGE_EDITOR"
        area.spaces.active.image = bpy.data.images[PLOT_IMAGE]
        return {"FINISHED"}


CLASSES = (LIPSYNC_OT_compare, LIPSYNC_OT_show_plot)
