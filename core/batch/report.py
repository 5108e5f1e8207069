"""The batch report (DIR/batch_report.csv), its one-line summary and the exit code."""

import csv
from collections import Counter
from pathlib import Path
from typing import TextIO

from ..export.curves import write_atomic
from .worker import STATUSES, LineResult

REPORT_NAME = "batch_report.csv"
COLUMNS = ("line", "audio", "output", "status", "seconds", "error", "text_alignment")
EXIT_ALL_OK = 0
EXIT_SOME_FAILED = 1


def write_report(out_dir: Path, results: list[LineResult]) -> Path:
    """Write one row per line (sorted by line number) atomically; return the report's path."""
    path = Path(out_dir) / REPORT_NAME

    def write(handle: TextIO) -> None:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in sorted(results, key=lambda r: r.index):
            writer.writerow(
                (
                    r.index,
                    r.audio,
                    r.output,
                    r.status,
                    f"{r.seconds:.4f}",
                    r.error,
                    r.text_alignment,
                )
            )

    write_atomic(path, write)
    return path


def summary_line(results: list[LineResult], wall_s: float, report: Path) -> str:
    """E.g. `batch: 120 lines, 117 ok, 2 skipped, 1 failed in 34.2 s (3.5 lines/s); report: ...`."""
    counts = Counter(r.status for r in results)
    parts = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
    rate = len(results) / wall_s if wall_s > 0 else float("inf")
    return (
        f"batch: {len(results)} lines, {parts} in {wall_s:.1f} s ({rate:.1f} lines/s); "
        f"report: {report}"
    )


def exit_code(results: list[LineResult]) -> int:
    """0 when no line failed, 1 when some did."""
    return EXIT_SOME_FAILED if any(r.status == "failed" for r in results) else EXIT_ALL_OK
