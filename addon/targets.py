"""Which object Export and Compare act on when the caller names none.

The panel's buttons act on the panel's target. A script (no 3D Viewport around it) that gives
no `target` gets the first of: the object the last Generate (or Compare, its A) keyed in this
session, the panel's target, the active object. Operators say which in their report.
"""

from collections.abc import Callable

import bpy

LAST = "the object last generated on"
PANEL = "the panel's target"
ACTIVE = "the active object"


def remember(context: bpy.types.Context, obj: bpy.types.Object) -> None:
    """Note the object a take was just keyed on (transient: WindowManager state)."""
    context.window_manager.lipsync_status.last_target = obj.name


def default_target(
    context: bpy.types.Context, accept: Callable[[bpy.types.Object], bool]
) -> tuple[bpy.types.Object | None, str]:
    """The object to act on and why it was chosen (LAST, PANEL or ACTIVE), or (None, "")."""
    panel = context.scene.lipsync.target
    if context.area is not None and context.area.type == "VIEW_3D":  # a button of the panel
        candidates = [(panel, PANEL)]
    else:
        name = context.window_manager.lipsync_status.last_target
        candidates = [
            (bpy.data.objects.get(name) if name else None, LAST),
            (panel, PANEL),
            (context.view_layer.objects.active, ACTIVE),
        ]
    for obj, why in candidates:
        if obj is not None and accept(obj):
            return obj, why
    return None, ""
