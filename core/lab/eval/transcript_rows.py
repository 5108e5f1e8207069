"""Transcript-mode rows of `make eval`: the teacher given each clip's own text, and given a wrong
line (the next clip's transcript in the same half), on both dev-set halves, scored exactly as
every model is (core.lab.eval.scoring). The teacher runs once per clip for both rows; its time and
the alignment's are measured apart, since the alignment is what transcript mode adds.

`core.transcript` is imported inside the functions: the prediction cache's key hashes the core
modules loaded when the first prediction is made, and this module's imports must not change it.
"""

import time
from collections.abc import Sequence
from pathlib import Path

from ...animation import Animation
from ...audio.prepare import SAMPLE_RATE, prepare_samples
from .rows import Row
from .scoring import EVAL_FPS, EvalItem, score_set

RIGHT_TEXT = "teacher + transcript (right text)"
WRONG_TEXT = "teacher + transcript (wrong line: the next clip's text)"
SECTION = "## Transcript mode"


def wrong_texts(items: Sequence[EvalItem]) -> dict[str, str]:
    """Each item's id -> the next item's text (the last gets the first's): a line from the same
    speakers that does not match the audio."""
    return {item.item_id: items[(i + 1) % len(items)].text for i, item in enumerate(items)}


class _TeacherPass:
    """The teacher's frames and phone logits per item, computed once, with the seconds taken."""

    def __init__(self, teacher):
        self.teacher = teacher
        self._outputs: dict[str, tuple] = {}
        self.seconds: dict[str, float] = {}

    def __call__(self, item: EvalItem):
        if item.item_id not in self._outputs:
            started = time.perf_counter()
            samples = prepare_samples(item.audio, SAMPLE_RATE, item.item_id)
            self._outputs[item.item_id] = (samples, *self.teacher.frames_and_phones(samples))
            self.seconds[item.item_id] = time.perf_counter() - started
        return self._outputs[item.item_id]


def _score(items, texts: dict[str, str], teacher_pass: _TeacherPass, head) -> dict[str, float]:
    from ...transcript.line import align_text
    from ...transcript.take import blend_with_model

    align_s = [0.0]

    def predict(item: EvalItem) -> Animation:
        samples, frames, phone_logits = teacher_pass(item)
        started = time.perf_counter()
        alignment = align_text(
            phone_logits, teacher_pass.teacher.config.phones, texts[item.item_id]
        )
        align_s[0] += time.perf_counter() - started
        channels = teacher_pass.teacher.config.channels
        weights = blend_with_model(alignment, frames, channels, len(samples), EVAL_FPS, True)
        return Animation(EVAL_FPS, channels, weights)

    from ...transcript.lexicon import load_lexicon

    load_lexicon()  # read once per process; not part of a line's alignment time
    metrics = score_set(predict, items, head).summary()
    teacher_s = sum(teacher_pass.seconds[item.item_id] for item in items)
    metrics["align_realtime_factor"] = metrics["audio_s"] / max(align_s[0], 1e-9)
    metrics["teacher_realtime_factor"] = metrics["audio_s"] / max(teacher_s, 1e-9)
    metrics["realtime_factor"] = metrics["audio_s"] / max(teacher_s + align_s[0], 1e-9)
    return metrics


def transcript_rows(real_sets: dict[str, list[EvalItem]], teacher, head) -> list:
    """report.Row per half and text: the right text, then a wrong line; [] without a teacher."""
    from ...api import model_info

    if teacher is None or not teacher.has_phones:
        return []
    info = model_info(teacher)
    teacher_pass = _TeacherPass(teacher)
    rows = []
    for set_name, items in real_sets.items():
        right = {item.item_id: item.text for item in items}
        for system, texts in ((RIGHT_TEXT, right), (WRONG_TEXT, wrong_texts(items))):
            metrics = _score(items, texts, teacher_pass, head)
            rows.append(
                Row(
                    set_name,
                    system,
                    True,
                    metrics,
                    info.parameters,
                    info.file_size,
                    info.future_ms,
                    "transcript",
                )
            )
    return rows


def transcript_lines(rows: list) -> list[str]:
    """The eval.md section on transcript mode: what the rows mean, the alignment's speed."""
    from ...transcript.take import CONFIDENT

    ours = [row for row in rows if row.kind == "transcript"]
    if not ours:
        return []
    lines = [
        "",
        SECTION,
        "",
        "The teacher's phone posteriors align the clip's transcript (Viterbi, "
        "core/transcript/forced_align.py); trusted words are animated by the procedural animator, "
        f"the rest by the teacher (words under confidence {CONFIDENT}, skipped words, unscripted "
        "speech). *Wrong line*: each clip is given the next clip's transcript of its half. "
        "The same rows are in the table above; speed as measured by this run on this machine "
        "(the alignment alone, the teacher pass it needs, both):",
        "",
        "| set | system | PBM in % | PBM ±40 ms % | false closure cons. % | false closure vowels % "
        "| alignment ×RT | teacher ×RT | together ×RT |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in ours:
        m = row.metrics
        cells = [row.eval_set, row.system]
        cells += [
            f"{m[k]:.1f}"
            for k in (
                "pbm_inside_pct",
                "pbm_40ms_pct",
                "false_closure_consonant_pct",
                "false_closure_vowel_pct",
            )
        ]
        cells += [
            f"{m[k]:.0f}"
            for k in ("align_realtime_factor", "teacher_realtime_factor", "realtime_factor")
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def append_section(eval_md: Path, rows: list) -> None:
    """Add the transcript-mode section to the end of reports/eval.md."""
    lines = transcript_lines(rows)
    if lines:
        with open(eval_md, "a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
