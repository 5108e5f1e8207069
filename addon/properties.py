"""Settings the panel edits, and the transient job status.

- `Scene.lipsync` (LIPSYNC_PG_settings): the animator's choices for this shot (target, strip,
  models, options, the edited mapping table). They belong to the scene's dialogue and are saved
  with the file, so reopening it keeps the set-up; operators take them only as defaults.
- `WindowManager.lipsync_status` (LIPSYNC_PG_status): progress of the running job and the last
  take's unmapped channels. Transient UI state: the WindowManager is not saved in the file.
"""

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ..core.rig.mapping import load_preset, shipped_presets
from . import compat, model_menu

PRESET_FILE = "FILE"
PRESET_TABLE = "TABLE"
_preset_items: list[tuple[str, str, str]] = []


def preset_items(_self=None, _context=None) -> list[tuple[str, str, str]]:
    """Shipped mapping presets, then a preset file from disk, then the edited table."""
    items = []
    for preset_id, path in shipped_presets().items():
        try:
            preset = load_preset(path)
            items.append((preset_id, preset.name, preset.description))
        except Exception as error:  # a broken preset file must not break the panel
            items.append((preset_id, preset_id, f"cannot load: {error}"))
    items.append((PRESET_FILE, "Preset file...", "A mapping preset .json file from disk"))
    items.append((PRESET_TABLE, "Edited table", "The channel table below, as edited"))
    _preset_items[:] = items
    return _preset_items


def is_shape_key_mesh(_self, obj: bpy.types.Object) -> bool:
    """Poll for target pickers: meshes that have shape keys."""
    return obj.type == "MESH" and obj.data.shape_keys is not None


def _strip_names(_self, context, _edit_text) -> list[str]:
    return [strip.name for strip in compat.sound_strips(context.scene)]


class LIPSYNC_PG_route(bpy.types.PropertyGroup):
    """One row of the mapping table: a channel drives a shape key with a gain."""

    channel: StringProperty(name="Channel", description="ARKit channel the model outputs")
    shape_key: StringProperty(name="Shape Key", description="Shape key it drives (empty: none)")
    gain: FloatProperty(name="Gain", default=1.0, soft_min=0.0, soft_max=2.0)


class LIPSYNC_PG_settings(bpy.types.PropertyGroup):
    """The Lip Sync panel's choices for this scene (defaults for the operators)."""

    target: PointerProperty(
        name="Target",
        type=bpy.types.Object,
        poll=is_shape_key_mesh,
        description="Mesh whose shape keys receive the lip sync",
    )
    strip: StringProperty(
        name="Sound Strip", search=_strip_names, description="Sound strip with the dialogue"
    )
    model: EnumProperty(name="Model", items=model_menu.enum_items)
    model_path: StringProperty(name="Model File", subtype="FILE_PATH")
    smoothing: BoolProperty(
        name="Smoothing",
        default=True,
        description="Ensemble smoothing: average predictions 1/60 s before, at and after",
    )
    strength: FloatProperty(name="Strength", default=1.0, min=0.0, soft_max=2.0)
    close_bias: FloatProperty(
        name="Lip-Close Bias",
        default=0.0,
        min=0.0,
        max=0.9,
        description="Collapse lip openings smaller than this, so near-closures seal",
    )
    offset_ms: FloatProperty(
        name="Offset (ms)",
        default=0.0,
        soft_min=-200.0,
        soft_max=200.0,
        description="Shift the keys in time; negative lets the mouth lead the sound",
    )
    dialogue_text: StringProperty(
        name="Dialogue Text",
        description="What the line says: exact lip closures on p/b/m where it matches the "
        "audio (the teacher aligns it; the model animates what does not match)",
    )
    use_text_file: BoolProperty(
        name="Use the .txt beside the audio file",
        default=True,
        description="With no dialogue text typed, read line.txt beside line.wav when it exists",
    )
    preset: EnumProperty(name="Mapping", items=preset_items)
    preset_path: StringProperty(name="Preset File", subtype="FILE_PATH")
    routes: CollectionProperty(type=LIPSYNC_PG_route)
    route_index: IntProperty()
    model_b: EnumProperty(name="Model B", items=model_menu.enum_items)
    compare_object: PointerProperty(
        name="B Object",
        type=bpy.types.Object,
        poll=is_shape_key_mesh,
        description="Object for model B (empty: a linked duplicate of the target)",
    )

    @classmethod
    def register(cls) -> None:
        bpy.types.Scene.lipsync = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del bpy.types.Scene.lipsync


class LIPSYNC_PG_status(bpy.types.PropertyGroup):
    """Progress of the running job and the last take's report (not saved)."""

    running: BoolProperty()
    progress: FloatProperty(subtype="PERCENTAGE", min=0.0, max=1.0)
    text: StringProperty()
    unmapped: StringProperty(description="Channels of the last take that drive no shape key")
    plot_image: StringProperty(description="Image of the last lip-gap comparison")
    last_target: StringProperty(description="Object the last take was keyed on")

    @classmethod
    def register(cls) -> None:
        bpy.types.WindowManager.lipsync_status = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del bpy.types.WindowManager.lipsync_status


CLASSES = (LIPSYNC_PG_route, LIPSYNC_PG_settings, LIPSYNC_PG_status)
