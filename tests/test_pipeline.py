"""`make train` end to end on a synthetic corpus (smoke schedules): stages, resume, files, cards."""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.api import load_model, model_info
from core.lab.distill.model_cards import write_cards, write_training_report
from core.lab.distill.pipeline import LOG_NAME, STAGES, stages, teacher_source, train_command
from core.runtime.catalog import SHIPPED

ROOT = Path(__file__).resolve().parent.parent


def _pipeline(corpus: Path, runs: Path, models: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "core.lab.distill.pipeline", "--corpus", str(corpus), *extra]
    command += ["--runs", str(runs), "--models-dir", str(models), "--smoke", "--jobs", "2"]
    command += ["--steps", "12"]  # a few steps per model: the stages, not the learning, are tested
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_pipeline_trains_exports_resumes_and_writes_cards(synthetic_corpus, tmp_path):
    runs, models = tmp_path / "runs", tmp_path / "models"
    first = _pipeline(synthetic_corpus, runs, models)
    assert first.returncode == 0, first.stdout + first.stderr
    log = json.loads((runs / LOG_NAME).read_text())
    assert set(log) == {m for stage in STAGES for m in stage} | {"features", "pseudo"}
    for name in SHIPPED:
        assert model_info(load_model(models / f"{name}.npz")).name == name
    assert (runs / "s_tiny_direct" / "s_tiny_direct.npz").is_file()

    second = _pipeline(synthetic_corpus, runs, models)  # everything trained: nothing retrains
    assert second.returncode == 0 and "training " not in second.stdout
    assert json.loads((runs / LOG_NAME).read_text()) == log

    # another session carries the shipped files on: no teacher stage, students start from them
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for name in SHIPPED:
        (shipped / f"{name}.npz").write_bytes((models / f"{name}.npz").read_bytes())
    later_runs = tmp_path / "later"
    later = _pipeline(synthetic_corpus, later_runs, shipped, "--continue-from", str(shipped))
    assert later.returncode == 0, later.stdout + later.stderr
    assert set(json.loads((later_runs / LOG_NAME).read_text())) == {
        "features",
        "pseudo",
        *SHIPPED[1:],
    }
    assert (shipped / "teacher.npz").read_bytes() == (models / "teacher.npz").read_bytes()
    for name in SHIPPED[1:]:
        assert "fine-tuned from" in model_info(load_model(shipped / f"{name}.npz")).card

    eval_json = tmp_path / "eval.json"
    row = {
        "eval_set": "real dev set",
        "system": "s_tiny",
        "smoothing": True,
        "metrics": {"pbm_40ms_pct": 97.5, "pbm_inside_pct": 88.0},
    }
    eval_json.write_text(json.dumps({"rows": [row]}))
    cards = write_cards(runs, synthetic_corpus, eval_json, models)
    card = (models / "s_tiny.md").read_text()
    assert len(cards) == len(SHIPPED) and "| real dev set | yes | 97.5 | 88.0 |" in card
    assert model_info(load_model(models / "s_tiny.npz")).card == card  # stored in the file too
    report = write_training_report(runs, synthetic_corpus, tmp_path / "training.md").read_text()
    assert all(f"| {m} |" in report for stage in STAGES for m in stage)
    assert (tmp_path / "training" / "teacher.png").is_file()


def test_continuing_with_a_retrained_teacher_trains_it_first_and_labels_with_it(tmp_path):
    shipped, runs = tmp_path / "shipped", tmp_path / "runs"
    args = argparse.Namespace(
        continue_from=shipped, retrain_teacher=True, runs=runs, only=(), device="cpu"
    )
    assert stages(args) == (("teacher",), ("s0",), ("s_tiny", "s_lowlat"))
    assert teacher_source(args) == runs / "teacher"
    args.retrain_teacher = False
    assert stages(args) == (("s0",), ("s_tiny", "s_lowlat"))
    assert teacher_source(args) == shipped / "teacher.npz"
    args.corpus, args.steps, args.smoke = tmp_path / "corpus", 0, False
    command = train_command("s_tiny", args)  # on from the shipped file, by the fine-tune recipe
    assert command[command.index("--init") + 1] == str(shipped / "s_tiny.npz")
    assert "--finetune" in command
    args.only = ("s_tiny_wide",)  # an ablation from scratch on the shipped teacher's labels
    assert stages(args) == (("s_tiny_wide",),)
    assert "--init" not in train_command("s_tiny_wide", args)
    assert "--finetune" not in train_command("s_tiny_wide", args)
