"""Rows of systems an earlier `make eval` measured that this run does not measure.

Ablations are exported under runs/, which git does not keep, so a fresh machine holds only the
shipped models. Rather than dropping an ablation from the table, its last measured rows are
carried on with the date they were measured in the system's name; retraining it (`make train`)
is the only way to measure it again. Rhubarb's rows in the fidelity and rounding table are
carried alike when this run does not run it (`make eval RHUBARB=0`: from empty caches it takes
hours).
"""

import json
import math
from pathlib import Path

MODEL_KINDS = ("StudentConfig", "WhisperTeacherConfig")  # retired kinds: reports/retired/
CARRIED = " (measured {date}, file not here)"


def carried_rows(previous_json: Path, present: set[str], set_names: set[str]) -> list[dict]:
    """The previous eval.json's model rows (as dicts) for models not in `present`, on sets that
    are still scored, each system name marked with the date it was measured."""
    if not previous_json.is_file():
        return []
    previous = json.loads(previous_json.read_text())
    measured = previous.get("date", "earlier")  # eval.json before 2026-12-03 had no date
    rows = [row for row in previous.get("rows", []) if row.get("kind") in MODEL_KINDS]
    return carried_system_rows(rows, present, set_names, measured, CARRIED)


def carried_system_rows(
    previous_rows: list[dict],
    measured: set[str],
    set_names: set[str],
    date: str,
    mark: str = " (measured {date})",
) -> list[dict]:
    """Rows {"eval_set", "system", ...} of a section of the previous eval.json (fidelity and
    rounding, robustness) for systems this run did not measure, on sets it still scores, each
    system name marked with the date it was measured (a mark already there is kept)."""
    rows = []
    for row in previous_rows:
        base = row["system"].split(" (measured ")[0]
        if base in measured or row["eval_set"] not in set_names:
            continue
        stamp = row["system"] if base != row["system"] else base + mark.format(date=date)
        rows.append(_restore_infinities(row) | {"system": stamp})
    return rows


def _restore_infinities(value):
    """eval.json spells infinities "inf" / "-inf" (JSON has none): read them back as floats."""
    if value in ("inf", "-inf"):
        return math.inf if value == "inf" else -math.inf
    if isinstance(value, dict):
        return {k: _restore_infinities(v) for k, v in value.items()}
    return value


def carried_set_rows(previous_json: Path, set_names: set[str]) -> tuple[list[dict], dict]:
    """The previous eval.json's rows on the synthetic sets that this run could not score (their
    corpus folder is not on this machine), unchanged, and {set name: date measured}."""
    if not previous_json.is_file():
        return [], {}
    previous = json.loads(previous_json.read_text())
    carried_sets = dict(previous.get("carried_sets", {}))
    measured = previous.get("date", "earlier")
    rows = []
    for row in previous.get("rows", []):
        name = row["eval_set"]
        if name in set_names or name.startswith("real dev set"):
            continue
        rows.append(_restore_infinities(row))
        carried_sets.setdefault(name, measured)
    return rows, {k: v for k, v in carried_sets.items() if k not in set_names}
