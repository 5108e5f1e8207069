"""Generate All: every sound strip of the scene keyed onto its own object, in one go.

Each strip with a target (picked in the panel's list, else the object its name begins with:
"Alice: line 12") becomes its own take on that object, placed on the object's "Lip Sync" NLA
track at the strip's frames, so one character's lines play one after another. One job: one
progress bar, Esc cancels before anything is written, one undo step, one report (a summary,
then strip -> object, frames, model, text, or why it was skipped or failed).

The strips' audio is decoded in the job's worker (audio_source.StripSource), so the panel
stays responsive from the first strip on. Per strip, bad input fails that strip alone (no
target, a target without shape keys, a missing audio file, strips of one object on the same
frames; a muted strip is skipped); a strip already keyed with the same settings is skipped
unless `force`. When no strip is keyed or skipped, nothing is written at all.
"""

import time
from dataclasses import dataclass, replace

import bpy
from bpy.props import BoolProperty

from ..core.errors import LipSyncError
from ..core.wholescene.casting import StripSpan, overlaps
from ..core.wholescene.report import FAILED, KEYED, SKIPPED, Outcome, keyed_detail, scene_report
from . import audio_source, compat, dialogue, keying, model_menu, take_store
from .audio_source import TakeAudio
from .job_operator import Cancelled, Job, JobOperator
from .strip_casting import DEFAULT, strip_choices, strip_target
from .take import SHAPE_KEYS, VISEMES, Take, TakeRequest, apply_take, compute_take
from .take_options import ShapingOptions, target_object


@dataclass
class SceneLine:
    """One sound strip of the scene: its target, and its request or its outcome so far."""

    strip: str
    target: str
    source: audio_source.StripSource | None = None  # decoded in the worker
    request: TakeRequest | None = None
    outcome: Outcome | None = None
    take: Take | None = None


class LIPSYNC_OT_generate_all(ShapingOptions, JobOperator, bpy.types.Operator):
    """Key every sound strip onto its own object (by name, 'Alice: line 12', or as picked in
    the list), one take each, in one undo step"""

    bl_idname = "lipsync.generate_all"
    bl_label = "Generate All Strips"
    bl_options = {"REGISTER", "UNDO"}

    force: BoolProperty(
        name="Generate Again",
        default=False,
        description="Key every strip again, also those already keyed with the same settings",
    )

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        if context.scene is None or not hasattr(context.scene, "lipsync"):
            return False
        in_panel = context.area is not None and context.area.type == "VIEW_3D"
        if in_panel and context.window_manager.lipsync_status.running:
            cls.poll_message_set("A lip-sync job is running (Esc cancels it).")
            return False
        if in_panel and not compat.sound_strips(context.scene):
            cls.poll_message_set("The scene has no sound strips.")
            return False
        return True

    def mapping(self, context: bpy.types.Context, obj: bpy.types.Object):
        """The mapping onto an object, resolved once per object and run."""
        cache = self.__dict__.setdefault("_mappings", {})
        if obj.name not in cache:
            cache[obj.name] = super().mapping(context, obj)
        return cache[obj.name]

    def prepare(self, context: bpy.types.Context) -> Job:
        started = time.perf_counter()
        scene = context.scene
        strips = compat.sound_strips(scene)
        if not strips:
            raise LipSyncError("The scene has no sound strips to lip-sync.")
        names = bpy.data.objects.keys()
        lines, spans = [], []
        for strip in strips:
            target, _ = strip_target(strip, names)
            lines.append(SceneLine(strip.name, target))
            if target:
                _, left, right = compat.strip_frames(strip)
                spans.append(StripSpan(strip.name, target, left, right))
        clashes = overlaps(spans)
        for strip, line in zip(strips, lines, strict=True):
            line.outcome = self._check(context, strip, line, clashes)
        queue = [line for line in lines if line.outcome is None]

        def compute(progress) -> list[SceneLine]:
            for i, line in enumerate(queue):

                def line_progress(fraction: float, text: str, i=i, line=line) -> None:
                    label = f"{line.strip} ({i + 1}/{len(queue)}): {text}"
                    progress((i + fraction) / len(queue), label)

                try:
                    request = replace(line.request, audio=line.source.open())
                    line.take = compute_take(request, line_progress)
                except (Cancelled, KeyboardInterrupt):
                    raise
                except LipSyncError as error:
                    line.outcome = Outcome(line.strip, line.target, FAILED, f"({error})")
            return lines

        def apply(context: bpy.types.Context, done: list[SceneLine]):
            return apply_scene(context, done, started)

        return Job(compute=compute, apply=apply)

    def _check(self, context, strip, line: SceneLine, clashes: dict) -> Outcome | None:
        """The strip's outcome when it is decided before any work (None: compute it); sets
        `line.request` otherwise."""
        if not line.target:
            why = "(no target: name the strip 'Object: ...' or pick a target for it in the list)"
            return Outcome(line.strip, "", FAILED, why)
        if line.strip in clashes:
            others = ", ".join(f"'{name}'" for name in clashes[line.strip])
            why = (
                f"(plays on the same frames as {others} on '{line.target}'; move one of them "
                "or pick another target: nothing was overwritten)"
            )
            return Outcome(line.strip, line.target, FAILED, why)
        if strip.mute:
            return Outcome(line.strip, line.target, SKIPPED, "(the strip is muted)")
        try:
            obj = target_object(context, line.target, self.output_choice(context) == SHAPE_KEYS)
            model = self._strip_model(context, strip)
            model_name = model_menu.load(model).name
            line.source = audio_source.strip_source(context.scene, strip)
            audio = TakeAudio(strip.name, None, line.source.frame_start, line.source.identity)
            visemes = self.output_choice(context) == VISEMES
            identifier = keying.take_id(obj.name, strip.name, model_name, visemes)
            corrections = self.corrections_to_keep(context, identifier)
            text = self._strip_text(context, strip)
            line.request = self.request(context, obj, audio, model, text, corrections)
        except LipSyncError as error:
            return Outcome(line.strip, line.target, FAILED, f"({error})")
        old = keying.find_take(identifier)
        same = old is not None and old.get(f"{keying.TAKE_PREFIX}settings_key") == (
            line.request.settings_key
        )
        if same and not self.force:
            why = "(already keyed with the same settings; Generate Again to redo it)"
            return Outcome(line.strip, line.target, SKIPPED, why)
        return None

    def _strip_model(self, context: bpy.types.Context, strip) -> str:
        """The strip's own model, else the operator's argument, else the panel's."""
        choices = strip_choices(strip)
        if choices is not None and choices.model != DEFAULT:
            return choices.model
        return self.model_choice(context)

    def _strip_text(self, context: bpy.types.Context, strip) -> str:
        """The strip's own text, else the .txt beside its audio (when the panel says so)."""
        choices = strip_choices(strip)
        if choices is not None and choices.text.strip():
            return choices.text
        path = dialogue.audio_path(context.scene, strip.name, "")
        beside = dialogue.text_file_beside(path) if context.scene.lipsync.use_text_file else ""
        return dialogue.read_text_file(beside) if beside else ""


def apply_scene(context: bpy.types.Context, lines: list[SceneLine], started: float):
    """Key every computed take (NLA strips), then the one report: (level, text)."""
    computed = [line for line in lines if line.take is not None and line.outcome is None]
    if not computed and not any(line.outcome.status == SKIPPED for line in lines):
        report = scene_report([line.outcome for line in lines], time.perf_counter() - started)
        context.window_manager.lipsync_status.scene_report = report  # transient: not undone
        raise LipSyncError(report)
    for line in computed:
        line.outcome = _key_line(context, line)
    outcomes = [line.outcome for line in lines]
    report = scene_report(outcomes, time.perf_counter() - started)
    context.window_manager.lipsync_status.scene_report = report
    failed = any(o.status == FAILED for o in outcomes)
    return ("WARNING" if failed else "INFO", report)


def _key_line(context: bpy.types.Context, line: SceneLine) -> Outcome:
    """Key one computed take on its object's NLA track; its outcome."""
    obj = bpy.data.objects[line.target]
    take = line.take
    try:
        apply_take(context, obj, take, placement=keying.NLA)
    except LipSyncError as error:
        return Outcome(line.strip, line.target, FAILED, f"({error})")
    extra = _make_way(context, obj, take)
    if take.corrections:
        extra = "; ".join(filter(None, [extra, f"kept {len(take.corrections)} corrections"]))
    first, last = int(round(take.frames[0])), int(round(take.frames[-1]))
    detail = keyed_detail(first, last, take.model_name, take.text_message, extra)
    return Outcome(line.strip, line.target, KEYED, detail)


def _make_way(context: bpy.types.Context, obj: bpy.types.Object, take: Take) -> str:
    """Set aside an active take that would hide the NLA track (kept in the file); say so, or
    name a user's Action that plays over it."""
    owner = obj if take.request.output == "VISEMES" else keying.shape_key_owner(obj)
    anim = owner.animation_data
    active = anim.action if anim else None
    if active is None:
        return ""
    if keying.is_take(active):
        anim.action = None
        active.use_fake_user = True
        take_store.remove_markers(context.scene, active)
        return f"its active take '{active.name}' was set aside (kept in the file)"
    return f"its own Action '{active.name}' plays over the lip sync"


CLASSES = (LIPSYNC_OT_generate_all,)
