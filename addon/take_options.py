"""Operator keyword arguments shared by Generate and Compare, and how they become a TakeRequest.

Every argument is optional: an argument not given falls back to the panel's value
(`Scene.lipsync`), then to the add-on preferences. So scripts can say
`bpy.ops.lipsync.generate(strip="Dialogue", model="s_tiny", target="Head")` or
`bpy.ops.lipsync.generate(filepath="/x/line.wav", frame_start=12, target="Head")`.
"""

import bpy
from bpy.props import BoolProperty, FloatProperty, StringProperty

from ..core.errors import AudioError, ModelFileError, RigError
from ..core.rig.arkit import LOWER_FACE
from ..core.rig.mapping import Mapping, Preset, load_preset, resolve, shipped_presets
from . import audio_source, compat, guide, model_menu, preferences
from .audio_source import TakeAudio
from .properties import PRESET_FILE, PRESET_TABLE
from .take import TakeRequest


class TakeOptions:
    """Keyword arguments of the take operators (empty or unset: the panel's value)."""

    target: StringProperty(
        name="Target", description="Name of the mesh with shape keys (unset: the panel's Target)"
    )
    strip: StringProperty(
        name="Sound Strip", description="Name of a sound strip of the scene (unset: the panel's)"
    )
    filepath: StringProperty(
        name="Audio File",
        subtype="FILE_PATH",
        description="An audio file to lip-sync instead of a sound strip",
    )
    frame_start: FloatProperty(
        name="Start Frame", default=1.0, description="The frame where the Audio File starts"
    )
    model: StringProperty(
        name="Model",
        description="A shipped model's name (s_tiny, s_lowlat, teacher, s0) or a .npz path "
        "(unset: the panel's Model)",
    )
    smoothing: BoolProperty(
        name="Smoothing",
        default=True,
        description="Average each frame with the predictions 1/60 s before and after "
        "(unset: the panel's)",
    )
    strength: FloatProperty(
        name="Strength",
        default=1.0,
        min=0.0,
        description="Scale every mouth movement, 1 as the model says (unset: the panel's)",
    )
    close_bias: FloatProperty(
        name="Lip-Close Bias",
        default=0.0,
        min=0.0,
        max=0.9,
        description="Close lip openings smaller than this (unset: the panel's)",
    )
    offset_ms: FloatProperty(
        name="Offset (ms)",
        default=0.0,
        description="Move the keys in time, negative before the sound (unset: the panel's)",
    )
    key_tolerance: FloatProperty(
        name="Key Tolerance",
        default=0.0,
        min=0.0,
        max=0.05,
        precision=4,
        description="Unset: the add-on preferences' value. " + preferences.KEY_TOLERANCE_HELP,
    )
    preset: StringProperty(
        name="Mapping", description="Preset id (e.g. arkit52), a preset .json path, or TABLE"
    )

    def option(self, name: str, settings):
        """The argument if the caller set it, else the panel's value."""
        return (
            getattr(self, name)
            if self.properties.is_property_set(name)
            else getattr(settings, name)
        )

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        """Greyed in the panel with the reason; open to scripts, which pass arguments."""
        if context.scene is None or not hasattr(context.scene, "lipsync"):
            return False
        reason = panel_reason(context)
        if reason and context.area is not None and context.area.type == "VIEW_3D":
            cls.poll_message_set(reason)  # the panel's button
            return False
        return True

    def target_object(self, context: bpy.types.Context, name: str = "") -> bpy.types.Object:
        """The named mesh, else the `target` argument, else the panel's target; checked."""
        return target_object(context, name or self.target)

    def take_audio(self, context: bpy.types.Context) -> TakeAudio:
        """The audio of the named strip, of `filepath`, or of the panel's strip."""
        scene = context.scene
        if self.filepath:
            return audio_source.file_audio(self.filepath, self.frame_start)
        name = self.strip or scene.lipsync.strip
        if not name:
            raise AudioError("Pick a sound strip (or give an audio file).")
        strip = compat.find_sound_strip(scene, name)
        if strip is None:
            raise AudioError(f"The scene has no sound strip named '{name}'.")
        return audio_source.strip_audio(scene, strip)

    def model_choice(self, context: bpy.types.Context, arg: str = "model", panel: str = "model"):
        """Model name or path from the argument, the panel, or the preferences' default."""
        if getattr(self, arg):
            return getattr(self, arg)
        settings = context.scene.lipsync
        if not settings.is_property_set(panel):
            default = preferences.get(context).default_model
            if default:
                return default
        choice = model_menu.chosen_model(
            getattr(settings, panel), bpy.path.abspath(settings.model_path)
        )
        if not choice:
            raise ModelFileError("Pick a model file for 'Custom file...'.")
        return choice

    def mapping(self, context: bpy.types.Context, obj: bpy.types.Object) -> Mapping:
        """The channel mapping resolved against the target's shape keys."""
        return target_mapping(obj, mapping_preset(context, self.preset))

    def key_tolerance_choice(self, context: bpy.types.Context) -> float:
        """The `key_tolerance` argument if set, else the add-on preferences' (0: every frame)."""
        if self.properties.is_property_set("key_tolerance"):
            return self.key_tolerance
        return preferences.get(context).key_tolerance

    def request(
        self, context: bpy.types.Context, obj, audio: TakeAudio, model: str, text: str = ""
    ) -> TakeRequest:
        """The TakeRequest for one model (with dialogue text: transcript mode)."""
        settings = context.scene.lipsync
        mapping = self.mapping(context, obj)
        if not mapping.routes:
            raise RigError(
                f"None of the model's channels matches a shape key of '{obj.name}'; "
                f"pick another mapping preset or edit the table {guide.see(guide.MAPPING)}."
            )
        return TakeRequest(
            audio=audio,
            model=model,
            fps=audio_source.scene_fps(context.scene),
            smoothing=self.option("smoothing", settings),
            strength=self.option("strength", settings),
            close_bias=self.option("close_bias", settings),
            offset_ms=self.option("offset_ms", settings),
            key_tolerance=self.key_tolerance_choice(context),
            mapping=mapping,
            text=text,
        )


def panel_reason(context: bpy.types.Context) -> str:
    """Why Generate or Compare cannot run from the panel ('' when it can)."""
    settings = context.scene.lipsync
    if context.window_manager.lipsync_status.running:
        return "A lip-sync job is running (Esc cancels it)."
    if settings.target is None:
        return "Pick a target mesh with shape keys."
    if not settings.strip:
        return "Pick a sound strip."
    return ""


def target_object(context: bpy.types.Context, name: str = "") -> bpy.types.Object:
    """The named mesh, else the panel's target; RigError unless it has shape keys."""
    if name:
        obj = bpy.data.objects.get(name)
        if obj is None:
            raise RigError(f"There is no object named '{name}'.")
    else:
        obj = context.scene.lipsync.target
        if obj is None:
            raise RigError("Pick a target mesh with shape keys first.")
    if obj.type != "MESH" or obj.data.shape_keys is None:
        raise RigError(f"'{obj.name}' has no shape keys to animate; pick a mesh with some.")
    return obj


def target_mapping(obj: bpy.types.Object, preset: Preset) -> Mapping:
    """A preset resolved against the object's shape keys (its basis left out)."""
    keys = [block.name for block in obj.data.shape_keys.key_blocks[1:]]
    return resolve(preset, LOWER_FACE, keys)


def mapping_preset(context: bpy.types.Context, choice: str = "") -> Preset:
    """The preset named by `choice` (an id, a .json path, TABLE), else the panel's, else the
    preferences' default."""
    settings = context.scene.lipsync
    if not choice:
        choice = (
            settings.preset
            if settings.is_property_set("preset")
            else (preferences.get(context).default_preset or settings.preset)
        )
    if choice == PRESET_TABLE:
        return table_preset(settings)
    if choice == PRESET_FILE:
        return load_preset(bpy.path.abspath(settings.preset_path))
    if choice.lower().endswith(".json"):
        return load_preset(bpy.path.abspath(choice))
    presets = shipped_presets()
    if choice not in presets:
        raise RigError(f"No mapping preset '{choice}' (shipped: {', '.join(presets)}).")
    return load_preset(presets[choice])


def table_preset(settings) -> Preset:
    """The edited mapping table as a preset (rows with no shape key are left out)."""
    if len(settings.routes) == 0:
        raise RigError("The mapping table is empty; load a preset into it first.")
    channels: dict[str, tuple[tuple[str, float], ...]] = {}
    for row in settings.routes:
        if row.shape_key:
            channels[row.channel] = channels.get(row.channel, ()) + ((row.shape_key, row.gain),)
    return Preset("Edited table", channels)
