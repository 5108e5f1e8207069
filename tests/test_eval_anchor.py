"""The dev set's speaker split, the Rhubarb anchor (run, cached, scored, or read back with its
date when the build is missing) and the prediction cache, on a tiny dev set and a fake Rhubarb."""

import json
import stat
from pathlib import Path

import numpy as np
import pytest
from model_configs import STUDENT_TINY

from core.errors import CorpusError
from core.lab.eval import rhubarb
from core.lab.eval.devset import write_clip
from core.lab.eval.devset_clip import DevClip
from core.lab.eval.devset_split import CHOOSE, REPORT, SPEAKER_HALF, half_of, split_clips
from core.lab.eval.devset_summary import write_summary
from core.lab.eval.prediction_cache import PredictionCache
from core.lab.eval.readme_table import table_lines
from core.lab.eval.report import run_report
from core.lab.eval.scoring import EvalItem
from core.phones.phone_set import Phone
from core.runtime.modelfile import expected_shapes, write_model_file

PHONES = (
    Phone(0.0, 0.2, "SIL"),
    Phone(0.2, 0.3, "B"),
    Phone(0.3, 0.5, "AA"),
    Phone(0.5, 0.6, "M"),
    Phone(0.6, 0.8, "AH"),
    Phone(0.8, 1.0, "SIL"),
)
# Rhubarb's cues for "bob ma": rest, A on each bilabial, D and C (open) on the vowels.
CUES = "0.00\tX\n0.20\tA\n0.30\tD\n0.50\tA\n0.60\tC\n0.80\tX\n1.00\tX\n"


def _clip(clip_id: str, speaker: str) -> DevClip:
    t = np.arange(16000) / 16000
    audio = (0.2 * np.sin(2 * np.pi * 150 * t) * (t > 0.2) * (t < 0.8)).astype(np.float32)
    return DevClip(clip_id, audio, PHONES, "bob ma", "test", speaker, "F", "CC0")


@pytest.fixture
def devset_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "devset"
    folder.mkdir()
    clips = [
        _clip("words-1", "ktuberling-en"),
        _clip("read-1", "librivox-sonnet-1"),
        _clip("read-2", "librivox-sense-and-sensibility"),
    ]
    for clip in clips:
        write_clip(folder, clip)
    (folder / "manifest.json").write_text(json.dumps({"clips": [c.clip_id for c in clips]}))
    write_summary(folder / "summary.md", clips)
    return folder


@pytest.fixture
def fake_rhubarb(tmp_path: Path) -> Path:
    """A stand-in build folder: `rhubarb` writes CUES to -o and logs its arguments."""
    folder = tmp_path / "rhubarb-1.14.0"
    (folder / "res").mkdir(parents=True)
    script = folder / "rhubarb"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{folder}/calls.log"\n'
        'while [ $# -gt 1 ]; do [ "$1" = "-o" ] && out="$2"; shift; done\n'
        f"printf '{CUES}' > \"$out\"\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def _student(folder: Path) -> None:
    rng = np.random.default_rng(0)
    weights = {
        k: (rng.standard_normal(s) * 0.1).astype(np.float32)
        for k, s in expected_shapes(STUDENT_TINY).items()
    }
    folder.mkdir()
    write_model_file(folder / "s_tiny.npz", "s_tiny", STUDENT_TINY, weights, "random weights")


def test_split_is_by_speaker():
    clips = [_clip("a", "ktuberling-en"), _clip("b", "librivox-sonnet-1"), _clip("c", "arctic-slt")]
    halves = split_clips(clips)
    assert [c.clip_id for c in halves[CHOOSE]] == ["a", "c"]
    assert [c.clip_id for c in halves[REPORT]] == ["b"]
    # each half has a female speaker; the pocketsphinx recordings stay together
    assert {half_of("arctic-slt"), half_of("librivox-sonnet-1")} == {CHOOSE, REPORT}
    assert {h for s, h in SPEAKER_HALF.items() if s.startswith("pocketsphinx-")} == {CHOOSE}
    with pytest.raises(CorpusError, match="SPEAKER_HALF"):
        half_of("a new speaker")


def test_cue_weights_hold_each_shape_until_the_next_cue():
    weights = rhubarb.cue_weights(CUES, 60)  # (60, 3) at 60 fps
    jaw = weights[:, rhubarb.CHANNELS.index("jawOpen")]
    assert weights.shape == (60, len(rhubarb.CHANNELS))
    assert jaw[:12].max() == 0.0 and jaw[12:18].max() == 0.0  # X then A: rest
    assert jaw[18:30].min() == 0.6 and jaw[30:36].max() == 0.0 and jaw[36:48].min() == 0.3


def test_rhubarb_rows_are_measured_cached_and_read_back(devset_dir, fake_rhubarb, tmp_path):
    models = tmp_path / "models"
    _student(models)
    out, cache = tmp_path / "reports", tmp_path / "cache"
    kwargs = dict(
        devset_dir=devset_dir,
        corpus_dir=tmp_path / "none",
        models_dir=models,
        runs_dir=tmp_path / "none",
        out_dir=out,
        cache_dir=cache,
    )
    rows = run_report(rhubarb_dir=fake_rhubarb, **kwargs)
    calls = (fake_rhubarb / "calls.log").read_text().splitlines()
    assert len(calls) == 3 * 2 and all("--threads 1" in c for c in calls)
    assert sum("-d " in c for c in calls) == 3  # once per clip with its transcript
    anchor = [r for r in rows if r.kind == "rhubarb"]
    assert [(r.eval_set.split(", ")[1], r.system.split(", ")[1]) for r in anchor] == [
        (half, mode) for half in ("choose half", "report half") for mode in rhubarb.MODES
    ]
    # A on both bilabials: every p/b/m closed
    assert all(r.metrics["pbm_inside_pct"] == 100.0 for r in anchor)
    measured = json.loads((out / "rhubarb_measured.json").read_text())
    assert len(measured["rows"]) == 4 and measured["date"]

    run_report(rhubarb_dir=fake_rhubarb, **kwargs)  # a rerun reads the cached cues
    assert len((fake_rhubarb / "calls.log").read_text().splitlines()) == 6

    measured["date"] = "2026-01-02"
    (out / "rhubarb_measured.json").write_text(json.dumps(measured))
    rows = run_report(rhubarb_dir=tmp_path / "nowhere", **kwargs)
    anchor = [r for r in rows if r.kind == "rhubarb"]
    assert len(anchor) == 4 and all(r.system.endswith("(measured 2026-01-02)") for r in anchor)
    assert "measured on 2026-01-02" in (out / "eval.md").read_text()
    readme = "\n".join(table_lines(rows))
    # the report half's row without a transcript
    assert readme.count("| Rhubarb Lip Sync") == 1 and "| S-tiny | " in readme


def test_predictions_are_cached_per_model_file_and_audio(tmp_path):
    from core.api import load_model

    _student(tmp_path / "models")
    path = tmp_path / "models" / "s_tiny.npz"
    model = load_model(path)
    cache = PredictionCache(tmp_path / "cache")
    cache.add(model, path)
    item = EvalItem("x", _clip("x", "arctic-slt").audio, PHONES)
    first, _ = cache.predict(model, item, True)
    again, _ = cache.predict(model, item, True)
    assert cache.computed == 1
    np.testing.assert_allclose(again.weights, first.weights, atol=1e-6)
    quieter = EvalItem("x", item.audio * 0.5, PHONES)
    cache.predict(model, quieter, True)
    cache.predict(model, item, False)
    assert cache.computed == 3  # new audio, other smoothing: computed, not reused
