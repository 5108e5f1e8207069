"""The fidelity and rounding columns of `make eval` (core.lab.eval.mouth_shape), for every system:
each model, the oracle labels and Rhubarb, on the dev set's real halves, smoothing on."""

from collections.abc import Callable

from ...animation import Animation
from ...demohead.head import lip_gap
from .mouth_shape import ShapeTally, mouth_width_mm
from .scoring import EVAL_FPS, EvalItem

Predict = Callable[[EvalItem], Animation]


def shape_rows(
    real_sets: dict[str, list[EvalItem]],
    systems: dict[str, Predict],
    teacher: Predict,
    head,
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Rows {"eval_set", "system", "metrics"} (mouth_shape.ShapeTally.summary) per set and
    system; `teacher` gives the reference lip gap."""
    rows = []
    for set_name, items in real_sets.items():
        reference = {}
        for item in items:
            animation = teacher(item)
            reference[item.item_id] = (
                lip_gap(animation.weights, animation.channel_names, head) * 1000.0
            )
        for name, predict in systems.items():
            if progress is not None:
                progress(f"mouth shape: {name}, {set_name}")
            tally = ShapeTally()
            for item in items:
                animation = predict(item)
                gap_mm = lip_gap(animation.weights, animation.channel_names, head) * 1000.0
                width_mm = mouth_width_mm(animation.weights, animation.channel_names, head)
                tally.add(gap_mm, reference[item.item_id], width_mm, item.phones, EVAL_FPS)
            rows.append({"eval_set": set_name, "system": name, "metrics": tally.summary()})
    return rows


def _num(value: float, digits: int) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def shape_lines(rows: list[dict], note: str) -> list[str]:
    """The section of eval.md: one table per set."""
    lines = [
        "## Fidelity to the teacher and rounding (smoothing on)",
        "",
        "Lip gap r and |Δ| mm: correlation and mean absolute difference of the demo head's "
        "midline lip gap with the teacher's on the same clip, over frames inside speech phones. "
        "Rounding: mouth width (distance between the demo head's mouth corners) at the middle "
        "third of each rounded vowel (/w uw ow uh/) and spread vowel (/iy ih ey eh ae/); "
        "contrast = spread minus rounded mean in mm (positive: rounded narrower), AUC = share "
        "of (rounded, spread) pairs with the rounded one narrower "
        "(core/lab/eval/mouth_shape.py).",
    ]
    if note:
        lines += ["", note]
    for set_name in dict.fromkeys(r["eval_set"] for r in rows):
        members = [r for r in rows if r["eval_set"] == set_name]
        first = members[0]["metrics"]
        lines += [
            "",
            f"### {set_name} ({first['rounded_n']:.0f} rounded, {first['spread_n']:.0f} spread "
            "vowels)",
            "",
            "| system | lip gap r | lip gap abs. diff. mm | rounding contrast mm | rounding AUC |",
            "|---|---|---|---|---|",
        ]
        for row in members:
            m = row["metrics"]
            lines.append(
                f"| {row['system']} | {_num(m['gap_r'], 3)} | {_num(m['gap_mad_mm'], 2)} | "
                f"{_num(m['rounding_contrast_mm'], 2)} | {_num(m['rounding_auc'], 3)} |"
            )
    return lines
