"""Generate: key one model's lip sync for a sound strip (or file) onto the target's shape keys."""

import bpy
from bpy.props import StringProperty

from ..core.runtime.catalog import resolve_model
from . import dialogue, keying, model_menu
from .job_operator import Job, JobOperator
from .take import VISEMES, Take, apply_take, compute_take
from .take_options import TakeOptions


class LIPSYNC_OT_generate(TakeOptions, JobOperator, bpy.types.Operator):
    """Key lip sync from the sound strip onto the target's shape keys, as a new Action"""

    bl_idname = "lipsync.generate"
    bl_label = "Generate Lip Sync"
    bl_options = {"REGISTER", "UNDO"}

    text: StringProperty(
        name="Dialogue Text",
        description="What the line says (unset: the panel's text or the .txt beside the audio)",
    )

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
        resolve_model(model)  # an unknown name or missing file fails before any work
        visemes = self.output_choice(context) == VISEMES
        identifier = keying.take_id(obj.name, audio.name, model_menu.load(model).name, visemes)
        corrections = self.corrections_to_keep(context, identifier)  # the panel offers them
        text = self.dialogue_text(context)
        request = self.request(context, obj, audio, model, text, corrections)
        target_name = obj.name

        def apply(context: bpy.types.Context, take: Take) -> str:
            return apply_take(context, bpy.data.objects[target_name], take)

        return Job(compute=lambda progress: compute_take(request, progress), apply=apply)


CLASSES = (LIPSYNC_OT_generate,)
