"""The README's results table: `make eval` rewrites it between two marker comments.

A short table for someone deciding whether to install: the teacher, S-tiny, S-lowlat and
Rhubarb Lip Sync (no transcript) on the dev set's report half (speakers never used to choose a
recipe or threshold; the whole set's, v2, where it is on disk), smoothing on: p/b/m closed
within ±40 ms, false closures, file size and speed, then one line on how it was measured.
Every other row is in reports/eval.md.
"""

import math
from pathlib import Path

from ...errors import LipSyncError
from .eval_sets import REAL_REPORT, REAL_V2_REPORT
from .rows import Row

START, END = "<!-- eval-table:start -->", "<!-- eval-table:end -->"
QUOTED_MODELS = {"teacher": "teacher", "s_tiny": "S-tiny", "s_lowlat": "S-lowlat"}
RHUBARB_MODE = "no transcript"


def _size(row: Row) -> str:
    if row.file_size is None:
        return "–"
    if row.file_size >= 10 * 2**20:
        return f"{row.file_size / 2**20:.0f} MB"
    return f"{row.file_size / 1024:.0f} KB"


def _pct(value: float | None, digits: int) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.{digits}f} %"


def _speed(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:,.0f}x" if value >= 10 else f"{value:.1f}x"


def _name(row: Row) -> str:
    if row.kind == "rhubarb":
        return row.system.split(",")[0]
    return QUOTED_MODELS[row.system]


def report_set(rows: list[Row]) -> str:
    """The report half the README quotes: the whole dev set's (v2) where it was scored."""
    return REAL_V2_REPORT if any(r.eval_set == REAL_V2_REPORT for r in rows) else REAL_REPORT


def quoted_rows(rows: list[Row]) -> list[Row]:
    """The report half's rows the README quotes: the shipped teacher and the two students
    (smoothing on), then Rhubarb without a transcript."""
    half = report_set(rows)
    report = [row for row in rows if row.eval_set == half]
    models = [
        row
        for name in QUOTED_MODELS
        for row in report
        if row.system == name and row.smoothing and row.kind not in ("oracle", "rhubarb")
    ]
    rhubarb = [row for row in report if row.kind == "rhubarb" and RHUBARB_MODE in row.system]
    return models + rhubarb


def table_lines(rows: list[Row]) -> list[str]:
    """The README's results table and one line on how it was measured."""
    quoted = quoted_rows(rows)
    lines = [
        "| | p/b/m closed (±40 ms) | false closures (consonants / vowels) | file size | speed |",
        "|---|---|---|---|---|",
    ]
    for row in quoted:
        m = row.metrics
        false_closures = (
            f"{_pct(m['false_closure_consonant_pct'], 1)} / {_pct(m['false_closure_vowel_pct'], 1)}"
        )
        cells = [
            _name(row),
            _pct(m["pbm_40ms_pct"], 0),
            false_closures,
            _size(row),
            _speed(m.get("realtime_factor", math.nan)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    half = report_set(rows)
    oracle = next((r for r in rows if r.eval_set == half and r.kind == "oracle"), None)
    scope = (
        f"{oracle.metrics['audio_s']:.0f} s with {oracle.metrics['pbm_count']:.0f} p/b/m"
        if oracle is not None
        else "the report half"
    )
    lines += [
        "",
        f"*How measured (`make eval`): real human speech ({scope}; read, spontaneous, "
        "telephone and radio, acted) from speakers no threshold was chosen on "
        "(docs/devset.md); a p/b/m counts as closed when the demo head's lip gap falls "
        "under 1 mm within 40 ms of it; false closures are the share of other consonants and "
        "of vowels during which the lips close; speed is a whole `predict` call per clip, "
        "in multiples of real time. More rows and the models alone: reports/eval.md, "
        "reports/bench.md.*",
    ]
    return lines


def update_readme(readme: Path, rows: list[Row]) -> None:
    """Replace the table between the markers in readme (which must hold both markers)."""
    text = readme.read_text()
    if START not in text or END not in text:
        raise LipSyncError(f"{readme}: no {START} ... {END} markers for the results table.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(table_lines(rows)) + "\n" + END + tail)
