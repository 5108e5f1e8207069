"""Add-on preferences: the default model and mapping preset for scenes that pick none."""

import bpy
from bpy.props import StringProperty

from ..core.mapping import shipped_presets

# The extension's root package ("bl_ext.<repo>.tiny_lipsync"): this module is <root>.addon.*.
ROOT_PACKAGE = __package__.rpartition(".")[0]


def _model_names() -> list[str]:
    from ..core import api  # the numpy runtime, loaded on first use

    return api.shipped_models()


class LIPSYNC_AP_preferences(bpy.types.AddonPreferences):
    """Defaults the operators use until the scene's panel picks a value."""

    bl_idname = ROOT_PACKAGE

    default_model: StringProperty(
        name="Default Model", search=lambda _self, _context, _text: _model_names(),
        description="Shipped model name (e.g. s_tiny) or .npz path used until a scene picks one",
    )  # fmt: skip
    default_preset: StringProperty(
        name="Default Mapping", search=lambda _self, _context, _text: list(shipped_presets()),
        description="Mapping preset id (e.g. arkit52) used until a scene picks one",
    )  # fmt: skip

    def draw(self, context: bpy.types.Context) -> None:
        self.layout.prop(self, "default_model")
        self.layout.prop(self, "default_preset")


def get(context: bpy.types.Context) -> LIPSYNC_AP_preferences:
    """This add-on's preferences."""
    return context.preferences.addons[ROOT_PACKAGE].preferences


CLASSES = (LIPSYNC_AP_preferences,)
