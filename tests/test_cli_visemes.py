"""The viseme mode outside Blender: `predict --visemes` writes a viseme column (CSV) or track
(JSON), batch lines write the same bytes, and a bad set is a one-line usage error."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from core.batch.manifest import BatchLine
from core.batch.worker import run_line
from core.cli import main
from core.mouthshapes.holds import run_lengths
from core.mouthshapes.shape_sets import OCULUS, RHUBARB

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT / "assets" / "sample_speech.wav"  # real speech, 6 s, 11 p/b/m


def _predict(out: Path, *extra: str) -> int:
    """The exit code of `predict` (argparse's usage errors exit through SystemExit)."""
    try:
        return _run(out, *extra)
    except SystemExit as exit_:
        return int(exit_.code)


def _run(out: Path, *extra: str) -> int:
    return main(
        ["predict", str(SPEECH), "--model", "s_tiny", "--fps", "24", "--out", str(out), *extra]
    )


def test_predict_writes_a_viseme_column_with_holds(tmp_path, capsys):
    out = tmp_path / "line.csv"
    assert _predict(out, "--visemes", "rhubarb", "--min-hold", "3") == 0
    with out.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "time" and rows[0][-1] == "viseme" and len(rows[0]) == 31
    names = [row[-1] for row in rows[1:]]
    assert set(names) <= set(RHUBARB.shapes) and "A" in names and names[0] == "X"
    track = np.array([RHUBARB.shapes.index(n) for n in names])
    assert run_lengths(track).min() >= 3
    plain = tmp_path / "plain.csv"
    assert _predict(plain) == 0  # the curves are the same with or without the column
    with plain.open(newline="") as handle:
        assert [row[:-1] for row in rows] == [row for row in csv.reader(handle)]


def test_predict_json_holds_the_track_and_the_set(tmp_path, capsys):
    out = tmp_path / "line.json"
    assert _predict(out, "--visemes", "oculus") == 0
    document = json.loads(out.read_text())
    assert document["viseme_set"] == {"name": OCULUS.name, "shapes": list(OCULUS.shapes)}
    assert len(document["visemes"]) == document["frame_count"]
    assert "PP" in document["visemes"]
    assert document["metadata"]["visemes"] == {"set": OCULUS.name, "min_hold": 2}


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--visemes", "preston"], "No viseme set 'preston'"),
        (["--visemes", "rhubarb", "--min-hold", "0"], "--min-hold must be at least 1 frame"),
        (["--visemes", "missing.json"], "Cannot read the viseme set"),
    ],
)
def test_a_bad_viseme_option_is_one_line_and_exit_2(extra, message, tmp_path, capsys):
    out = tmp_path / "line.csv"
    assert _predict(out, *extra) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_batch_line_writes_the_bytes_predict_writes(tmp_path, capsys):
    single = tmp_path / "single.csv"
    assert _predict(single, "--visemes", "rhubarb") == 0
    line = BatchLine(
        1, SPEECH, tmp_path / "batch.csv", "s_tiny", 24.0, visemes="rhubarb", min_hold=2
    )
    result = run_line(line)
    assert result.status == "ok", result.error
    assert line.output.read_bytes() == single.read_bytes()


def test_batch_checks_the_viseme_set_before_any_cluster(tmp_path, capsys):
    code = main(
        [
            "batch",
            str(SPEECH.parent),
            "--out",
            str(tmp_path / "out"),
            "--model",
            "s_tiny",
            "--visemes",
            "nope",
        ]
    )
    assert code == 2 and "No viseme set 'nope'" in capsys.readouterr().err
