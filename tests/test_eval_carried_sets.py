"""Rows of synthetic sets that a run cannot score are carried unchanged, with their date."""

import json

from core.lab.eval.carried_rows import carried_set_rows


def test_unscored_synthetic_sets_are_carried(tmp_path):
    previous = tmp_path / "eval.json"
    rows = [
        {"eval_set": "real dev set, report half", "system": "teacher", "metrics": {}},
        {"eval_set": "synthetic held-out", "system": "teacher", "metrics": {"x": "inf"}},
    ]
    previous.write_text(json.dumps({"date": "2026-12-05", "rows": rows}))
    carried, dates = carried_set_rows(previous, {"real dev set, report half"})
    assert [r["eval_set"] for r in carried] == ["synthetic held-out"]
    assert carried[0]["metrics"]["x"] == float("inf")
    assert dates == {"synthetic held-out": "2026-12-05"}
    assert carried_set_rows(previous, {"synthetic held-out"}) == ([], {})
    assert carried_set_rows(tmp_path / "none.json", set()) == ([], {})
