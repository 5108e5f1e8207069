"""Output files follow the umask like any other new file (issue 17 item 4): CSV, JSON, Live Link
CSV and the batch report, written by the API, the command line or the add-on's writers."""

import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from core.animation import Animation
from core.batch.report import write_report
from core.batch.worker import LineResult
from core.export.curves import write_curves
from core.export.live_link import write_live_link_csv

ROOT = Path(__file__).resolve().parents[1]
ANIMATION = Animation(30.0, ("jawOpen", "mouthClose"), np.full((40, 2), 0.25, np.float32))


@contextmanager
def umask(mask: int):
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


WRITERS = {
    "csv": lambda folder: write_curves(folder / "take.csv", ANIMATION) or folder / "take.csv",
    "json": lambda folder: write_curves(folder / "take.json", ANIMATION) or folder / "take.json",
    "live_link": lambda folder: (
        write_live_link_csv(folder / "ll.csv", ANIMATION) or folder / "ll.csv"
    ),
    "batch_report": lambda folder: write_report(
        folder, [LineResult(1, "a.wav", "a.csv", "ok", 0.1, "")]
    ),
}


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_written_files_get_the_mode_of_a_new_file(writer, mask, tmp_path):
    with umask(mask):
        path = WRITERS[writer](tmp_path)
    assert _mode(path) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_replacing_a_private_file_from_an_older_version_makes_it_normal(tmp_path):
    path = tmp_path / "take.csv"
    path.write_text("old")
    path.chmod(0o600)
    with umask(0o022):
        write_curves(path, ANIMATION)
    assert _mode(path) == 0o644 and path.read_text().startswith("time,")


def test_the_command_line_writes_0644_under_umask_022(tmp_path):
    import soundfile

    audio = tmp_path / "line.wav"
    soundfile.write(audio, np.zeros(8000, np.float32), 16000)
    outputs = [tmp_path / "a.csv", tmp_path / "a.json"]
    for out in outputs:
        command = [
            sys.executable,
            "-m",
            "core.cli",
            "predict",
            str(audio),
            "--model",
            "s_tiny",
            "--fps",
            "30",
            "--out",
            str(out),
        ]
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022)
        )
        assert result.returncode == 0, result.stderr
        assert _mode(out) == 0o644
