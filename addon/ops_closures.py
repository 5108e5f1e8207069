"""Delete, add or move a closure of a take: each one undo step, re-keying only around it.

The take is the one the Closures panel shows (closure_edit.focused_take) unless `target` and
`take` (an Action name) are given; `index` picks a closure of its list, `frame` (unset: the
current frame) where to add one or where to move it.
"""

import bpy
from bpy.props import FloatProperty, IntProperty, StringProperty

from ..core.corrections.edit_log import Correction
from ..core.corrections.local_edit import ADDED_LENGTH_S
from ..core.errors import LipSyncError, RigError
from . import closure_edit, keying, take_store


class ClosureOperator:
    """The take, closure and frame arguments shared by the closure operators."""

    bl_options = {"REGISTER", "UNDO"}

    target: StringProperty(
        name="Target", description="Name of the object whose take to correct (unset: the panel's)"
    )
    take: StringProperty(
        name="Take", description="Name of the take's Action (unset: the one the panel shows)"
    )
    index: IntProperty(
        name="Closure", default=-1, description="Which closure of the list (-1: the selected one)"
    )
    frame: FloatProperty(
        name="Frame", description="Where to add or move the closure (unset: the current frame)"
    )

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None or not hasattr(context.scene, "lipsync"):
            return False
        if context.area is not None and context.area.type == "VIEW_3D":
            if closure_edit.focused_take(context) is None:
                cls.poll_message_set("Generate a take first: its closures are listed here.")
                return False
        return True

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            obj, action = self._take(context)
            line, _ = closure_edit.correct(context, obj, action, self.correction(context, action))
        except LipSyncError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        self.report({"INFO"}, line)
        return {"FINISHED"}

    def correction(self, context: bpy.types.Context, action: bpy.types.Action) -> Correction:
        raise NotImplementedError

    def _take(self, context: bpy.types.Context) -> tuple[bpy.types.Object, bpy.types.Action]:
        if self.target:
            obj = bpy.data.objects.get(self.target)
            if obj is None:
                raise RigError(f"There is no object named '{self.target}'.")
            takes = keying.object_takes(obj)
            action = closure_edit.take_named(obj, self.take) if self.take else None
            action = action if self.take else (takes[0] if takes else None)
            if action is None:
                named = f" named '{self.take}'" if self.take else ""
                raise RigError(f"'{obj.name}' has no lip-sync take{named}.")
            return obj, action
        focus = closure_edit.focused_take(context)
        if focus is None:
            raise RigError("No lip-sync take to correct: Generate one, or pass target= and take=.")
        return focus

    def _time_s(self, context: bpy.types.Context, action: bpy.types.Action) -> float:
        """The `frame` argument (else the current frame) in seconds from the take's start."""
        frame = self.frame if self.properties.is_property_set("frame") else None
        frame = context.scene.frame_current if frame is None else frame
        return (frame - take_store.first_frame(action)) / take_store.take_fps(action)

    def _closure(self, context: bpy.types.Context, action: bpy.types.Action):
        closures = take_store.closures_of(action)
        index = (
            self.index if self.index >= 0 else context.window_manager.lipsync_status.closure_index
        )
        if not 0 <= index < len(closures):
            raise RigError(f"The take '{action.name}' has no closure {index + 1} to edit.")
        return closures[index]


class LIPSYNC_OT_closure_delete(ClosureOperator, bpy.types.Operator):
    """Open the lips where the selected closure was (re-keys only around it)"""

    bl_idname = "lipsync.closure_delete"
    bl_label = "Delete Closure"

    def correction(self, context, action) -> Correction:
        closure = self._closure(context, action)
        return Correction("delete", closure.middle / take_store.take_fps(action))


class LIPSYNC_OT_closure_add(ClosureOperator, bpy.types.Operator):
    """Seal the lips at the current frame for a p, b or m the take missed"""

    bl_idname = "lipsync.closure_add"
    bl_label = "Add Closure Here"

    length_ms: FloatProperty(
        name="Length (ms)",
        default=1000.0 * ADDED_LENGTH_S,
        min=10.0,
        max=200.0,
        description="How long the lips stay sealed",
    )

    def correction(self, context, action) -> Correction:
        return Correction("add", self._time_s(context, action), length_s=self.length_ms / 1000.0)


class LIPSYNC_OT_closure_move(ClosureOperator, bpy.types.Operator):
    """Move the selected closure to the current frame (same length)"""

    bl_idname = "lipsync.closure_move"
    bl_label = "Move Closure Here"

    def correction(self, context, action) -> Correction:
        closure = self._closure(context, action)
        fps = take_store.take_fps(action)
        to_s = self._time_s(context, action)
        return Correction("move", closure.middle / fps, to_s, (closure.stop - closure.start) / fps)


CLASSES = (LIPSYNC_OT_closure_delete, LIPSYNC_OT_closure_add, LIPSYNC_OT_closure_move)
