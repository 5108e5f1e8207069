"""Add-on preferences: the default model and mapping preset for scenes that pick none, and the
key tolerance of long takes."""

import bpy
from bpy.props import FloatProperty, StringProperty

from ..core.rig.mapping import shipped_presets
from ..core.runtime.catalog import shipped_models

# The extension's root package ("bl_ext.<repo>.tiny_lipsync"): this module is <root>.addon.*.
ROOT_PACKAGE = __package__.rpartition(".")[0]


def _model_names() -> list[str]:
    return shipped_models()


# Blender holds every key twice (the Action and its evaluated copy), 144 bytes per frame and
# shape key: a 1 h take on 29 shape keys at 30 fps is 430 MiB. Opt-in, never silent.
KEY_TOLERANCE_HELP = (
    "0 keys every frame. Above 0, a frame is keyed only where the straight line between the "
    "kept keys would miss its value by more than this (in shape-key value): 0.001 keeps about "
    "45 % of the keys of speech, for hour-long strips"
)


class LIPSYNC_AP_preferences(bpy.types.AddonPreferences):
    """Defaults the operators use until the scene's panel picks a value."""

    bl_idname = ROOT_PACKAGE

    default_model: StringProperty(
        name="Default Model",
        search=lambda _self, _context, _text: _model_names(),
        description="Shipped model name (e.g. s_tiny) or .npz path used until a scene picks one",
    )
    default_preset: StringProperty(
        name="Default Mapping",
        search=lambda _self, _context, _text: list(shipped_presets()),
        description="Mapping preset id (e.g. arkit52) used until a scene picks one",
    )

    key_tolerance: FloatProperty(
        name="Key Tolerance",
        default=0.0,
        min=0.0,
        max=0.05,
        precision=4,
        step=0.01,
        description=KEY_TOLERANCE_HELP,
    )

    def draw(self, context: bpy.types.Context) -> None:
        self.layout.prop(self, "default_model")
        self.layout.prop(self, "default_preset")
        self.layout.prop(self, "key_tolerance")


def get(context: bpy.types.Context) -> LIPSYNC_AP_preferences:
    """This add-on's preferences."""
    return context.preferences.addons[ROOT_PACKAGE].preferences


CLASSES = (LIPSYNC_AP_preferences,)
