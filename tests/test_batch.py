"""Batch lip sync on a real Dask LocalCluster: outputs equal the single-file CLI, bad files
become error rows, exit codes, resume, and argument errors before any cluster starts."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from core.cli import main

ROOT = Path(__file__).resolve().parents[1]
MODEL = "s_tiny"  # the smallest shipped model
GOOD = ("speech-us.wav", "speech-f3.flac", "sub/synthetic-stereo.wav", "sub/deeper/synthetic.ogg")
BAD = {
    "empty.wav": "empty",  # 0 bytes
    "garbage.wav": "cannot read",  # random bytes behind a .wav name
    "truncated.wav": "cannot read",  # cut inside its header
    "sub/truncated.flac": "cannot read",  # cut in the middle of the stream
}


def _write_bad_files(folder: Path, wav: Path, flac: Path) -> None:
    (folder / "empty.wav").write_bytes(b"")
    rng = np.random.default_rng(3)
    (folder / "garbage.wav").write_bytes(rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    (folder / "truncated.wav").write_bytes(wav.read_bytes()[:40])
    stream = flac.read_bytes()
    (folder / "sub" / "truncated.flac").write_bytes(stream[: len(stream) // 2])


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    """Real speech (espeak-ng), synthetic clips in subfolders and four corrupt or unusable files."""
    from core.lab.corpus.espeak import synthesize
    from core.lab.distill.synthetic import synthetic_utterance

    folder = tmp_path_factory.mktemp("clips")
    (folder / "sub" / "deeper").mkdir(parents=True)
    us = synthesize("Bob met Pam by the pump at the mall.", "en-us").audio
    soundfile.write(folder / "speech-us.wav", us, 16000, subtype="PCM_16")
    f3 = synthesize("Maybe the baby wants more bread.", "en-us+f3", rate_wpm=150).audio
    soundfile.write(folder / "speech-f3.flac", f3, 16000)
    rng = np.random.default_rng(4)
    mono = synthetic_utterance("a", rng, 1.6).audio
    stereo = np.stack([mono, 0.7 * mono], axis=1)
    soundfile.write(folder / "sub" / "synthetic-stereo.wav", stereo, 16000)
    deeper = synthetic_utterance("b", rng, 2.2).audio
    soundfile.write(folder / "sub" / "deeper" / "synthetic.ogg", deeper, 16000)
    _write_bad_files(folder, folder / "speech-us.wav", folder / "speech-f3.flac")
    (folder / "notes.txt").write_text("not audio, not a line")
    return folder


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        Client(local) as client,
    ):
        yield local.scheduler_address, client


def _report(out: Path) -> dict[str, dict[str, str]]:
    with (out / "batch_report.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rows] == list(range(1, len(rows) + 1))
    return {Path(r["audio"]).name: r for r in rows}


def _single_file_cli(audio: Path, out: Path, fps: str, capsys) -> bytes:
    """The user's command in its own process (one BLAS thread there, as on each worker)."""
    command = ["predict", str(audio), "--model", MODEL, "--fps", fps, "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_batch_on_a_cluster_matches_the_cli_reports_bad_files_and_resumes(
    clips, cluster, tmp_path, capsys
):
    from core.batch.worker import models_loaded

    address, client = cluster
    out = tmp_path / "out"
    args = [
        "batch",
        str(clips),
        "--out",
        str(out),
        "--model",
        MODEL,
        "--fps",
        "24",
        "--scheduler",
        address,
    ]
    assert main(args) == 1  # some lines failed
    summary = capsys.readouterr().out
    assert "8 lines, 4 ok, 0 skipped, 4 failed" in summary

    report = _report(out)
    assert set(report) == {Path(name).name for name in (*GOOD, *BAD)}
    for name in GOOD:
        row = report[Path(name).name]
        assert row["status"] == "ok" and row["error"] == "", row
        output = out / Path(name).with_suffix(".csv")
        assert row["output"] == str(output)
        single = _single_file_cli(clips / name, tmp_path / "single.csv", "24", capsys)
        assert output.read_bytes() == single, name  # byte for byte
    for name, reason in BAD.items():
        row = report[Path(name).name]
        assert row["status"] == "failed" and row["error"].startswith(Path(name).name), row
        assert any(word in row["error"] for word in reason.split("|")), row
        assert not (out / Path(name).with_suffix(".csv")).exists()
    assert not list(out.rglob("*.partial"))
    assert sorted(client.run(models_loaded).values()) in ([0, 1], [1, 1])  # once per worker

    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.csv") if p.name != "batch_report.csv"}
    assert main(args) == 1
    assert "8 lines, 0 ok, 4 skipped, 4 failed" in capsys.readouterr().out
    assert {name: r["status"] for name, r in _report(out).items() if r["status"] != "failed"} == {
        Path(name).name: "skipped" for name in GOOD
    }
    assert stamps == {p: p.stat().st_mtime_ns for p in stamps}

    newer = stamps[out / "speech-us.csv"] + 10**9  # the audio changed after its output
    os.utime(clips / "speech-us.wav", ns=(newer, newer))
    assert main(args) == 1
    assert "8 lines, 1 ok, 3 skipped, 4 failed" in capsys.readouterr().out
    assert _report(out)["speech-us.wav"]["status"] == "ok"
    assert sorted(client.run(models_loaded).values()) in ([0, 1], [1, 1])  # still cached


def test_manifest_batch_on_a_local_cluster_via_the_command_line(clips, tmp_path, capsys):
    manifest = clips / "lines.csv"
    manifest.write_text(
        "audio,output,model,fps\n"
        "speech-us.wav,dialogue/line-001.json,,30\n"
        "sub/synthetic-stereo.wav,,s_tiny,\n"
        "speech-f3.flac,line-003.json,models/copy.npz,60\n"  # relative to the manifest
    )
    (clips / "models").mkdir(exist_ok=True)
    shutil.copy(ROOT / "assets" / "models" / f"{MODEL}.npz", clips / "models" / "copy.npz")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "batch",
            str(manifest),
            "--out",
            str(out),
            "--model",
            MODEL,
            "--fps",
            "25",
            "--format",
            "json",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "3 lines, 3 ok, 0 skipped, 0 failed" in result.stdout
    assert "lip sync" in result.stderr and "3/3" in result.stderr  # tqdm progress on the client
    expected = {
        "dialogue/line-001.json": ("speech-us.wav", "30"),
        "synthetic-stereo.json": ("sub/synthetic-stereo.wav", "25"),
        "line-003.json": ("speech-f3.flac", "60"),
    }
    for output, (audio, fps) in expected.items():
        single = _single_file_cli(clips / audio, tmp_path / "single.json", fps, capsys)
        assert (out / output).read_bytes() == single, output


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("missing input", "no such folder or manifest"),
        ("unknown model", "No shipped model named 'no_such_model'"),
        ("no audio", "no audio files"),
        ("bad column", "expected the columns"),
        ("same output twice", "both write"),
        ("bad fps in a row", "fps must be"),
        ("zero workers", "--workers must be at least 1"),
    ],
)
def test_bad_arguments_exit_2_before_any_work(case, message, clips, tmp_path, capsys):
    manifests = {
        "bad column": "audio,speaker\nspeech-us.wav,bob\n",
        "same output twice": "audio,output\nspeech-us.wav,a.csv\nspeech-f3.flac,a.csv\n",
        "bad fps in a row": "audio,fps\nspeech-us.wav,fast\n",
    }
    source, model, extra = str(clips), MODEL, []
    if case == "missing input":
        source = str(tmp_path / "nowhere")
    elif case == "unknown model":
        model = "no_such_model"
    elif case == "no audio":
        (tmp_path / "texts").mkdir()
        (tmp_path / "texts" / "a.txt").write_text("x")
        source = str(tmp_path / "texts")
    elif case == "zero workers":
        extra = ["--workers", "0"]
    else:
        source = str(clips / f"{case.replace(' ', '-')}.csv")
        Path(source).write_text(manifests[case])
    out = tmp_path / "out"
    code = main(["batch", source, "--out", str(out), "--model", model, *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (out / "batch_report.csv").exists()


def test_plain_core_imports_neither_dask_nor_torch_and_workers_need_no_torch():
    code = (
        "import sys, core, core.api, core.cli, core.batch.worker, core.batch.manifest; "
        "print(' '.join(m for m in ('dask', 'distributed', 'torch') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == []
