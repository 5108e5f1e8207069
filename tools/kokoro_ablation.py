"""Does the Kokoro part of the corpus help on real speech? One student with it, one without.

    .venv/bin/python tools/kokoro_ablation.py --pseudo runs/continue/pseudo \
        --out runs/kokoro_ablation [--steps 2500]

Both students are S-tiny trained from scratch on the teacher's pseudo-labels without S0
features (the s_tiny_nofeat recipe: the cheapest that still distils), same seed, same steps,
same settings; the only difference is whether the pseudo-labelled Kokoro shards are in the
training folder. They are exported as s_tiny_nofeat_with_kokoro / s_tiny_nofeat_without_kokoro
under --out, where `make eval` finds them and scores them on the real dev set.
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.audio import SAMPLE_RATE  # noqa: E402
from core.corpus.dataset import list_shards, shard_engine  # noqa: E402
from core.distill.export import export_checkpoint  # noqa: E402
from core.distill.recipes import RECIPES, settings_for  # noqa: E402
from core.distill.train import CHECKPOINT, train  # noqa: E402

RECIPE = "s_tiny_nofeat"


def training_folder(pseudo: Path, out: Path, with_kokoro: bool) -> tuple[Path, dict]:
    """A folder of links to the pseudo-labelled shards of one variant, and what it holds."""
    folder = out / ("with_kokoro" if with_kokoro else "without_kokoro") / "data"
    folder.mkdir(parents=True, exist_ok=True)
    hours: dict[str, float] = {}
    for shard in list_shards(pseudo):
        engine = shard_engine(shard)
        if engine == "kokoro" and not with_kokoro:
            continue
        link = folder / shard.name
        if not link.exists():
            link.symlink_to(shard.resolve())
        with np.load(shard, allow_pickle=False) as arrays:
            seconds = int(arrays["audio_offsets"][-1]) / SAMPLE_RATE
        hours[engine] = hours.get(engine, 0.0) + seconds / 3600
    return folder, hours


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pseudo", type=Path, default=Path("runs/continue/pseudo"))
    parser.add_argument("--out", type=Path, default=Path("runs/kokoro_ablation"))
    parser.add_argument("--steps", type=int, default=0, help="default: the recipe's schedule")
    parser.add_argument("--variant", choices=("with", "without"), action="append", default=[])
    args = parser.parse_args()
    recipe, settings = RECIPES[RECIPE], settings_for(RECIPE, smoke=False)
    settings = replace(settings, steps=args.steps or settings.steps)
    for variant in args.variant or ("without", "with"):
        data, hours = training_folder(args.pseudo, args.out, variant == "with")
        if variant == "with" and "kokoro" not in hours:
            raise SystemExit(f"{args.pseudo}: no pseudo-labelled Kokoro shard to add.")
        name = f"{RECIPE}_{variant}_kokoro"
        described = ", ".join(f"{e} {h:.2f} h" for e, h in sorted(hours.items()))
        print(f"{name}: {described} (clean + augmented copies)")
        run = data.parent
        named = replace(recipe, note=f"{recipe.note}; Kokoro ablation, {variant} Kokoro")
        history = train(named, settings, data, run)
        export_checkpoint(run / CHECKPOINT, run / f"{name}.npz", name=name)
        print(f"{name}: loss {history[0]['total']:.4f} -> {history[-1]['total']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
