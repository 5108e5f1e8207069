"""Ablations an earlier `make eval` measured stay in the table, dated, when their files are gone."""

import json
import math

from core.lab.eval.carried_rows import carried_rows, carried_system_rows

SETS = {"real dev set, report half"}


def _row(system, kind="StudentConfig", eval_set="real dev set, report half"):
    return {
        "eval_set": eval_set,
        "system": system,
        "smoothing": True,
        "kind": kind,
        "metrics": {"pbm_40ms_pct": 50.0, "onset_ms": "inf"},
        "future_ms": "inf",
    }


def test_absent_models_are_carried_with_their_date_and_present_ones_are_not(tmp_path):
    previous = tmp_path / "eval.json"
    rows = [
        _row("s_tiny"),
        _row("s_tiny_direct"),
        _row("Rhubarb", kind="rhubarb"),
        _row("s_tiny_nofeat", eval_set="gone set"),
        _row("s_tiny_sharp (measured 2026-11-30, file not here)"),
        _row("teacher_scratch (measured 2026-11-30, file not here)", kind="TeacherConfig"),
    ]
    previous.write_text(json.dumps({"date": "2026-12-02", "rows": rows}))
    carried = carried_rows(previous, {"s_tiny", "teacher"}, SETS)
    assert [r["system"] for r in carried] == [
        "s_tiny_direct (measured 2026-12-02, file not here)",
        "s_tiny_sharp (measured 2026-11-30, file not here)",  # keeps its first date
    ]  # a retired kind of model is not carried (its rows live in reports/retired/)
    assert carried[0]["future_ms"] == math.inf and carried[0]["metrics"]["onset_ms"] == math.inf
    # retrained: the fresh measurement replaces the carried one
    assert carried_rows(previous, {"s_tiny", "s_tiny_direct", "s_tiny_sharp"}, SETS) == []


def test_no_previous_report_carries_nothing(tmp_path):
    assert carried_rows(tmp_path / "eval.json", set(), SETS) == []


def test_systems_this_run_did_not_measure_keep_their_fidelity_and_suite_rows():
    """Rows of a section (fidelity and rounding, the suite) carry on for an ablation whose file
    is gone and for Rhubarb when it was not run, dated once; measured systems and sets no
    longer scored do not."""
    report = "real dev set, report half"
    previous = [
        {"eval_set": report, "system": "s_tiny", "metrics": {"gap_r": 0.7}},
        {"eval_set": report, "system": "wide", "metrics": {"gap_r": "inf"}},
        {"eval_set": report, "system": "Rhubarb Lip Sync 1.14.0, no transcript", "metrics": {}},
        {"eval_set": report, "system": "old (measured 2026-11-30)", "metrics": {}},
        {"eval_set": "gone set", "system": "wide", "metrics": {}},
    ]
    carried = carried_system_rows(previous, {"s_tiny", "teacher"}, SETS, "2026-12-07")
    assert [r["system"] for r in carried] == [
        "wide (measured 2026-12-07)",
        "Rhubarb Lip Sync 1.14.0, no transcript (measured 2026-12-07)",
        "old (measured 2026-11-30)",
    ]
    assert carried[0]["metrics"]["gap_r"] == math.inf
    assert carried_system_rows(previous, {"s_tiny", "wide", "old"}, set(), "x") == []
