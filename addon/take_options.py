"""Operator keyword arguments shared by Generate and Compare, and how they become a TakeRequest.

Every argument is optional: an argument not given falls back to the panel's value
(`Scene.lipsync`), then to the add-on preferences. So scripts can say
`bpy.ops.lipsync.generate(strip="Dialogue", model="s_tiny", target="Head")` or
`bpy.ops.lipsync.generate(filepath="/x/line.wav", frame_start=12, target="Head")`.
ShapingOptions are the ones that do not name a line (Generate All takes those);
TakeOptions add the target and the audio.
"""

from dataclasses import replace

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, IntProperty, StringProperty

from ..core.errors import AudioError, ModelFileError, RigError
from ..core.mouthshapes.shape_sets import VisemeSet, viseme_set, viseme_set_to_json
from ..core.rig.arkit import LOWER_FACE
from ..core.rig.mapping import Mapping, Preset, load_preset, resolve, shipped_presets
from ..core.runtime.catalog import resolve_model
from ..core.wholescene.settings_key import settings_key
from . import audio_source, compat, guide, keying, model_menu, preferences, take_store
from .audio_source import TakeAudio
from .properties import OUTPUT_ITEMS, PRESET_FILE, PRESET_TABLE
from .take import SHAPE_KEYS, VISEMES, TakeRequest


class ShapingOptions:
    """Keyword arguments of every take operator, Generate All included (empty or unset: the
    panel's value): model, shaping, mapping, output mode."""

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
    output: EnumProperty(
        name="Output",
        items=OUTPUT_ITEMS,
        description="Shape keys (continuous), or visemes: one mouth shape at a time as the "
        "integer property lipsync_viseme, for 2D mouths (unset: the panel's)",
    )
    viseme_set: StringProperty(
        name="Viseme Set",
        description="rhubarb, oculus, or a viseme set preset .json path (unset: the panel's)",
    )
    min_hold: IntProperty(
        name="Minimum Hold",
        default=2,
        min=1,
        description="Viseme mode: no mouth shape is held for fewer frames (unset: the panel's)",
    )
    keep_corrections: BoolProperty(
        name="Keep Corrections",
        default=True,
        description="Make the take again with the closure corrections of the one it replaces "
        "(unset: the panel's)",
    )

    def option(self, name: str, settings):
        """The argument if the caller set it, else the panel's value."""
        return (
            getattr(self, name)
            if self.properties.is_property_set(name)
            else getattr(settings, name)
        )

    def output_choice(self, context: bpy.types.Context) -> str:
        """SHAPE_KEYS or VISEMES: the argument, else the panel's."""
        return self.option("output", context.scene.lipsync)

    def viseme_choice(self, context: bpy.types.Context) -> VisemeSet:
        """The viseme set: the argument, else the panel's (a built-in one or a preset file)."""
        if self.viseme_set:
            choice = self.viseme_set
        else:
            settings = context.scene.lipsync
            choice = settings.viseme_set
            if choice == PRESET_FILE:
                choice = settings.viseme_path
                if not choice:
                    raise RigError("Pick a viseme set preset file, or the Rhubarb or Oculus set.")
        return viseme_set(bpy.path.abspath(choice) if choice.endswith(".json") else choice)

    def corrections_to_keep(self, context: bpy.types.Context, identifier: str) -> tuple:
        """The corrections of the take this one replaces, when they are to be kept."""
        if not self.option("keep_corrections", context.scene.lipsync):
            return ()
        old = keying.find_take(identifier)
        if old is None or not take_store.has_weights(old):
            return ()
        return tuple(take_store.corrections_of(old))

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
        self,
        context: bpy.types.Context,
        obj,
        audio: TakeAudio,
        model: str,
        text: str = "",
        corrections: tuple = (),
    ) -> TakeRequest:
        """The TakeRequest for one model (with dialogue text: transcript mode), with the
        corrections to replay and the key of its settings."""
        settings = context.scene.lipsync
        output = self.output_choice(context)
        visemes, min_hold = None, 1
        if output == VISEMES:
            mapping = Mapping((), ())
            visemes, min_hold = self.viseme_choice(context), self.option("min_hold", settings)
        else:
            mapping = self.mapping(context, obj)
        if output == SHAPE_KEYS and not mapping.routes:
            raise RigError(
                f"None of the model's channels matches a shape key of '{obj.name}'; "
                f"pick another mapping preset or edit the table {guide.see(guide.MAPPING)}."
            )
        request = TakeRequest(
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
            output=output,
            visemes=visemes,
            min_hold=int(min_hold),
            corrections=tuple(corrections),
        )
        return replace(request, settings_key=request_key(request))


class TakeOptions(ShapingOptions):
    """Keyword arguments of the take operators of one line (empty or unset: the panel's
    value): ShapingOptions plus the target and the audio."""

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
        """The named mesh, else the `target` argument, else the panel's target; checked (any
        object in viseme mode)."""
        shape_keys = self.output_choice(context) == SHAPE_KEYS
        return target_object(context, name or self.target, shape_keys)

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


def request_key(request: TakeRequest) -> str:
    """The settings key of a request: audio, model file, options, mapping, text, output."""
    path = resolve_model(request.model)
    stat = path.stat()
    return settings_key(
        {
            "audio": request.audio.identity,
            "model": [str(path), stat.st_size, stat.st_mtime_ns],
            "fps": request.fps,
            "options": [request.smoothing, request.strength, request.close_bias],
            "offset_ms": request.offset_ms,
            "key_tolerance": request.key_tolerance,
            "routes": [[r.channel, r.shape_key, r.gain] for r in request.mapping.routes],
            "text": request.text,
            "output": request.output,
            "visemes": viseme_set_to_json(request.visemes) if request.visemes else "",
            "min_hold": request.min_hold,
        }
    )


def panel_reason(context: bpy.types.Context) -> str:
    """Why Generate or Compare cannot run from the panel ('' when it can)."""
    settings = context.scene.lipsync
    if context.window_manager.lipsync_status.running:
        return "A lip-sync job is running (Esc cancels it)."
    if settings.target is None:
        if settings.output == VISEMES:
            return "Pick a target object for the visemes."
        return "Pick a target mesh with shape keys."
    if not settings.strip:
        return "Pick a sound strip."
    return ""


def target_object(
    context: bpy.types.Context, name: str = "", shape_keys: bool = True
) -> bpy.types.Object:
    """The named object, else the panel's target; RigError unless it has shape keys (when
    `shape_keys`: the continuous output)."""
    if name:
        obj = bpy.data.objects.get(name)
        if obj is None:
            raise RigError(f"There is no object named '{name}'.")
    else:
        obj = context.scene.lipsync.target
        if obj is None:
            raise RigError("Pick a target mesh with shape keys first.")
    if shape_keys and (obj.type != "MESH" or obj.data.shape_keys is None):
        raise RigError(
            f"'{obj.name}' has no shape keys to animate; pick a mesh with some, or the "
            "Visemes output for a 2D mouth."
        )
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
