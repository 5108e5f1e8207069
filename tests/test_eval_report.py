"""The dev set's files round-trip, and the whole report runs on a tiny dev set and tiny models."""

import json
from pathlib import Path

import numpy as np
import pytest
from model_configs import STUDENT_TINY

from core.errors import CorpusError
from core.lab.eval.devset import load_devset, write_clip
from core.lab.eval.devset_clip import DevClip
from core.lab.eval.devset_sources import iter_raw_clips
from core.lab.eval.devset_summary import bilabial_counts, onset_differences_ms, write_summary
from core.lab.eval.report import main
from core.lab.eval.transcript_rows import RIGHT_TEXT, WRONG_TEXT
from core.phones.phone_set import Phone
from core.runtime.catalog import MODELS_DIR
from core.runtime.modelfile import expected_shapes, write_model_file

PHONES = (
    Phone(0.0, 0.2, "SIL"),
    Phone(0.2, 0.3, "B"),
    Phone(0.3, 0.5, "AA"),
    Phone(0.5, 0.6, "M"),
    Phone(0.6, 0.8, "AH"),
    Phone(0.8, 1.0, "SIL"),
)


def _clip(clip_id: str, speaker: str = "arctic-slt") -> DevClip:
    t = np.arange(16000) / 16000
    audio = (0.2 * np.sin(2 * np.pi * 150 * t) * (t > 0.2) * (t < 0.8)).astype(np.float32)
    return DevClip(
        clip_id, audio, PHONES, "bob ma", "test", speaker, "F", "CC0", reference_phones=PHONES
    )


@pytest.fixture(autouse=True)
def _no_shared_rhubarb(tmp_path, monkeypatch):
    """Reports in these tests never run the real Rhubarb build nor touch the repo's cache."""
    monkeypatch.setattr("core.lab.eval.rhubarb.DEFAULT_DIR", tmp_path / "no_rhubarb")
    monkeypatch.setattr("core.lab.eval.report.DEFAULT_CACHE", tmp_path / "eval_cache")


@pytest.fixture
def devset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "devset"
    folder.mkdir()
    clips = [_clip("arctic-slt-a0009"), _clip("other", "librivox-sonnet-1")]
    for clip in clips:
        write_clip(folder, clip)
    (folder / "manifest.json").write_text(json.dumps({"clips": [c.clip_id for c in clips]}))
    write_summary(folder / "summary.md", clips)
    return folder


def test_devset_round_trip(devset_dir):
    clips = load_devset(devset_dir)
    assert [c.clip_id for c in clips] == ["arctic-slt-a0009", "other"]
    assert clips[0].phones == PHONES and clips[0].text == "bob ma"
    np.testing.assert_allclose(clips[0].audio, _clip("x").audio, atol=1 / 32767)
    summary = (devset_dir / "summary.md").read_text()
    assert "P/B/M phones: 0 / 2 / 2" in summary and "0.0 ms" in summary


def test_missing_devset_and_ktuberling_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="make devset"):
        load_devset(tmp_path)
    with pytest.raises(CorpusError, match="ktuberling-data"):
        next(iter_raw_clips(tmp_path / "sdists", ktuberling_dir=tmp_path))


def test_alignment_check_helpers():
    shifted = tuple(Phone(p.start_s + 0.01, p.end_s + 0.01, p.label) for p in PHONES)
    diffs = onset_differences_ms(shifted, PHONES)
    np.testing.assert_allclose(diffs[0], 10.0)
    assert diffs[1].tolist() == [1, 0, 1, 0]
    assert bilabial_counts(PHONES) == {"P": 0, "B": 1, "M": 1}


def _random_model(folder: Path, name: str, config) -> None:
    rng = np.random.default_rng(0)
    weights = {
        k: (rng.standard_normal(s) * 0.1).astype(np.float32)
        for k, s in expected_shapes(config).items()
    }
    write_model_file(folder / f"{name}.npz", name, config, weights, "random test weights")


def _shipped_teacher(folder: Path) -> None:
    """The real teacher (its Whisper encoder cannot be shrunk for a test)."""
    (folder / "teacher.npz").symlink_to(MODELS_DIR / "teacher.npz")


@pytest.mark.slow
def test_report_runs_end_to_end(devset_dir, tmp_path, capsys):
    models = tmp_path / "models"
    models.mkdir()
    _shipped_teacher(models)
    _random_model(models, "student_tiny", STUDENT_TINY)
    out = tmp_path / "reports"
    code = main(
        [
            "--devset",
            str(devset_dir),
            "--models",
            str(models),
            "--runs",
            str(tmp_path / "no_runs"),
            "--corpus",
            str(tmp_path / "no_corpus"),
            "--out",
            str(out),
            "--no-suite",  # the suite has its own test (test_eval_robustness.py)
        ]
    )
    assert code == 0, capsys.readouterr().err
    report = (out / "eval.md").read_text()
    rows = json.loads((out / "eval.json").read_text())["rows"]
    # the oracle on each half, then 2 models x 2 smoothing settings on each half, then the
    # teacher's transcript mode (it has phone posteriors) with the right and a wrong line
    choose, report_half = "real dev set, choose half", "real dev set, report half"
    models = [(r["eval_set"], r["system"], r["smoothing"]) for r in rows if r["kind"] != "oracle"]
    assert [row for row in models if row[1] not in (RIGHT_TEXT, WRONG_TEXT)] == [
        (half, model, smoothing)
        for half in (choose, report_half)
        for model in ("student_tiny", "teacher")
        for smoothing in (True, False)
    ]
    assert {row[1] for row in models} - {"student_tiny", "teacher"} == {RIGHT_TEXT, WRONG_TEXT}
    assert [(r["eval_set"], r["kind"]) for r in rows[:2]] == [
        (choose, "oracle"),
        (report_half, "oracle"),
    ]
    oracle = rows[0]["metrics"]
    assert oracle["pbm_inside_pct"] == 100.0  # the procedural labels close on every bilabial
    assert rows[2]["future_ms"] == pytest.approx(28.0 + 1000 / 60)
    assert rows[2]["metrics"]["mse"] is not None  # student vs the teacher's output
    assert f"| {report_half} | teacher | yes |" in report and "ref." in report
    assert (out / "eval_plots" / "arctic-slt-a0009.png").stat().st_size > 10_000
    rest = json.loads((out / "eval.json").read_text())["rest_on_silence"]
    assert set(rest) == {"student_tiny", "teacher"} and len(rest["teacher"]) == 5
    assert "## Rest on silence" in report and "no build in" in report  # no Rhubarb rows here


def test_a_report_without_rhubarb_or_an_ablation_carries_their_shape_rows(devset_dir, tmp_path):
    """`make eval RHUBARB=0`, or an ablation whose file is not here: the fidelity and rounding
    table keeps their rows from the previous eval.json, dated, beside the measured ones."""
    models = tmp_path / "models"
    models.mkdir()
    _shipped_teacher(models)
    out = tmp_path / "reports"
    out.mkdir()
    choose = "real dev set, choose half"
    old = {"gap_r": 0.5, "gap_mad_mm": 2.0, "rounding_contrast_mm": 1.0, "rounding_auc": 0.6}
    old |= {"rounded_n": 1.0, "spread_n": 1.0}
    previous = [
        {"eval_set": choose, "system": "gone_ablation", "metrics": old},
        {"eval_set": choose, "system": "teacher", "metrics": old},
    ]
    (out / "eval.json").write_text(json.dumps({"date": "2026-12-01", "mouth_shape": previous}))
    arguments = ["--devset", str(devset_dir), "--models", str(models), "--out", str(out)]
    arguments += ["--runs", str(tmp_path / "no_runs"), "--corpus", str(tmp_path / "no_corpus")]
    assert main([*arguments, "--no-suite", "--no-rhubarb"]) == 0
    shapes = json.loads((out / "eval.json").read_text())["mouth_shape"]
    on_choose = [r["system"] for r in shapes if r["eval_set"] == choose]
    assert on_choose == ["teacher", "oracle labels", "gone_ablation (measured 2026-12-01)"]
    assert next(r for r in shapes if r["system"] == "teacher")["metrics"]["gap_r"] == 1.0
    report = (out / "eval.md").read_text()
    assert "| gone_ablation (measured 2026-12-01) | 0.500 |" in report
    assert "not run by this evaluation" in report and "RHUBARB=0" in report


@pytest.mark.slow
def test_make_eval_rewrites_only_the_readme_table(devset_dir, tmp_path):
    from core.lab.eval.readme_table import END, START
    from core.lab.eval.report import main as report_main

    models = tmp_path / "models"
    models.mkdir()
    _shipped_teacher(models)
    _random_model(models, "s_tiny", STUDENT_TINY)
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{START}\nold table\n{END}\nafter\n")
    args = [
        "--devset",
        str(devset_dir),
        "--models",
        str(models),
        "--runs",
        str(tmp_path / "n"),
        "--corpus",
        str(tmp_path / "n"),
        "--out",
        str(tmp_path / "out"),
    ]
    assert report_main([*args, "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# Title\n\nbefore\n" + START) and text.endswith(END + "\nafter\n")
    assert "old table" not in text and "| S-tiny |" in text and "| teacher |" in text
    assert text.count("| teacher |") == 1  # the report half only, smoothing on
    assert "How measured (`make eval`)" in text and "oracle labels" not in text

    unmarked = tmp_path / "PLAIN.md"
    unmarked.write_text("no markers\n")
    assert report_main([*args, "--readme", str(unmarked)]) == 2
    assert unmarked.read_text() == "no markers\n"
