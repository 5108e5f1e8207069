"""The robustness suite of `make eval`: every model under every condition of
core.lab.eval.robustness_conditions, on the dev set's report half and the held-out Kokoro voices.

Smoothing on, scored like the main table (PBM within ±40 ms, inside the phone, false closures).
Predictions go through the prediction cache (an item id carries its condition, and the cache
keys the audio too), so a rerun scores only what changed. Rhubarb is not in the suite: one run
per clip took about five times the clip's length on the 2-core machine (start-up included), so
the suite's sixteen conditions of the report half (about two hours of audio) would take about
ten hours per mode.
"""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ...errors import CorpusError
from .robustness_conditions import CONDITIONS, apply_condition
from .scoring import EvalItem, score_set

KOKORO_SET = "Kokoro held-out voices"
KOKORO_CLIPS = 60  # spread over the held-out voices
SUITE_METRICS = (
    "pbm_40ms_pct",
    "pbm_inside_pct",
    "false_closure_consonant_pct",
    "false_closure_vowel_pct",
    "pbm_count",
    "audio_s",
)


def kokoro_items(corpus_dir: Path) -> tuple[list[EvalItem], str]:
    """Clean held-out Kokoro utterances as items, or none and why."""
    from .choosing_sets import kokoro_heldout

    try:
        utterances = kokoro_heldout(corpus_dir)
    except CorpusError as error:
        return [], str(error)
    step = max(1, -(-len(utterances) // KOKORO_CLIPS))
    chosen = utterances[::step][:KOKORO_CLIPS]
    items = [EvalItem(u.utt_id, u.audio, u.phones, text=u.text) for u in chosen]
    voices = sorted({u.voice for u in chosen})
    return items, (
        f"{len(items)} clean utterances of {len(voices)} voice(s) ({', '.join(voices)}) in "
        f"`{corpus_dir / 'heldout'}`"
    )


def babble_source(items: list[EvalItem]) -> np.ndarray:
    """The speech babble noise is made of: the given clips end to end (N,)."""
    return np.concatenate([item.audio for item in items]).astype(np.float32)


def degraded_items(items: list[EvalItem], condition: str, babble: np.ndarray) -> list[EvalItem]:
    """The items under one condition, each seeded by its own id."""
    if condition == "clean":
        return list(items)
    return [
        dataclasses.replace(
            item,
            item_id=f"{item.item_id}@{condition}",
            audio=apply_condition(item.audio, condition, item.item_id, babble),
        )
        for item in items
    ]


def run_suite(
    models: list,
    sets: dict[str, list[EvalItem]],
    babble: np.ndarray,
    cache,
    head,
    progress: Callable[[str], None] | None = None,
    conditions: tuple[str, ...] = tuple(CONDITIONS),
) -> list[dict]:
    """Rows {"eval_set", "condition", "system", "metrics"} for every set, condition and model."""
    rows = []
    for set_name, items in sets.items():
        for condition in conditions:
            degraded = degraded_items(items, condition, babble)
            for model in models:
                if progress is not None:
                    progress(f"suite: {model.name}, {condition}, {set_name}")
                summary = score_set(cache.predictor(model, True), degraded, head).summary()
                metrics = {key: summary[key] for key in SUITE_METRICS}
                rows.append(
                    {
                        "eval_set": set_name,
                        "condition": condition,
                        "system": model.name,
                        "metrics": metrics,
                    }
                )
    return rows


def _cell(metrics: dict | None) -> str:
    if metrics is None:  # a model carried from a run that had other conditions
        return "–"
    return (
        f"{metrics['pbm_40ms_pct']:.1f} / {metrics['pbm_inside_pct']:.1f} / "
        f"{metrics['false_closure_consonant_pct']:.1f}"
    )


def suite_lines(rows: list[dict], notes: list[str]) -> list[str]:
    """The suite's section of eval.md: one table per set, conditions down, models across."""
    lines = [
        "## Robustness suite (smoothing on)",
        "",
        "Each cell: p/b/m closed within ±40 ms % / inside the phone % / false closures on "
        "consonants %. Conditions (core/lab/eval/robustness_conditions.py): resampled through "
        "8 and 11.025 kHz; telephone band 300-3400 Hz; reverb RT60 0.3 and 0.8 s (a random "
        "room per clip, fixed seed); pink noise and babble (other speakers of the dev set's "
        "choose half) at 25 and 15 dB SNR; MP3 32 kbit/s CBR and Opus about 24 kbit/s "
        "(libsndfile); level -12 dB and +12 dB (clipped at full scale); pitch ±4 semitones, "
        "duration kept (phase vocoder, then resampling; formants move with the pitch). "
        "Rhubarb is not in the suite: too slow here (core/lab/eval/robustness.py says why).",
        "",
        *notes,
    ]
    for set_name in dict.fromkeys(r["eval_set"] for r in rows):
        systems = list(dict.fromkeys(r["system"] for r in rows if r["eval_set"] == set_name))
        cells = {
            (r["condition"], r["system"]): r["metrics"] for r in rows if r["eval_set"] == set_name
        }
        first = next(r for r in rows if r["eval_set"] == set_name)["metrics"]
        lines += [
            "",
            f"### {set_name} ({first['pbm_count']:.0f} p/b/m, {first['audio_s']:.0f} s)",
            "",
            "| condition | " + " | ".join(systems) + " |",
            "|---|" + "---|" * len(systems),
        ]
        for condition in dict.fromkeys(r["condition"] for r in rows if r["eval_set"] == set_name):
            lines.append(
                f"| {condition} | "
                + " | ".join(_cell(cells.get((condition, s))) for s in systems)
                + " |"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Score model files under the suite's conditions on the held-out Kokoro voices only (never
    the report half; babble from the choose half, as in `make eval`), so that candidates can be
    chosen by robustness; each column is named by its file:

        python -m core.lab.eval.robustness A.npz B.npz [--condition "pitch +4 semitones" ...]
    """
    import argparse
    import tempfile

    from ...api import Model
    from ...demohead.head import load_demo_head
    from ...runtime.modelfile import read_model_file
    from .devset import load_devset
    from .devset_split import split_clips
    from .prediction_cache import PredictionCache

    parser = argparse.ArgumentParser(prog="python -m core.lab.eval.robustness")
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--condition", action="append", choices=list(CONDITIONS), default=[])
    args = parser.parse_args(argv)
    items, note = kokoro_items(args.corpus)
    if not items:
        raise SystemExit(note)
    cache = PredictionCache(Path(tempfile.mkdtemp()))
    models = []
    for path in args.models:
        models.append(Model(dataclasses.replace(read_model_file(path), name=path.stem)))
        cache.add(models[-1], path)
    babble = babble_source(split_clips(load_devset())["choose"])
    conditions = tuple(args.condition or CONDITIONS)
    rows = run_suite(models, {KOKORO_SET: items}, babble, cache, load_demo_head(), None, conditions)
    print("\n".join(suite_lines(rows, [f"{KOKORO_SET}: {note}"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
