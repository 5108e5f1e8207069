"""Run a batch: every line an independent Dask task, progress on the client, then the report."""

import time
import uuid
from dataclasses import replace
from pathlib import Path

from ..errors import LipSyncError
from ..mouthshapes.shape_sets import viseme_set
from .cluster import dask_client
from .manifest import BatchLine, read_batch
from .report import exit_code, summary_line, write_report
from .worker import LineResult, run_line


def run_lines(client, lines: list[BatchLine], progress: bool = True) -> list[LineResult]:
    """Submit one task per line and collect the results as they finish (sorted by line)."""
    from distributed import as_completed
    from tqdm import tqdm

    batch_id = uuid.uuid4().hex[:8]
    keys = [f"lipsync-{batch_id}-{line.index}" for line in lines]
    futures = client.map(run_line, lines, key=keys, pure=False)
    line_of = dict(zip(keys, lines, strict=True))
    results = []
    with tqdm(total=len(lines), desc="lip sync", unit="line", disable=not progress) as bar:
        for future in as_completed(futures):
            try:
                results.append(future.result())
            except Exception as error:  # the worker died or the task was lost, not the line
                line = line_of[future.key]
                message = f"{type(error).__name__}: {error}".replace("\n", " ")
                results.append(
                    LineResult(
                        line.index, str(line.audio), str(line.output), "failed", 0.0, message
                    )
                )
            future.release()
            bar.update()
    return sorted(results, key=lambda r: r.index)


def run_batch(
    input_path: Path,
    out_dir: Path,
    model: str | None,
    fps: float,
    output_format: str = "csv",
    scheduler: str | None = None,
    workers: int | None = None,
    smoothing: bool = True,
    progress: bool = True,
    visemes: str = "",
    min_hold: int = 1,
) -> int:
    """The `batch` command: plan, run on Dask, write DIR/batch_report.csv; exit code 0 or 1.

    Bad arguments raise LipSyncError before any cluster starts (the CLI turns it into exit 2).
    """
    if workers is not None and workers < 1:
        raise LipSyncError(f"--workers must be at least 1, not {workers}.")
    lines = read_batch(input_path, out_dir, model, fps, output_format, smoothing)
    if visemes:  # checked here, before any cluster: a bad set is a usage error
        spec = str(Path(visemes).resolve()) if visemes.lower().endswith(".json") else visemes
        viseme_set(spec)
        lines = [replace(line, visemes=spec, min_hold=min_hold) for line in lines]
    start = time.perf_counter()
    with dask_client(scheduler, workers) as client:
        results = run_lines(client, lines, progress)
    report = write_report(Path(out_dir), results)
    print(summary_line(results, time.perf_counter() - start, report))
    return exit_code(results)
