"""Choose each student's seal ramp on the choosing sets and keep it in its model file.

    python -m core.lab.distill.seal_choice assets/models/s_tiny.npz ... [--devset D] [--corpus C]

A student learns the teacher's closure probability with cross-entropy and hedges where the audio
is unclear: in a room, under noise or in running speech its probability near a p/b/m spreads
over several frames and peaks well under the teacher's seal ramp (0.35 -> 0.65), so the
teacher's rule seals too few of its closures. Each phone-aware student seals from its own ramp.

The rule: every ramp of RAMPS is scored on the choosing sets (core.lab.eval.choosing_sets: the dev
set's choose half, and the held-out Kokoro voices clean, in a room and under noise), smoothing
on, with the part ramp off (core.lab.distill.part_choice chooses it after). Of the ramps that keep
the model at rest on the five quiet signals (if none does, all of them), the one with the best
merit (choosing_sets.merit: PBM within 40 ms minus false consonant closures, the choose half
weighing as much as the three Kokoro sets together) wins; ties go to the higher ramp. The report
half is never read.

Event-level merit rather than frame matching with the teacher: frame matching counts how long
the lips stay sealed, not whether each p/b/m seals at all (reports/training_log.md). The ramp is
a config field, so the runtime, streaming and the add-on all seal the same frames.
"""

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from ...runtime.configs import StudentConfig
from ...runtime.modelfile import ModelFile, read_model_file, write_model_file
from ..eval.choosing_sets import choosing_sets, merit, set_summaries
from .export import with_seal_note

RAMPS = ((0.35, 0.65), (0.2, 0.4), (0.1, 0.3), (0.05, 0.2), (0.03, 0.15), (0.02, 0.1), (0.01, 0.05))


@dataclass(frozen=True)
class Trial:
    setting: object  # what was tried: a seal ramp, a speech margin
    summaries: dict[str, dict[str, float]]  # choosing set -> closure summary
    rest_shares: tuple[float, ...]  # per quiet signal

    @property
    def rests(self) -> bool:
        from ..eval.rest_pose import rests_everywhere

        return rests_everywhere(self.rest_shares)

    @property
    def merit(self) -> float:
        return merit(self.summaries)


def choose(scores: list[Trial]) -> Trial:
    """The rule above: resting settings first, then merit; ties to the earlier setting (the
    higher ramp)."""
    candidates = [s for s in scores if s.rests] or scores
    return max(candidates, key=lambda s: (round(s.merit, 6), -scores.index(s)))


def score_settings(model_file: ModelFile, sets: dict[str, list], configs: dict) -> list[Trial]:
    """Each setting -> config of `configs` on one model: closures on each choosing set, rest on
    quiet signals."""
    from ...api import Model
    from ...demohead.head import load_demo_head
    from ..eval.rest_pose import rest_on_silence

    head = load_demo_head()
    scores = []
    for setting, config in configs.items():
        model = Model(replace(model_file, config=config))
        summaries = set_summaries(model, sets, head)
        rest = tuple(r.rest_share for r in rest_on_silence(model, head))
        scores.append(Trial(setting, summaries, rest))
    return scores


def score_ramps(model_file: ModelFile, sets: dict[str, list]) -> list[Trial]:
    """Every ramp of RAMPS on one student, its part ramp off."""
    configs = {r: replace(model_file.config, seal_ramp=r, part_ramp=None) for r in RAMPS}
    return score_settings(model_file, sets, configs)


def apply_choice(path: Path, sets: dict[str, list]) -> tuple[Trial, list[Trial]]:
    """Rewrite a student model file with its chosen seal ramp and its card's line about it (in
    the file and in the .md beside it); weights and part ramp unchanged: choose the part ramp
    again after."""
    model_file = read_model_file(path)
    if not isinstance(model_file.config, StudentConfig) or not model_file.config.closure_head:
        raise ValueError(f"{path}: not a student with a closure head.")
    scores = score_ramps(model_file, sets)
    best = choose(scores)
    config = replace(model_file.config, seal_ramp=best.setting)
    card = with_seal_note(model_file.card, config)
    write_model_file(path, model_file.name, config, model_file.weights, card, model_file.dtype)
    beside = path.with_suffix(".md")
    if beside.exists():
        beside.write_text(with_seal_note(beside.read_text(), config))
    return best, scores


def score_line(name: str, score: Trial, setting: str) -> str:
    """One trial's figures: per set PBM ±40 ms / false consonant closures, merit, rest."""
    cells = ", ".join(
        f"{set_name} {s['pbm_40ms_pct']:.1f}/{s['false_closure_consonant_pct']:.1f}"
        for set_name, s in score.summaries.items()
    )
    rest = ", ".join(f"{share:.0%}" for share in score.rest_shares)
    return f"{name}: {setting}: {cells}; merit {score.merit:.1f}; rest {rest}"


def main(argv: list[str] | None = None) -> int:
    from ..eval.devset import DEFAULT_DIR

    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.seal_choice", description=__doc__
    )
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    args = parser.parse_args(argv)
    sets = choosing_sets(args.devset, args.corpus)
    for path in args.models:
        best, scores = apply_choice(path, sets)
        for s in scores:
            ramp = f"ramp {s.setting[0]:g}-{s.setting[1]:g}"
            print(score_line(path.name, s, ramp) + ("  <- chosen" if s is best else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
