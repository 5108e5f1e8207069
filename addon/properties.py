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
OUTPUT_ITEMS = (
    ("SHAPE_KEYS", "Shape Keys", "Continuous: the model's curves on the target's shape keys"),
    (
        "VISEMES",
        "Visemes (2D)",
        "Stepped: one mouth shape at a time, keyed as the integer property lipsync_viseme on "
        "the target object, for a Grease Pencil, image-sequence or shape-key-switch mouth",
    ),
)
VISEME_SET_ITEMS = (
    ("rhubarb", "Rhubarb A-X", "Rhubarb Lip Sync's nine mouth shapes A-H and X (rest)"),
    ("oculus", "Oculus visemes", "The 15 Oculus/Meta visemes: sil, PP, FF, TH ... oh, ou"),
    (PRESET_FILE, "Preset file...", "A viseme set .json file: shapes, their phones, closed, rest"),
)
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


def is_target(settings, obj: bpy.types.Object) -> bool:
    """Poll for the panel's target: a mesh with shape keys, any object for visemes."""
    return settings.output == "VISEMES" or is_shape_key_mesh(settings, obj)


def _jump_to_closure(status, context) -> None:
    """Selecting a closure in the panel's list moves the playhead to it."""
    from .closure_edit import jump_to_closure

    jump_to_closure(context, status.closure_index)


def _strip_names(_self, context, _edit_text) -> list[str]:
    return [strip.name for strip in compat.sound_strips(context.scene)]


class LIPSYNC_PG_route(bpy.types.PropertyGroup):
    """One row of the mapping table: a channel drives a shape key with a gain."""

    channel: StringProperty(
        name="Channel", description="The ARKit channel the model animates (jawOpen, mouthClose...)"
    )
    shape_key: StringProperty(
        name="Shape Key",
        description="The target's shape key this channel drives (empty: the channel drives none)",
    )
    gain: FloatProperty(
        name="Gain",
        default=1.0,
        soft_min=0.0,
        soft_max=2.0,
        description="How strongly the channel drives the shape key: 1 as the model says, "
        "0.5 half as much",
    )


class LIPSYNC_PG_settings(bpy.types.PropertyGroup):
    """The Lip Sync panel's choices for this scene (defaults for the operators)."""

    target: PointerProperty(
        name="Target",
        type=bpy.types.Object,
        poll=is_target,
        description="The mesh whose shape keys get the lip sync (only meshes with shape keys "
        "are offered; any object in the Visemes output)",
    )
    strip: StringProperty(
        name="Sound Strip",
        search=_strip_names,
        description="The Video Sequencer sound strip holding the dialogue line; the keys start "
        "where the strip starts",
    )
    model: EnumProperty(
        name="Model",
        items=model_menu.enum_items,
        description="What turns the speech into mouth shapes: s_tiny small and fast, s_lowlat "
        "for 64 ms latency, teacher the most accurate and slowest",
    )
    model_path: StringProperty(
        name="Model File",
        subtype="FILE_PATH",
        description="The model .npz file used when Model is 'Custom file...'",
    )
    smoothing: BoolProperty(
        name="Smoothing",
        default=True,
        description="Average each frame with the predictions 1/60 s before and after: steadier "
        "lips for 17 ms more latency",
    )
    strength: FloatProperty(
        name="Strength",
        default=1.0,
        min=0.0,
        soft_max=2.0,
        description="Scale every mouth movement: 1 as the model says, below 1 calmer, above 1 "
        "bigger (no shape key goes past 1)",
    )
    close_bias: FloatProperty(
        name="Lip-Close Bias",
        default=0.0,
        min=0.0,
        max=0.9,
        description="Close the lips where they are nearly closed: openings smaller than this "
        "become closed, larger ones shrink a little. Raise it when p, b, m do not seal",
    )
    offset_ms: FloatProperty(
        name="Offset (ms)",
        default=0.0,
        soft_min=-200.0,
        soft_max=200.0,
        description="Move the keys in time: negative makes the mouth move before the sound "
        "(animators often lead it by a frame or two), positive after it",
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
    preset: EnumProperty(
        name="Mapping",
        items=preset_items,
        description="How the model's ARKit channels find your rig's shape keys: a shipped "
        "preset, a preset file, or the edited table",
    )
    preset_path: StringProperty(
        name="Preset File",
        subtype="FILE_PATH",
        description="The mapping preset .json used when Mapping is 'Preset file...'",
    )
    routes: CollectionProperty(
        type=LIPSYNC_PG_route,
        description="The mapping table: which shape key each channel drives, and how strongly",
    )
    route_index: IntProperty(description="The selected row of the mapping table")
    model_b: EnumProperty(
        name="Model B",
        items=model_menu.enum_items_b,
        description="The model Compare A/B keys on the second head, to set against Model",
    )
    compare_object: PointerProperty(
        name="B Object",
        type=bpy.types.Object,
        poll=is_shape_key_mesh,
        description="The mesh that gets model B (empty: a copy of the target placed beside it)",
    )

    output: EnumProperty(
        name="Output",
        items=OUTPUT_ITEMS,
        description="Shape keys (continuous curves), or visemes (2D: one mouth shape at a time)",
    )
    viseme_set: EnumProperty(
        name="Viseme Set",
        items=VISEME_SET_ITEMS,
        description="The mouth shapes the Visemes output chooses from",
    )
    viseme_path: StringProperty(
        name="Viseme Set File",
        subtype="FILE_PATH",
        description="The viseme set .json used when Viseme Set is 'Preset file...'",
    )
    min_hold: IntProperty(
        name="Minimum Hold",
        default=2,
        min=1,
        soft_max=12,
        description="No mouth shape is shown for fewer frames than this (p, b, m included: "
        "they take frames from their neighbours)",
    )
    keep_corrections: BoolProperty(
        name="Keep Corrections",
        default=True,
        description="Generate again with the closure corrections made on the take it replaces "
        "(applied to the new take without running the model for them)",
    )

    @classmethod
    def register(cls) -> None:
        bpy.types.Scene.lipsync = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del bpy.types.Scene.lipsync


class LIPSYNC_PG_status(bpy.types.PropertyGroup):
    """Progress of the running job and the last take's report (not saved)."""

    running: BoolProperty(description="A lip-sync job is running")
    progress: FloatProperty(
        subtype="PERCENTAGE", min=0.0, max=1.0, description="How far the running job is"
    )
    text: StringProperty(description="What the running job is doing")
    unmapped: StringProperty(description="Channels of the last take that drive no shape key")
    plot_image: StringProperty(description="Image of the last lip-gap comparison")
    last_target: StringProperty(description="Object the last take was keyed on")
    strip_index: IntProperty(description="The selected row of the scene's sound strips")
    closure_index: IntProperty(
        description="The selected closure (the playhead jumps to it)", update=_jump_to_closure
    )
    scene_report: StringProperty(description="The report of the last Generate All, one line each")

    @classmethod
    def register(cls) -> None:
        bpy.types.WindowManager.lipsync_status = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del bpy.types.WindowManager.lipsync_status


CLASSES = (LIPSYNC_PG_route, LIPSYNC_PG_settings, LIPSYNC_PG_status)
