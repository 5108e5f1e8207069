"""Rhubarb's rows in the main table of `make eval`: measured by this run where the build is here,
else read back from the last measured run (reports/rhubarb_measured.json)."""

import datetime
import math
import os
from pathlib import Path

from . import rhubarb
from .rows import Row


def main_table_rows(
    rhubarb_dir: Path,
    devset_dir: Path,
    sets: dict,
    head,
    out_dir: Path,
    cache_dir: Path,
    full: bool,
    progress,
    run: bool = True,
) -> tuple[list[Row], str]:
    """Rhubarb's rows on the real halves, measured now (if `run` and the build is here) or read
    back; and where they came from."""
    found = rhubarb.find_rhubarb(rhubarb_dir) if run else None
    measured_path = out_dir / rhubarb.MEASURED_NAME
    where = os.path.relpath(rhubarb_dir, rhubarb.REPO_ROOT)
    if found is not None:
        measured = rhubarb.measure(
            found, devset_dir, sets, head, cache_dir, progress.set_postfix_str
        )
        note = f"measured by this run (build `{where}`, executable sha256 {found.digest}…)"
        if full:
            record = rhubarb.write_measured(
                measured_path, found, measured, datetime.date.today().isoformat()
            )
            note += (
                f"; the same closure figures since {record['date']}, kept in "
                f"`{measured_path}` for machines without the build"
            )
        size = int(found.size_mb * 2**20)
        suffix = ""
    else:
        why = f"no build in `{where}`" if run else "`make eval RHUBARB=0`"
        record = rhubarb.read_measured(measured_path)
        if record is None:
            return [], f"missing: {why} and no `{measured_path}`"
        measured = record["rows"]
        size = int(record["build_mb"] * 2**20) if record.get("build_mb") else None
        suffix = f" (measured {record['date']})"
        note = (
            f"not rerun ({why}): the figures measured on {record['date']}, from `{measured_path}`"
        )
    rows = [
        Row(
            r["eval_set"],
            rhubarb.system_name(r["mode"]) + suffix,
            None,
            r["metrics"],
            None,
            size,
            math.inf,
            "rhubarb",
        )
        for r in measured
        if r["eval_set"] in sets
    ]
    return rows, note
