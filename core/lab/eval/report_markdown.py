"""reports/eval.md: the paper-style table, Rhubarb, rest on silence, the per-phone breakdown,
the plots, and how to read them."""

import math
import os
from dataclasses import dataclass
from pathlib import Path

from ...phones.phone_set import BILABIALS, VOWELS
from .devset import load_devset
from .devset_split import split_lines
from .rest_pose import REST_JAW_OPEN_MAX, REST_SHARE_MIN, SIGNAL_S, SIGNALS, RestScore
from .rows import Row

HEADER = (
    "| set | system | smooth | PBM in % | PBM ±40 ms % | PBM ±20 ms % | false closure cons. % | "
    "false closure vowels % | onset err. ms (bias) | closure dur. ratio | MSE ×1e-3 | "
    "jitter w ×1e-3 (ref) | jitter gap mm (ref) | params | size KB | future ms | speed ×RT |"
)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _num(value: float | None, digits: int = 1, scale: float = 1.0) -> str:
    if _missing(value):
        return "–"
    if math.isinf(value):
        return "whole clip"
    return f"{value * scale:.{digits}f}"


@dataclass(frozen=True)
class Extras:
    """What the report shows beside the results table."""

    rest: dict[str, list[RestScore]]  # model name -> one score per quiet signal
    rhubarb_note: str  # where the Rhubarb rows come from
    unloadable: list[str]  # model files the runtime could not load, with the reason
    report_set: str  # the set the README quotes


def _speed(row: Row) -> str:
    speed_x = None if row.kind == "oracle" else row.metrics.get("realtime_factor")
    return _num(speed_x, 0 if not _missing(speed_x) and speed_x >= 10 else 1)


def _row_line(row: Row, teacher: str | None) -> str:
    m = row.metrics
    smooth = "–" if row.smoothing is None else ("yes" if row.smoothing else "no")
    is_teacher_on_real = row.system == teacher and row.eval_set.startswith("real")
    mse = "ref." if is_teacher_on_real else _num(m.get("mse"), 2, 1e3)
    reference = (
        ""
        if is_teacher_on_real or _missing(m.get("reference_jitter_weights"))
        else (f" ({_num(m['reference_jitter_weights'], 2, 1e3)})")
    )
    reference_gap = "" if reference == "" else f" ({_num(m['reference_jitter_gap_mm'], 3)})"
    cells = [
        row.eval_set,
        row.system,
        smooth,
        _num(m["pbm_inside_pct"]),
        _num(m["pbm_40ms_pct"]),
        _num(m["pbm_20ms_pct"]),
        _num(m["false_closure_consonant_pct"]),
        _num(m["false_closure_vowel_pct"]),
        f"{_num(m['onset_error_ms'], 0)} ({_num(m['onset_bias_ms'], 0)})",
        _num(m["duration_ratio"], 2),
        mse,
        _num(m["jitter_weights"], 2, 1e3) + reference,
        _num(m["jitter_gap_mm"], 3) + reference_gap,
        "–" if row.parameters is None else f"{row.parameters:,}",
        "–" if row.file_size is None else _num(row.file_size / 1024, 0),
        _num(row.future_ms, 0),
        _speed(row),
    ]
    return "| " + " | ".join(cells) + " |"


def _phone_order(label: str) -> tuple[int, str]:
    group = 0 if label in BILABIALS else 2 if label in VOWELS else 1
    return group, label


def _per_phone_lines(per_phone: dict[str, list]) -> list[str]:
    """One row per phone, one column per system (system name -> per_phone_rates table)."""
    systems = list(per_phone)
    counts, rates = {}, {name: {} for name in systems}
    for name, table in per_phone.items():
        for label, count, pct in table:
            counts[label] = count
            rates[name][label] = pct
    lines = ["| phone | n | " + " | ".join(systems) + " |", "|---|---|" + "---|" * len(systems)]
    for label in sorted(counts, key=_phone_order):
        cells = [_num(rates[name].get(label, float("nan")), 0) for name in systems]
        lines.append(f"| {label} | {counts[label]} | " + " | ".join(cells) + " |")
    return lines


def _rest_lines(rest: dict[str, list[RestScore]]) -> list[str]:
    names = [signal.name for signal in SIGNALS]
    lines = ["| model | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for model, scores in rest.items():
        cells = [
            f"**{100 * s.rest_share:.0f}** ({100 * s.lips_closed_share:.0f}; {s.mean_jaw_open:.3f})"
            for s in scores
        ]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return lines


def _unloadable_lines(unloadable: list[str]) -> list[str]:
    if not unloadable:
        return []
    return ["", "Not evaluated, the runtime cannot load them:", *[f"- {u}" for u in unloadable]]


def _split_lines(devset_dir: Path) -> list[str]:
    try:
        return split_lines(load_devset(devset_dir))
    except (OSError, ValueError, KeyError):
        return ["(the dev set could not be read back for the split table)"]


def write_markdown(
    path: Path,
    rows: list[Row],
    per_phone: dict[tuple[str, str], list],
    sets: dict[str, list],
    plots: list[Path],
    devset_dir: Path,
    teacher: str | None,
    extras: Extras,
) -> None:
    """Write the evaluation report (per_phone: (set, system) -> per_phone_rates table)."""
    set_lines = [
        f"- **{name}**: {len(items)} utterances, {sum(len(i.audio) for i in items) / 16000:.1f} s"
        for name, items in sets.items()
    ]
    models = sorted({r.system for r in rows if r.kind not in ("oracle", "rhubarb", "transcript")})
    summary_path = devset_dir / "summary.md"
    devset_summary = summary_path.read_text().split("\n## ")[0] if summary_path.exists() else ""
    per_phone_sets = list(dict.fromkeys(set_name for set_name, _ in per_phone))
    per_phone_sections = []
    for set_name in per_phone_sets:
        table = {name: v for (s, name), v in per_phone.items() if s == set_name}
        per_phone_sections += [f"### {set_name}", "", *_per_phone_lines(table), ""]
    lines = [
        "# Evaluation",
        "",
        "Generated by `make eval` (`python -m core.lab.eval.report`). Metric definitions: "
        "`core/phones/closures.py` (closures) and `core/lab/eval/metrics.py` (MSE, jitter). "
        "Lips count as closed when the demo head's midline lip gap is under 1 mm "
        "(`core.demohead.head.is_closed`); curves are scored at 60 fps.",
        "",
        "## Sets",
        "",
        *set_lines,
        "",
        "The real dev set is split by speaker (`core/lab/eval/devset_split.py`, docs/devset.md): "
        "recipes and thresholds may be chosen on the **choose half**; the **report half** is "
        f"only reported, and the README quotes it (`{extras.report_set}`).",
        "",
        *_split_lines(devset_dir),
        "",
        f"Models found: {', '.join(models) if models else 'none (only the oracle row)'}."
        + (f" Teacher for the real-speech MSE reference: `{teacher}`." if teacher else ""),
        *_unloadable_lines(extras.unloadable),
        "",
        "## Results",
        "",
        HEADER,
        "|" + "---|" * (HEADER.count("|") - 1),
        *[_row_line(row, teacher) for row in rows],
        "",
        "How to read it: PBM = share of P/B/M phones whose lips reach closed inside the phone "
        "(and within ±40/±20 ms). False closure = closed lips on consonants / vowels more than "
        "40 ms from any bilabial. Onset error = mean |closure onset − bilabial start| on "
        "bilabials after speech, median signed bias in brackets (negative = early). Duration "
        "ratio = closed time / phone time (median, 1 is ideal). MSE: against the procedural "
        "labels on synthetic speech, against the teacher's output (same smoothing) on real "
        "speech. Jitter = mean |second difference| per 60 fps frame of the weights and of "
        "the lip gap; the reference's own in brackets. Future ms = future audio a frame needs "
        "plus 16.7 ms when ensemble smoothing is on. Speed = seconds of audio per second of "
        "compute, best of 3 runs on the first 10 s of the dev set as one clip, numpy, on the "
        "machine that ran the report (on a shared machine it varies; compare rows of one run). "
        "Synthetic rows time the whole set once (when it was first predicted).",
        "",
        "## Rhubarb Lip Sync 1.14.0 (the anchor)",
        "",
        f"Rows {extras.rhubarb_note}. Rhubarb runs once per clip with the pocketSphinx "
        "recogniser and `--threads 1` (deterministic), without and with the clip's transcript "
        "(`-d`, which biases recognition; it is not a forced alignment), and is scored with "
        "the same code as the models (`core/lab/eval/rhubarb.py`). Its mouth shapes become weights "
        "as in the build's README: A and X = rest (the demo head's lips meet), B jawOpen .1, "
        "C .3, D .6, E jawOpen .25 + mouthFunnel .3, F mouthFunnel .4, G mouthRollLower .6 "
        "(lips measure closed), H jawOpen .3. Speed: audio seconds over wall seconds, one "
        "process per clip, model loading (~1 s) included. Caveats: the dev-set phones come "
        "from pocketsphinx forced alignment, the CMU Sphinx family Rhubarb recognises with "
        "(this probably flatters its timing, most with `-d`); X (rest) reaching a frame into "
        "the phones at the edges of speech and G on F/V count as false closures.",
        "",
        "## Rest on silence (smoothing on)",
        "",
        f"Each model is fed {SIGNAL_S:.0f} s of each quiet signal (`core/lab/eval/rest_pose.py`). "
        "Cells: **% of 60 fps frames at rest** (lips together, lip gap under 1 mm, and jawOpen "
        f"≤ {REST_JAW_OPEN_MAX}), then in brackets % of frames with the lips together (jaw "
        "open or not) and the mean jawOpen. Target (issue 16, tests/test_rest_on_silence.py): "
        f"≥ {100 * REST_SHARE_MIN:.0f} % at rest for every shipped model.",
        "",
        *_rest_lines(extras.rest),
        "",
        "## Per-phone closure breakdown (real dev set, smoothing on)",
        "",
        "Share of phones (%) with at least one closed frame inside the phone.",
        "",
        *per_phone_sections,
        "## Lip gap plots (real speech)",
        "",
        *[f"![{p.stem}]({os.path.relpath(p, path.parent)})" for p in plots],
        "",
        "## Dev set",
        "",
        devset_summary.replace("# Real-speech", "Real-speech", 1),
    ]
    path.write_text("\n".join(lines) + "\n")
