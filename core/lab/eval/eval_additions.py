"""Two parts of `make eval` beside the main table: the fidelity and rounding columns of every
system (core.lab.eval.shape_rows) and the robustness suite (core.lab.eval.robustness).

They add sections to reports/eval.md and keys to reports/eval.json ("mouth_shape",
"robustness"); the main table's rows stay as they were. Systems of the previous eval.json that
this run does not measure (an ablation whose file is not here, Rhubarb when not run) keep their
rows there, dated (core.lab.eval.carried_rows).
"""

from dataclasses import dataclass
from pathlib import Path

from . import rhubarb
from .carried_rows import carried_system_rows
from .eval_sets import REAL_CHOOSE, REAL_REPORT, REAL_V2_CHOOSE, REAL_V2_REPORT
from .robustness import KOKORO_SET, babble_source, kokoro_items, run_suite, suite_lines
from .shape_rows import shape_lines, shape_rows


@dataclass(frozen=True)
class Additions:
    """What the two parts measured: eval.json entries and eval.md lines."""

    json: dict
    markdown: list[str]


def run_additions(
    real_sets: dict,
    models: list,
    teacher,
    oracle,
    head,
    cache,
    corpus_dir: Path,
    devset_dir: Path,
    rhubarb_dir: Path,
    rhubarb_cache: Path,
    suite: bool,
    progress,
    previous: dict | None = None,
    run_rhubarb: bool = True,
) -> Additions:
    """Measure both parts (the suite only if `suite`) and lay out their sections; `previous`
    (the last eval.json) gives the rows of systems not measured now."""
    previous = previous or {}
    measured_on = previous.get("date", "earlier")

    def model_predictor(model):
        return lambda item: cache.predict(model, item, True)[0]

    systems = {model.name: model_predictor(model) for model in models}
    systems["oracle labels"] = oracle
    found = rhubarb.find_rhubarb(rhubarb_dir) if run_rhubarb else None
    notes = []
    if found is not None:
        for mode, with_transcript in rhubarb.MODES.items():
            systems[rhubarb.system_name(mode)] = rhubarb.rhubarb_predictor(
                found, devset_dir, with_transcript, rhubarb_cache
            )
    else:
        why = f"no build in `{rhubarb_dir}`" if run_rhubarb else "not run by this evaluation"
        notes.append(f"Rhubarb: {why}.")
    if teacher is None:
        return Additions({}, ["## Fidelity and robustness", "", "No teacher model loaded."])
    shapes = shape_rows(real_sets, systems, model_predictor(teacher), head, progress)
    carried = carried_system_rows(
        previous.get("mouth_shape", []), set(systems), set(real_sets), measured_on
    )
    if carried:
        notes.append(
            "Systems marked (measured DATE) were not measured by this run (an ablation whose "
            "file is not on this machine, or Rhubarb not run): their rows are those of that "
            "date's evaluation, against the same teacher."
        )
    shapes += carried
    markdown = ["", *shape_lines(shapes, " ".join(notes))]
    result = {"mouth_shape": shapes}
    if suite:
        report = real_sets.get(REAL_V2_REPORT, real_sets.get(REAL_REPORT, []))
        choose = real_sets.get(REAL_V2_CHOOSE, real_sets.get(REAL_CHOOSE, []))
        report_name = REAL_V2_REPORT if REAL_V2_REPORT in real_sets else REAL_REPORT
        sets = {report_name: report}
        kokoro, kokoro_note = kokoro_items(corpus_dir)
        if kokoro:
            sets[KOKORO_SET] = kokoro
        notes = [f"{KOKORO_SET}: " + (kokoro_note if kokoro else f"not measured: {kokoro_note}")]
        rows = run_suite(models, sets, babble_source(choose), cache, head, progress)
        previous_rows = previous.get("robustness", {}).get("rows", [])
        carried = carried_system_rows(
            previous_rows, {m.name for m in models}, set(sets), measured_on
        )
        if carried:
            notes.append(
                "Models marked (measured DATE): their files are not on this machine; their "
                "cells are those of that date's evaluation."
            )
        rows += carried
        markdown += ["", *suite_lines(rows, notes)]
        result["robustness"] = {"rows": rows, "notes": notes}
    return Additions(result, markdown)
