"""Model cards and the training report, from the runs, the corpus and the evaluation.

    python -m core.lab.distill.model_cards [--runs runs/full] [--corpus data/corpus]

For every shipped model: assets/models/<name>.md, and the same text stored in the model file's
metadata (the weights are rewritten unchanged). Then reports/training.md with each run's config,
data, wall time and loss, and the loss curves copied to reports/training/.
"""

import argparse
import json
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np

from ...runtime.catalog import SHIPPED
from ...runtime.modelfile import ModelFile, read_model_file, write_model_file
from .checkpoint import load_checkpoint
from .export import model_card
from .pipeline import LOG_NAME, MODELS_DIR, STAGES
from .recipes import TrainSettings
from .teacher_labels import labels_note

REAL = "real dev set"
DEFAULT_HARD_NEGATIVE = TrainSettings.hard_negative_weight
METRICS = (
    ("pbm_40ms_pct", "PBM ±40 ms %"),
    ("pbm_inside_pct", "PBM inside %"),
    ("false_closure_consonant_pct", "false closure cons. %"),
    ("false_closure_vowel_pct", "false closure vowels %"),
    ("mse", "MSE"),
    ("jitter_weights", "jitter (weights)"),
    ("realtime_factor", "speed ×RT"),
)
LIMITS = (
    "The teacher's head learnt from synthetic speech (TTS voices) on a frozen Whisper encoder "
    "pretrained on real speech by OpenAI; the students also hear unlabelled real speech, "
    "labelled by the teacher. The English real speech we score on is used for evaluation alone.",
    "Outputs the 29 ARKit lower-face channels; eyes, brows and head motion are not animated.",
    "English is the target language; other languages are held out and reported separately.",
    "Lip closure is scored on one head (the bundled demo head); other rigs need the mapping.",
)


def corpus_hours(
    corpus_dir: Path, split: str = "train", shards: set[str] | None = None
) -> dict[tuple[str, str, str], float]:
    """Hours of clean (not augmented) speech per (engine, voice, language) of a corpus split,
    of the named shards only (e.g. {"shard-00012-espeak-en-us.npz"}) when given."""
    hours: dict[tuple[str, str, str], float] = defaultdict(float)
    for summary in sorted((Path(corpus_dir) / split).glob("shard-*.json")):
        if shards is not None and summary.with_suffix(".npz").name not in shards:
            continue
        shard = json.loads(summary.read_text())
        key = (shard["engine"], shard["voice"], shard["language"])
        clean = [u["duration_s"] for u in shard["utterances"] if not u["augmented"]]
        hours[key] += sum(clean) / 3600
    return dict(hours)


def real_speech_hours(corpus_dir: Path, shards: set[str] | None = None) -> dict[str, float]:
    """Hours of unlabelled real speech per language (core.lab.corpus.unlabelled_speech), of the
    named shards only when given."""
    from ..corpus.dataset import list_shards, open_shard
    from ..corpus.unlabelled_speech import SPLIT

    hours: dict[str, float] = defaultdict(float)
    for path in list_shards(Path(corpus_dir) / SPLIT):
        if shards is None or path.name in shards:
            with open_shard(path) as data:
                hours[path.stem.rsplit("-", 1)[-1]] += data["audio_offsets"][-1] / 16000 / 3600
    return dict(hours)


def data_lines(
    hours: dict[tuple[str, str, str], float], real: dict[str, float] | None = None
) -> list[str]:
    """Markdown lines describing the training speech (synthetic, then real where used)."""
    per_engine: dict[str, list[str]] = defaultdict(list)
    for (engine, voice, language), h in sorted(hours.items()):
        per_engine[engine].append(f"{voice} ({language}, {h:.2f} h)")
    total = sum(hours.values())
    lines = [f"- {total:.1f} h of clean synthetic speech ({len(hours)} voices) plus augmentation:"]
    lines += [f"  - {engine}: {', '.join(voices)}" for engine, voices in per_engine.items()]
    mbrola = any("mbrola" in engine for engine, _, _ in hours)
    lines.append(
        "- MBROLA voices: "
        + ("USED (non-commercial licence; see docs/corpus.md)." if mbrola else "not used.")
    )
    if any(engine == "kokoro" for engine, _, _ in hours):
        lines.append("- Kokoro-82M neural voices: Apache-2.0 model and voices (assets/CREDITS.md).")
    lines.append("- Engine and text licences: docs/corpus.md (all free for this use).")
    if real:
        languages = ", ".join(f"{lang} {h:.2f} h" for lang, h in sorted(real.items()))
        lines.append(
            f"- {sum(real.values()):.1f} h of unlabelled real human speech, labelled by "
            f"the teacher (Tux Paint stamp descriptions, GPL-2.0-or-later): {languages}"
        )
    return lines


def trained_shards(runs: Path) -> set[str] | None:
    """The corpus shards the runs trained on: those the teacher pseudo-labelled (every cached
    one), or None (the whole corpus) when the runs have no pseudo-labels."""
    pseudo = Path(runs) / "pseudo"
    return {p.name for p in pseudo.glob("shard-*.npz")} if pseudo.is_dir() else None


def eval_lines(rows: list[dict], system: str) -> list[str]:
    """A small markdown table of one system's evaluation rows."""
    mine = [r for r in rows if r["system"] == system]
    if not mine:
        return ["Not evaluated yet: run `make eval`."]
    head = "| set | smoothing | " + " | ".join(label for _, label in METRICS) + " |"
    lines = [head, "|" + "---|" * (len(METRICS) + 2)]
    for row in mine:
        values = [_fmt(row["metrics"].get(key)) for key, _ in METRICS]
        smooth = "yes" if row["smoothing"] else "no"
        lines.append(f"| {row['eval_set']} | {smooth} | " + " | ".join(values) + " |")
    return lines


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    return f"{value:.4f}" if abs(value) < 0.1 and value != 0 else f"{value:.1f}"


def _final_loss(history: list[dict]) -> float:
    return float(np.mean([h["total"] for h in history[-100:]]))


def option_lines(settings: dict) -> list[str]:
    """The recipe's optional robustness and mouth-shape steps that this run took
    (recipes.TrainSettings), and its engine shares."""
    lines = []
    if settings.get("speed_share"):
        low, high = settings["speed_range"]
        lines.append(
            f"- {settings['speed_share']:.0%} of speech crops played {low}-{high}x as fast, "
            "labels read at the same speed"
        )
    if settings.get("pitch_share"):
        low, high = settings["pitch_semitones"]
        lines.append(
            f"- {settings['pitch_share']:.0%} of speech crops moved {low:g}-{high:g} semitones "
            "in pitch, timing kept (the teacher labels the unchanged crop)"
        )
    if settings.get("peak_weight"):
        lines.append(
            f"- closure peak objective, weight {settings['peak_weight']}: each of the "
            "teacher's closures must peak as high in the student"
        )
    if settings.get("quiet_weight"):
        lines.append(
            f"- closure quiet objective, weight {settings['quiet_weight']}: away from the "
            "teacher's closures the student's closure probability must not peak either"
        )
    if settings.get("width_weight"):
        lines.append(
            f"- mouth-width objective, weight {settings['width_weight']}: the demo head's "
            "corner-to-corner width as the teacher's"
        )
    if settings.get("temperature", 1.0) != 1.0:
        lines.append(
            f"- the teacher's closure and phone outputs softened at temperature "
            f"{settings['temperature']:g} (classic distillation)"
        )
    hard = settings.get("hard_negative_weight", DEFAULT_HARD_NEGATIVE)
    if hard != DEFAULT_HARD_NEGATIVE:
        lines.append(f"- closure errors on speech without a closure weigh {hard:g}x more")
    if settings.get("rounded_negative_weight", 1.0) != 1.0:
        lines.append(
            f"- closure errors where the teacher hears /w uw ow uh/ weigh "
            f"{settings['rounded_negative_weight']:g}x more"
        )
    shares = ", ".join(
        f"{engine} {share:.0%}" for engine, share in settings.get("engine_shares", ())
    )
    if shares:
        lines.append(f"- speech crops drawn from named engines: {shares}")
    return lines


def label_lines(runs: Path) -> list[str]:
    """How the teacher's pseudo-labels of the runs were made, where that changes what a
    student learns (teacher_labels.LABELS_NOTE)."""
    margin = labels_note(Path(runs) / "pseudo").get("speech_margin_ms")
    if not margin:
        return []
    return [
        f"- the teacher's labels part the lips within {margin} ms of speech (its speech "
        "margin), so the student learns to part them ahead inside its own window"
    ]


def card_text(
    name: str, model: ModelFile, runs: Path, hours: dict, real: dict, rows: list, log: dict
) -> str:
    """The full model card of one shipped model (markdown)."""
    state = load_checkpoint(runs / name / "checkpoint.pt")
    settings = state["settings"]
    run = log.get(name, {})
    lines = [
        f"# Model card: {name}",
        "",
        *model_card(
            name, model.config, model.parameters, f"{state['recipe']} ({state['step']} steps)."
        ).splitlines(),
    ]
    lines += [
        "",
        "## File",
        "",
        f"- {model.parameters:,} parameters, {model.dtype}, "
        f"{model.file_size / 1024:.0f} KB on disk",
    ]
    lines += ["", "## Training data", "", *data_lines(hours, real)]
    lines += [
        "",
        "## Recipe",
        "",
        f"- {state['recipe']}; {state['step']} steps, batch "
        f"{settings['batch']}, peak learning rate {settings['lr']} (one-cycle, AdamW)",
        f"- on-the-fly augmentation of {settings.get('augment_share', 0):.0%} of crops; "
        f"final training loss {_final_loss(state['history']):.5f}",
        *option_lines(settings),
        *([] if name == "teacher" else label_lines(runs)),
        f"- wall time of its last run: {run.get('wall_s', 0) / 60:.0f} min on "
        f"{run.get('threads', '?')} CPU threads",
    ]
    lines += ["", EVAL_HEADING, "", *eval_lines(rows, name)]
    lines += ["", "## Known limits", "", *[f"- {limit}" for limit in LIMITS]]
    return "\n".join(lines) + "\n"


def write_cards(
    runs: Path, corpus: Path, eval_json: Path, models_dir: Path = MODELS_DIR
) -> list[Path]:
    """Write every shipped model's card (.md and into the file); return the .md paths."""
    hours = corpus_hours(corpus, shards=trained_shards(runs))
    real = real_speech_hours(corpus, shards=trained_shards(runs))
    rows = json.loads(eval_json.read_text())["rows"] if eval_json.exists() else []
    log = json.loads((runs / LOG_NAME).read_text()) if (runs / LOG_NAME).exists() else {}
    written = []
    for name in SHIPPED:
        if load_checkpoint(runs / name / "checkpoint.pt") is None:
            continue  # not trained in these runs (--continue-from): its card stays as it was
        path = models_dir / f"{name}.npz"
        model = read_model_file(path)
        heard = {} if name == "teacher" else real  # the teacher's head learns from labels only
        text = card_text(name, model, runs, hours, heard, rows, log)
        write_model_file(path, model.name, model.config, model.weights, text, model.dtype)
        path.with_suffix(".md").write_text(text)
        written.append(path.with_suffix(".md"))
    return written


EVAL_HEADING = "## Evaluation (`make eval`, reports/eval.md)"


def refresh_evaluation(eval_json: Path, models_dir: Path = MODELS_DIR) -> list[Path]:
    """Replace the evaluation section of every shipped model's card (.md and in the file) with
    the current eval.json rows: after a change that needs no retraining (a ramp choice), when
    the runs that wrote the rest of the card are not on this machine."""
    rows = json.loads(eval_json.read_text())["rows"]
    written = []
    for name in SHIPPED:
        path = models_dir / f"{name}.npz"
        if not path.exists():
            continue
        model = read_model_file(path)
        before, heading, after = model.card.partition(EVAL_HEADING)
        if not heading:
            continue  # a card from before the evaluation section: left as it is
        rest = after.split("\n## ", 1)
        tail = "\n## " + rest[1] if len(rest) == 2 else "\n"
        text = f"{before}{heading}\n\n" + "\n".join(eval_lines(rows, name)) + "\n" + tail
        write_model_file(path, model.name, model.config, model.weights, text, model.dtype)
        path.with_suffix(".md").write_text(text)
        written.append(path.with_suffix(".md"))
    return written


def write_training_report(runs: Path, corpus: Path, out: Path) -> Path:
    """reports/training.md: one row per run, the loss curves, the data."""
    log = json.loads((runs / LOG_NAME).read_text()) if (runs / LOG_NAME).exists() else {}
    figures = out.parent / "training"
    figures.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Training runs",
        "",
        "Made by `make train` (`python -m core.lab.distill.pipeline`), "
        "then `python -m core.lab.distill.model_cards`. What was tried, in order, and what it "
        "showed: [training_log.md](training_log.md).",
        "",
        "| model | recipe | steps | batch | lr | augmented | final loss | wall min | threads |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for model in [m for stage in STAGES for m in stage]:
        state = load_checkpoint(runs / model / "checkpoint.pt")
        if state is None:
            continue
        s, run = state["settings"], log.get(model, {})
        lines.append(
            f"| {model} | {state['recipe']} | {state['step']} | {s['batch']} | {s['lr']} | "
            f"{s.get('augment_share', 0):.0%} | {_final_loss(state['history']):.5f} | "
            f"{run.get('wall_s', 0) / 60:.0f} | {run.get('threads', '?')} |"
        )
        curve = runs / model / "loss_curve.png"
        if curve.exists():
            shutil.copyfile(curve, figures / f"{model}.png")
    hours = corpus_hours(corpus, shards=trained_shards(runs))
    real = real_speech_hours(corpus, shards=trained_shards(runs))
    lines += ["", "## Data", "", *data_lines(hours, real), "", "## Loss curves", ""]
    lines += [f"![{p.stem}](training/{p.name})" for p in sorted(figures.glob("*.png"))]
    out.write_text("\n".join(lines) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Write model cards and reports/training.md.")
    parser.add_argument("--runs", type=Path, default=Path("runs/full"))
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--eval", type=Path, default=Path("reports/eval.json"))
    parser.add_argument("--report", type=Path, default=Path("reports/training.md"))
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    parser.add_argument(
        "--evaluation-only",
        action="store_true",
        help="only refresh the cards' evaluation sections from --eval",
    )
    args = parser.parse_args()
    if args.evaluation_only:
        for path in refresh_evaluation(args.eval, args.models_dir):
            print(f"refreshed {path}")
        return
    for path in write_cards(args.runs, args.corpus, args.eval, args.models_dir):
        print(f"wrote {path}")
    print(f"wrote {write_training_report(args.runs, args.corpus, args.report)}")


if __name__ == "__main__":
    main()
