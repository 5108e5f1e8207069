"""`make train`: the whole model family from the corpus, stage by stage, resumable.

    python -m core.lab.distill.pipeline --corpus data/corpus --runs runs/full [--jobs 2] [--smoke]

Stages: Whisper features of the corpus (cached once); the teacher's head on them (procedural
labels, phones, closures); the teacher's pseudo-labels of the corpus; S0 on them (heterogeneous
KD) beside the ablations that need no S0 (raw input without features, procedural labels only);
then S-tiny and S-lowlat (heterogeneous KD, log-mel input) and the raw-waveform hybrid-KD
ablation (pseudo-labels + frozen S0 features).
Each model trains in its own `core.lab.distill.train` process, `--jobs` of them at once with the
cores shared between them; a model whose checkpoint already holds all its steps is skipped, an
interrupted one resumes. Shipped models are exported to assets/models, ablations beside their
checkpoints, and every stage's wall time goes to <runs>/pipeline_log.json.

`--continue-from assets/models` carries the shipped family on across sessions (run folders are
not kept in git): the shipped teacher file pseudo-labels (no teacher stage), and S0, S-tiny and
S-lowlat each start from their shipped file for another schedule of steps (no ablations). With
`--retrain-teacher` the teacher's head is trained again first, from scratch on every shard this
run cached (minutes: the encoder is frozen and its features cached), and it pseudo-labels.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ...runtime.catalog import SHIPPED
from .checkpoint import load_checkpoint
from .recipes import RECIPES, settings_for
from .train_teacher import SMOKE as SMOKE_TEACHER
from .train_teacher import TeacherSettings

# S-tiny and S-lowlat need no S0; the last stage stays theirs (and the hybrid-KD
# ablation's, which does)
STAGES = (
    ("teacher",),
    ("s0", "s_tiny_nofeat", "s_tiny_direct"),
    ("s_tiny", "s_lowlat", "s_tiny_raw"),
)
FLOAT16 = ("teacher",)  # the Whisper encoder is float16 already; the head moves by < 1e-3
MODELS_DIR = Path("assets/models")
LOG_NAME = "pipeline_log.json"
FEATURES_SMOKE_LIMIT = 4  # corpus shards encoded in a smoke run


def is_trained(
    run_dir: Path, model: str, smoke: bool, steps: int = 0, finetune: bool = False
) -> bool:
    """Whether run_dir's checkpoint already holds every step of the model's schedule."""
    state = load_checkpoint(run_dir / "checkpoint.pt")
    if model == "teacher":
        default = (SMOKE_TEACHER if smoke else TeacherSettings()).steps
    else:
        default = settings_for(model, smoke, finetune).steps
    return state is not None and state["step"] >= (steps or default)


def teacher_source(args: argparse.Namespace) -> Path:
    """The teacher that pseudo-labels: this run's, or the shipped file when continuing with it."""
    if args.continue_from and not args.retrain_teacher:
        return args.continue_from / "teacher.npz"
    return args.runs / "teacher"


def stages(args: argparse.Namespace) -> tuple[tuple[str, ...], ...]:
    """The training stages of this run: continuing trains only the shipped models (the teacher
    only when retrained); --only trains just the named models, one stage, from scratch."""
    if args.only:
        return (tuple(args.only),)
    if not args.continue_from:
        return STAGES
    trained = SHIPPED if args.retrain_teacher else SHIPPED[1:]
    shipped = (tuple(m for m in stage if m in trained) for stage in STAGES)
    return tuple(stage for stage in shipped if stage)


def continuing(args: argparse.Namespace) -> bool:
    """Whether the shipped students train on from their files (the fine-tune recipe)."""
    return bool(args.continue_from and not args.only)


def train_command(model: str, args: argparse.Namespace) -> list[str]:
    """The single-model training command the pipeline runs for `model`."""
    if model == "teacher":
        command = [sys.executable, "-m", "core.lab.distill.train_teacher", "--device", args.device]
        command += ["--features", str(args.runs / "features")]
    else:
        command = [sys.executable, "-m", "core.lab.distill.train", "--model", model, "--device"]
        command += [
            args.device,
            "--corpus",
            str(args.corpus),
            "--pseudo",
            str(args.runs / "pseudo"),
            "--teacher",
            str(teacher_source(args)),
        ]
        if continuing(args):
            command += ["--init", str(args.continue_from / f"{model}.npz"), "--finetune"]
    command += ["--out", str(args.runs / model)]
    command += ["--steps", str(args.steps)] if args.steps else []
    return command + (["--smoke"] if args.smoke else [])


def run_stage(models: tuple[str, ...], args: argparse.Namespace, log: dict) -> None:
    """Train the stage's models, `args.jobs` processes at a time; raise if one fails."""
    pending = [
        m
        for m in models
        if not is_trained(args.runs / m, m, args.smoke, args.steps, continuing(args))
    ]
    threads = max(1, (os.cpu_count() or 1) // max(1, min(args.jobs, len(pending) or 1)))
    env = os.environ | {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    running: dict[str, tuple[subprocess.Popen, float]] = {}
    while pending or running:
        while pending and len(running) < args.jobs:
            model = pending.pop(0)
            (args.runs / model).mkdir(parents=True, exist_ok=True)
            out = open(args.runs / f"{model}.log", "a")  # noqa: SIM115 (closed with the process)
            command = train_command(model, args)
            print(f"training {model} ({threads} threads; log {args.runs / model}.log)")
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
            running[model] = (process, time.monotonic())
        time.sleep(1.0)
        for model, (process, started) in list(running.items()):
            if process.poll() is None:
                continue
            del running[model]
            if process.returncode:
                raise SystemExit(f"training {model} failed; see {args.runs / model}.log")
            log[model] = log.get(model, {}) | {
                "wall_s": round(log.get(model, {}).get("wall_s", 0) + time.monotonic() - started),
                "threads": threads,
                "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
            (args.runs / LOG_NAME).write_text(json.dumps(log, indent=2))
            print(f"{model}: done")


def cache_features(args: argparse.Namespace, log: dict) -> None:
    """Whisper features of the corpus shards not cached yet: train/ and heldout/ (at most
    --feature-shards of them), then every Kokoro shard of train/ and every shard of unlabelled
    real speech, where they were built: the human-like speech is scarce, all of it is used."""
    from ...runtime.whisper_teacher import DEFAULT_ENCODER
    from ..corpus.kokoro import ENGINE as KOKORO
    from ..corpus.unlabelled_speech import SPLIT
    from .features import build_cache

    started = time.monotonic()
    limit = FEATURES_SMOKE_LIMIT if args.smoke else args.feature_shards
    features = args.runs / "features"
    made = build_cache(
        args.corpus, features, ("train", "heldout"), DEFAULT_ENCODER, limit, skip_engines=(KOKORO,)
    )
    made += build_cache(args.corpus, features, ("train",), DEFAULT_ENCODER, engines=(KOKORO,))
    made += build_cache(args.corpus, features, (SPLIT,), DEFAULT_ENCODER)
    if made:
        _log_stage(args, log, "features", started)


def make_pseudo_labels(args: argparse.Namespace, log: dict) -> None:
    """The teacher's labels of every cached train/ and unlabelled/ utterance, before the
    students start."""
    from .teacher_labels import label_corpus

    started = time.monotonic()
    made = label_corpus(
        teacher_source(args), args.runs / "features", args.corpus, args.runs / "pseudo"
    )
    if made:
        _log_stage(args, log, "pseudo", started)


def _log_stage(args: argparse.Namespace, log: dict, stage: str, started: float) -> None:
    log[stage] = {
        "wall_s": round(log.get(stage, {}).get("wall_s", 0) + time.monotonic() - started),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    (args.runs / LOG_NAME).write_text(json.dumps(log, indent=2))


def export_all(
    runs: Path, models_dir: Path, trained: tuple[tuple[str, ...], ...] = STAGES
) -> list[Path]:
    """Trained shipped models to models_dir, ablations beside their checkpoints; paths written."""
    from .export import export_checkpoint

    written = []
    for model in [m for stage in trained for m in stage]:
        out = (models_dir if model in SHIPPED else runs / model) / f"{model}.npz"
        dtype = "float16" if model in FLOAT16 else "float32"
        export_checkpoint(runs / model / "checkpoint.pt", out, dtype, name=model)
        written.append(out)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Train and export the whole model family.")
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--runs", type=Path, default=Path("runs/full"))
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument("--jobs", type=int, default=2, help="models trained at once")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--smoke", action="store_true", help="seconds per model (tests)")
    parser.add_argument("--steps", type=int, default=0, help="every model this many steps")
    parser.add_argument(
        "--feature-shards",
        type=int,
        default=0,
        help="cache at most this many corpus shards (round-robin over voices)",
    )
    parser.add_argument(
        "--continue-from",
        type=Path,
        default=None,
        help="a folder of shipped model files to continue (assets/models)",
    )
    parser.add_argument(
        "--retrain-teacher",
        action="store_true",
        help="with --continue-from: train the teacher's head again on this run's features",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=(),
        choices=sorted(RECIPES),
        help="train just these models (from scratch; with --continue-from its teacher labels)",
    )
    args = parser.parse_args()
    args.runs.mkdir(parents=True, exist_ok=True)
    log_path = args.runs / LOG_NAME
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    cache_features(args, log)
    for stage in stages(args):
        if "teacher" not in stage:
            make_pseudo_labels(args, log)  # resumes: only shards not labelled yet
        run_stage(stage, args, log)
    for path in export_all(args.runs, args.models_dir, stages(args)):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
