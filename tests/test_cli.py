"""The command line: predict to CSV/JSON, info, and bad inputs (exit 2, one line, no file)."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile
from model_configs import STUDENT_TINY

from core.cli import main
from core.rig.arkit import LOWER_FACE
from core.runtime.modelfile import expected_shapes, write_model_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> Path:
    """A tiny student with random weights: the CLI's plumbing does not need a trained one."""
    rng = np.random.default_rng(0)
    weights = {
        name: (rng.standard_normal(shape) * 0.1).astype(np.float32)
        for name, shape in expected_shapes(STUDENT_TINY).items()
    }
    path = tmp_path_factory.mktemp("model") / "student_tiny.npz"
    write_model_file(path, "student_tiny", STUDENT_TINY, weights, "Test model, random weights.")
    return path


@pytest.fixture(scope="module")
def speech_like(tmp_path_factory) -> Path:
    """1.2 s of voiced, syllable-modulated noise at 44.1 kHz stereo."""
    rate = 44100
    t = np.arange(int(1.2 * rate)) / rate
    rng = np.random.default_rng(1)
    voice = np.sin(2 * np.pi * 140 * t) + 0.3 * rng.standard_normal(len(t))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    mono = (0.3 * voice * envelope).astype(np.float32)
    path = tmp_path_factory.mktemp("audio") / "clip.wav"
    soundfile.write(path, np.stack([mono, 0.8 * mono], axis=1), rate)
    return path


def _run(args: list, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_csv(model_path, speech_like, tmp_path, capsys):
    out = tmp_path / "curves.csv"
    code, _, err = _run(
        ["predict", speech_like, "--model", model_path, "--fps", 24, "--out", out], capsys
    )
    assert code == 0, err
    with out.open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["time", *LOWER_FACE]
    assert len(rows) - 1 == int(np.ceil(1.2 * 24))
    times = np.array([float(r[0]) for r in rows[1:]])
    np.testing.assert_allclose(times, np.arange(len(times)) / 24, atol=1e-6)
    weights = np.array([[float(x) for x in r[1:]] for r in rows[1:]])
    assert np.all((weights >= 0) & (weights <= 1))
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_predict_json_with_and_without_smoothing(model_path, speech_like, tmp_path, capsys):
    documents = {}
    for flag in ([], ["--no-smooth"]):
        out = tmp_path / f"curves{len(flag)}.json"
        code, _, err = _run(
            ["predict", speech_like, "--model", model_path, "--fps", 30, "--out", out, *flag],
            capsys,
        )
        assert code == 0, err
        documents[bool(flag)] = json.loads(out.read_text())
    smooth, raw = documents[False], documents[True]
    assert smooth["channel_names"] == list(LOWER_FACE)
    assert smooth["fps"] == 30 and smooth["frame_count"] == len(smooth["weights"]) == 36
    assert smooth["metadata"]["smoothing"] is True and raw["metadata"]["smoothing"] is False
    assert smooth["metadata"]["model"]["name"] == "student_tiny"
    assert smooth["weights"] != raw["weights"]


def test_info(model_path, capsys):
    code, out, _ = _run(["info", model_path], capsys)
    assert code == 0
    assert "name: student_tiny" in out and "parameters:" in out and "future_ms: 28.0" in out


def _bad_inputs(tmp_path: Path, speech_like: Path) -> dict[str, Path]:
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(speech_like.read_bytes()[:60])  # header cut off inside the format
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio at all\n" * 20)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    return {
        "missing": tmp_path / "missing.wav",
        "directory": tmp_path,
        "empty": empty,
        "corrupt": corrupt,
        "text": text,
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "corrupt", "text"])
def test_bad_audio(case, model_path, speech_like, tmp_path, capsys):
    audio = _bad_inputs(tmp_path, speech_like)[case]
    out = tmp_path / "out" / "curves.csv"
    out.parent.mkdir()
    code, _, err = _run(
        ["predict", audio, "--model", model_path, "--fps", 24, "--out", out], capsys
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert not out.exists() and list(out.parent.iterdir()) == []


def test_bad_model_paths(speech_like, tmp_path, capsys):
    not_a_model = tmp_path / "fake.npz"
    not_a_model.write_bytes(b"PK\x03\x04 not really a zip")
    for model in (tmp_path / "nope.npz", not_a_model, "no_such_shipped_model"):
        out = tmp_path / "curves.json"
        code, _, err = _run(
            ["predict", speech_like, "--model", model, "--fps", 24, "--out", out], capsys
        )
        assert code == 2, model
        assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
        assert not out.exists()


def test_unwritable_out_dir(model_path, speech_like, capsys):
    out = Path("/proc/tiny_lipsync_curves.csv")  # a folder nobody, root included, can write
    code, _, err = _run(
        ["predict", speech_like, "--model", model_path, "--fps", 24, "--out", out], capsys
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert not out.exists()


@pytest.mark.parametrize(
    "out_name", ["no_such_dir/curves.csv", "file_as_dir/curves.csv", "curves.txt", "."]
)
def test_unwritable_or_bad_out(out_name, model_path, speech_like, tmp_path, capsys):
    (tmp_path / "file_as_dir").write_text("a file, not a folder")
    before = sorted(tmp_path.rglob("*"))
    code, _, err = _run(
        ["predict", speech_like, "--model", model_path, "--fps", 24, "--out", tmp_path / out_name],
        capsys,
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    "args",
    [
        ["predict"],
        ["predict", "a.wav", "--model", "m", "--fps", "0", "--out", "x.csv"],
        ["frobnicate"],
    ],
)
def test_usage_errors_are_one_line(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_module_entry_point(model_path, speech_like, tmp_path):
    out = tmp_path / "c.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "predict",
            str(speech_like),
            "--model",
            str(model_path),
            "--fps",
            "25",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("time,cheekPuff,jawForward,")
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "predict",
            str(tmp_path / "none.wav"),
            "--model",
            str(model_path),
            "--fps",
            "25",
            "--out",
            str(tmp_path / "d.csv"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert not (tmp_path / "d.csv").exists()


@pytest.mark.parametrize(("suffix", "rate", "channels"), [(".flac", 22050, 1), (".ogg", 48000, 2)])
def test_predict_reads_flac_and_ogg(suffix, rate, channels, model_path, tmp_path, capsys):
    t = np.arange(int(0.8 * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))).astype(
        np.float32
    )
    audio = tmp_path / f"clip{suffix}"
    soundfile.write(audio, np.stack([mono] * channels, axis=1), rate)
    out = tmp_path / "curves.csv"
    code, _, err = _run(
        ["predict", audio, "--model", model_path, "--fps", 50, "--out", out], capsys
    )
    assert code == 0, err
    assert len(out.read_text().splitlines()) == 1 + 40


@pytest.mark.parametrize(
    ("blocked", "command", "words"),
    [
        ("tqdm", ["batch", "{audio_dir}", "--out", "{out}", "--model", "s_tiny"], "[batch]"),
        ("distributed", ["batch", "{audio_dir}", "--out", "{out}", "--model", "s_tiny"], "[batch]"),
        (
            "soundfile",
            ["predict", "{audio}", "--model", "s_tiny", "--fps", "30", "--out", "{out}/a.csv"],
            "pip install tiny-lipsync ",
        ),
    ],
)
def test_a_missing_optional_package_is_one_line_and_exit_2(
    blocked, command, words, speech_like, tmp_path
):
    """As if the package were not installed: one line naming it and what to install (#17)."""
    values = {"audio": speech_like, "audio_dir": speech_like.parent, "out": tmp_path / "out"}
    (tmp_path / "out").mkdir()
    argv = [part.format(**values) for part in command]
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"  # `import {blocked}` now fails
        f"from core.cli import main; sys.exit(main({argv!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"'{blocked}'" in result.stderr and words in result.stderr, result.stderr
    assert not list((tmp_path / "out").iterdir())


def test_a_closed_pipe_ends_quietly():
    """`info s_tiny | head`: the reader leaves before the output comes; no traceback, exit 0."""
    command = f"{sys.executable} -m core.cli info s_tiny | true; echo ${{PIPESTATUS[0]}}"
    result = subprocess.run(
        command, shell=True, capture_output=True, text=True, cwd=ROOT, executable="/bin/bash"
    )
    assert result.stdout.strip() == "0" and "Traceback" not in result.stderr, result.stderr
