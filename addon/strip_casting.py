"""Each sound strip's own lip-sync choices, and the list of the scene's strips in the panel.

A strip belongs to the object its name begins with ("Alice: line 12" -> Alice,
core.wholescene.casting) unless a target is picked for it here; a model and a dialogue text
can be picked per strip too (empty: the panel's). The choices live on the strip itself
(`strip.lipsync`), so they follow it when it is renamed, moved or copied, and are saved with
the file.
"""

import bpy
from bpy.props import EnumProperty, PointerProperty, StringProperty

from ..core.wholescene.casting import cast
from . import compat, keying, model_menu

DEFAULT = "DEFAULT"
_model_items: list[tuple[str, str, str]] = []


def strip_model_items(_self=None, _context=None) -> list[tuple[str, str, str]]:
    """'Scene's model' first, then the models of the panel's menu."""
    items = [(DEFAULT, "Scene's model", "The model picked above for every strip")]
    items += [item for item in model_menu.enum_items() if item[0] != model_menu.CUSTOM]
    _model_items[:] = items
    return _model_items


class LIPSYNC_PG_strip(bpy.types.PropertyGroup):
    """A sound strip's lip-sync choices (empty: the name rule and the panel's)."""

    target: PointerProperty(
        name="Target",
        type=bpy.types.Object,
        description="The object this strip's lip sync goes on (empty: the object its name "
        "begins with, as in 'Alice: line 12')",
    )
    model: EnumProperty(
        name="Model",
        items=strip_model_items,
        description="The model for this strip (Scene's model: the one picked above)",
    )
    text: StringProperty(
        name="Dialogue Text",
        description="What this strip says (empty: the .txt beside its audio file when the "
        "panel says so, else the model alone)",
    )

    @classmethod
    def register(cls) -> None:
        compat.strip_class().lipsync = PointerProperty(type=cls)

    @classmethod
    def unregister(cls) -> None:
        del compat.strip_class().lipsync


def strip_choices(strip):
    """The strip's LIPSYNC_PG_strip, or None for a stand-in without one."""
    return getattr(strip, "lipsync", None)


def strip_target(strip, object_names) -> tuple[str, str]:
    """(target object name, why) of a strip; ('', '') when it has none."""
    choices = strip_choices(strip)
    picked = choices.target.name if choices is not None and choices.target else ""
    return cast(strip.name, picked, object_names)


def strip_state(strip, target_name: str) -> str:
    """A few words for the list: no target, or which takes of this strip the target has."""
    if not target_name:
        return "no target"
    obj = bpy.data.objects.get(target_name)
    if obj is None:
        return "no target"
    models = [
        str(action.get(f"{keying.TAKE_PREFIX}model", "?"))
        for action in keying.object_takes(obj)
        if action.get(f"{keying.TAKE_PREFIX}audio") == strip.name
    ]
    return f"keyed ({', '.join(models)})" if models else "not keyed"


class LIPSYNC_UL_strips(bpy.types.UIList):
    """The scene's sound strips: strip, target, model, text, state."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_prop, index=0):
        choices = strip_choices(item)
        names = bpy.data.objects.keys()
        target, why = strip_target(item, names)
        col = layout.column(align=True)
        row = col.row(align=True)
        row.label(text=item.name, icon="SOUND")
        row.label(text=strip_state(item, target))
        if choices is None:
            return
        row = col.row(align=True)
        row.prop(choices, "target", text="", icon="OBJECT_DATA")
        if not choices.target:
            row.label(text=f"{target} ({why})" if target else "none: name it 'Object: ...'")
        row = col.row(align=True)
        row.prop(choices, "model", text="")
        row.prop(choices, "text", text="", icon="TEXT")

    def filter_items(self, context, data, propname):
        strips = getattr(data, propname)
        flags = [self.bitflag_filter_item if s.type == "SOUND" else 0 for s in strips]
        return flags, []


def strips_collection(scene: bpy.types.Scene) -> tuple[object, str]:
    """(data, property name) of every strip of the scene, for the panel's list."""
    editor = scene.sequence_editor
    return editor, ("strips_all" if hasattr(editor, "strips_all") else "sequences_all")


CLASSES = (LIPSYNC_PG_strip, LIPSYNC_UL_strips)
