"""Score student run folders or model files on the dev set's CHOOSE half, and at rest on silence.

    python -m core.lab.distill.score_students runs/full/s_tiny assets/models/s_tiny.npz
    python -m core.lab.distill.score_students assets/models/s_tiny.npz --half kokoro-heldout
    python -m core.lab.distill.score_students MODEL.npz --half kokoro-heldout --degrade reverb

For choosing between runs, checkpoints and rules during training without a whole `make eval`:
the same closure metrics (60 fps, smoothing on, demo-head lip gap under 1 mm) and the same quiet
signals as reports/eval.md. Only the choose half is read by default; the report half is for
reporting. `--half kokoro-heldout` scores the Kokoro voices no model trains on (the corpus's
heldout/ split, forced-aligned phones): running English speech in volume, which the choose half
(mostly single words) lacks. `--degrade reverb|noise|lowpass` scores the same clips under a
fixed room or channel (core.lab.eval.degrade): how robust a model is, where the students lose.
`--choosing` scores every choosing set (core.lab.eval.choosing_sets) and gives each model's merit,
by which checkpoints are chosen.
"""

import argparse
import tempfile
from pathlib import Path

from ...api import Model, load_model
from ...demohead.head import load_demo_head
from ..eval.choosing_sets import (
    choosing_sets,
    degraded,
    kokoro_heldout,
    merit,
    set_merit,
    set_summaries,
)
from ..eval.degrade import DEGRADATIONS
from ..eval.devset import DEFAULT_DIR, load_devset
from ..eval.devset_split import split_clips
from ..eval.rest_pose import rest_on_silence
from ..eval.scoring import closure_cells, closure_summary


def as_model(source: Path) -> Model:
    """A model file as is; a run folder's checkpoint exported to a temporary file first."""
    if source.suffix == ".npz":
        return load_model(source)
    from .export import export_checkpoint

    out = Path(tempfile.mkdtemp()) / f"{source.name}.npz"
    export_checkpoint(source / "checkpoint.pt", out, name=source.name)
    return load_model(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--half", default="choose", help="choose, report or kokoro-heldout")
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--degrade", choices=DEGRADATIONS, help="score under this degradation")
    parser.add_argument("--choosing", action="store_true", help="every choosing set, and merit")
    args = parser.parse_args()
    if args.choosing:
        return score_choosing(args.sources, choosing_sets(DEFAULT_DIR, args.corpus))
    if args.half == "kokoro-heldout":
        clips = kokoro_heldout(args.corpus)
    else:
        clips = split_clips(load_devset())[args.half]
    if args.degrade:
        clips = degraded(clips, args.degrade)
    label = f"{args.half} half" + (f", {args.degrade}" if args.degrade else "")
    print(
        f"| model ({label}) | PBM inside | PBM ±40 ms | false cons. | false vowels "
        "| at rest on the 5 quiet signals % |"
    )
    print("|---|---|---|---|---|---|")
    for source in args.sources:
        model = as_model(source)
        s = closure_summary(model, clips, load_demo_head())
        rest = ", ".join(f"{r.rest_share:.0%}" for r in rest_on_silence(model, load_demo_head()))
        print(f"| {source} | {closure_cells(s)} | {rest} |")
    return 0


def score_choosing(sources: list[Path], sets: dict[str, list]) -> int:
    """A table of PBM ±40 ms / false consonant closures per choosing set, merit and rest."""
    print(f"| model | {' | '.join(sets)} | merit | at rest on the 5 quiet signals % |")
    print("|---" * (len(sets) + 3) + "|")
    head = load_demo_head()
    for source in sources:
        model = as_model(source)
        summaries = set_summaries(model, sets, head)
        cells = " | ".join(
            f"{s['pbm_40ms_pct']:.1f} / {s['false_closure_consonant_pct']:.1f} ({set_merit(s):.1f})"
            for s in summaries.values()
        )
        rest = ", ".join(f"{r.rest_share:.0%}" for r in rest_on_silence(model, head))
        print(f"| {source} | {cells} | {merit(summaries):.1f} | {rest} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
