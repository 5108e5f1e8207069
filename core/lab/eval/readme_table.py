"""The README's results table: `make eval` rewrites it between two marker comments.

It quotes the dev set's report half only (speakers never used to choose a recipe or threshold),
smoothing on: the shipped models, the oracle labels, the measured Rhubarb rows and transcript
mode (the teacher given the right text and a wrong line).
"""

import math
from pathlib import Path

from ...errors import LipSyncError
from ...runtime.catalog import SHIPPED
from .eval_sets import REAL_REPORT
from .rows import Row

START, END = "<!-- eval-table:start -->", "<!-- eval-table:end -->"


def _size(row: Row) -> str:
    if row.file_size is None:
        return "–"
    if row.file_size >= 10 * 2**20:
        return f"{row.file_size / 2**20:.0f} MB"
    return f"{row.file_size / 1024:.0f} KB"


def _cell(value: float, digits: int, scale: float = 1.0) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value * scale:.{digits}f}"


def table_lines(rows: list[Row]) -> list[str]:
    """A caption, then the report half's rows: oracle, shipped models (smoothing on), Rhubarb."""
    quoted = [
        row
        for row in rows
        if row.eval_set == REAL_REPORT
        and (
            row.kind in ("oracle", "rhubarb", "transcript")
            or (row.system in SHIPPED and row.smoothing)
        )
    ]
    oracle = next((row for row in quoted if row.kind == "oracle"), None)
    scope = (
        f"{oracle.metrics['audio_s']:.0f} s, {oracle.metrics['pbm_count']:.0f} p/b/m"
        if oracle is not None
        else "not evaluated"
    )
    lines = [
        f"*Real dev set, **report half** only ({scope}; speakers on which no recipe or threshold "
        "was chosen, see docs/devset.md), ensemble smoothing on; Rhubarb measured on the same "
        "clips with the same scorer. Speed: a whole `predict` call per clip (resampling, "
        "smoothing and key rate included) on these short clips; the models alone on a 10 s "
        "clip: reports/bench.md. Both halves: reports/eval.md.*",
        "",
        "| system (report half, smoothing on) | PBM inside % | PBM ±40 ms % | false closure "
        "cons. % | false closure vowels % | jitter ×1e-3 | size | speed ×RT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in quoted:
        m = row.metrics
        speed_x = m.get("realtime_factor", math.nan) if row.kind != "oracle" else math.nan
        speed = _cell(speed_x, 0 if speed_x >= 10 else 1)
        closures = [
            _cell(m[key], 1)
            for key in (
                "pbm_inside_pct",
                "pbm_40ms_pct",
                "false_closure_consonant_pct",
                "false_closure_vowel_pct",
            )
        ]
        cells = [row.system, *closures, _cell(m["jitter_weights"], 2, 1e3), _size(row), speed]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def update_readme(readme: Path, rows: list[Row]) -> None:
    """Replace the table between the markers in readme (which must hold both markers)."""
    text = readme.read_text()
    if START not in text or END not in text:
        raise LipSyncError(f"{readme}: no {START} ... {END} markers for the results table.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(table_lines(rows)) + "\n" + END + tail)
