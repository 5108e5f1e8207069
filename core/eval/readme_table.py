"""The README's results table: `make eval` rewrites it between two marker comments."""

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LipSyncError

if TYPE_CHECKING:
    from .report import Row

START, END = "<!-- eval-table:start -->", "<!-- eval-table:end -->"
SHIPPED = ("teacher", "s0", "s_tiny", "s_lowlat")
RHUBARB = ("| Rhubarb Lip Sync 1.14 (published bar, other data) | 69 | 94.5 | ~4 | ~4 | – | "
           "86 MB of models | ~3 |")  # fmt: skip


def table_lines(rows: list["Row"]) -> list[str]:
    """Real dev set, smoothing on, shipped models and the oracle, plus the Rhubarb bar."""
    lines = [
        "| system (real dev set, smoothing on) | PBM inside % | PBM ±40 ms % | false closure "
        "cons. % | false closure vowels % | jitter ×1e-3 | size | speed ×RT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        shipped = row.system in SHIPPED and row.smoothing
        if not row.eval_set.startswith("real") or not (shipped or row.kind == "oracle"):
            continue
        m = row.metrics
        size = "–" if row.file_size is None else f"{row.file_size / 1024:.0f} KB"
        speed = "–" if row.kind == "oracle" else f"{m['realtime_factor']:.0f}"
        lines.append(
            f"| {row.system} | {m['pbm_inside_pct']:.1f} | {m['pbm_40ms_pct']:.1f} | "
            f"{m['false_closure_consonant_pct']:.1f} | {m['false_closure_vowel_pct']:.1f} | "
            f"{1e3 * m['jitter_weights']:.2f} | {size} | {speed} |"
        )
    return [*lines, RHUBARB]


def update_readme(readme: Path, rows: list["Row"]) -> None:
    """Replace the table between the markers in readme (which must hold both markers)."""
    text = readme.read_text()
    if START not in text or END not in text:
        raise LipSyncError(f"{readme}: no {START} ... {END} markers for the results table.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(table_lines(rows)) + "\n" + END + tail)
