"""Generate: key one model's lip sync for a sound strip (or file) onto the target's shape keys."""

import bpy
from bpy.props import StringProperty

from ..core.errors import AudioError
from . import dialogue, keying, targets
from .job import Job, JobOperator
from .take import Take, compute_take, take_metadata
from .take_options import TakeOptions, check_model_path


def panel_reason(context: bpy.types.Context) -> str:
    """Why Generate cannot run from the panel ('' when it can)."""
    settings = context.scene.lipsync
    if context.window_manager.lipsync_status.running:
        return "A lip-sync job is running (Esc cancels it)."
    if settings.target is None:
        return "Pick a target mesh with shape keys."
    if not settings.strip:
        return "Pick a sound strip."
    return ""


def take_poll(cls, context: bpy.types.Context) -> bool:
    """Poll of the take operators: greyed in the panel with the reason, open to scripts."""
    if context.scene is None or not hasattr(context.scene, "lipsync"):
        return False
    reason = panel_reason(context)
    if reason and context.area is not None and context.area.type == "VIEW_3D":
        # the panel's button; scripts (console, text editor, background) pass arguments
        cls.poll_message_set(reason)
        return False
    return True


class LIPSYNC_OT_generate(TakeOptions, JobOperator, bpy.types.Operator):
    """Key lip sync from the sound strip onto the target's shape keys, as a new Action"""

    bl_idname = "lipsync.generate"
    bl_label = "Generate Lip Sync"
    bl_options = {"REGISTER", "UNDO"}

    text: StringProperty(
        name="Dialogue Text",
        description="What the line says (unset: the panel's text or the .txt beside the audio)",
    )

    poll = classmethod(lambda cls, context: take_poll(cls, context))

    def dialogue_text(self, context: bpy.types.Context) -> str:
        """The take's dialogue text: the `text` argument if set, else the panel's field, else
        the .txt beside the audio file (panel option); '' for none."""
        scene = context.scene
        given = self.text if self.properties.is_property_set("text") else None
        path = dialogue.audio_path(scene, self.strip or scene.lipsync.strip, self.filepath)
        return dialogue.take_text(scene.lipsync, given, path)

    def prepare(self, context: bpy.types.Context) -> Job:
        obj = self.target_object(context)
        audio = self.take_audio(context)
        model = self.model_choice(context)
        check_model_path(model)
        request = self.request(context, obj, audio, model, self.dialogue_text(context))
        target_name = obj.name

        def apply(context: bpy.types.Context, take: Take) -> str:
            return apply_take(context, bpy.data.objects[target_name], take)

        return Job(compute=lambda progress: compute_take(request, progress), apply=apply)


def apply_take(context: bpy.types.Context, obj: bpy.types.Object, take: Take) -> str:
    """Write a computed take onto the object and return the report line."""
    if take.animation.frame_count == 0:
        raise AudioError(f"'{take.request.audio.name}' is too short to give a single frame.")
    identifier = keying.take_id(obj.name, take.request.audio.name, take.model_name)
    name = f"{take.request.audio.name} - {take.model_name}"
    keying.write_take(obj, identifier, name, take.frames, take.key_names, take.values,
                      take_metadata(take), kept=take.kept)  # fmt: skip
    targets.remember(context, obj)
    unmapped = take.request.mapping.unmapped
    context.window_manager.lipsync_status.unmapped = ", ".join(unmapped)
    message = (
        f"Keyed {take.animation.frame_count} frames x {len(take.key_names)} shape keys "
        f"on '{obj.name}' with {take.model_name}."
    )
    if take.kept is not None:  # opt-in key tolerance: say how many keys it kept
        kept, every = sum(len(rows) for rows in take.kept), take.values.size
        message += (f" Key tolerance {take.request.key_tolerance:g} kept {kept} of {every} keys "
                    f"({kept / max(every, 1):.0%}).")  # fmt: skip
    if unmapped:
        message += f" Unmapped channels: {', '.join(unmapped)}."
    if take.text_message:
        message += f" {take.text_message}"
    return message


CLASSES = (LIPSYNC_OT_generate,)
