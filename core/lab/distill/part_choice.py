"""Choose each student's part ramp on the dev set's choose half and keep it in its model file.

    python -m core.lab.distill.part_choice assets/models/s0.npz assets/models/s_tiny.npz ...

A phone-aware model's pose head keeps the jaw low on short consonants, where the demo head's
relaxed lips touch: false closures. Its phone head knows it is speech there, so the lips can be
parted where the phone head hears speech and the closure head no closure (core.rig.seal). How
readily is the part ramp (speech probability where parting starts, where it is full); parting
too readily also parts the lips on noise that the phone head takes for speech.

The rule, on the **choose half** only: of PART_RAMPS, those that keep the model at rest on all
five quiet signals (>= 95 % of frames, core.lab.eval.rest_pose; if none does, all of them) and close
no fewer p/b/m than without parting, inside the phone and within 40 ms (parting is meant to
remove false closures, not closures); of those, the one with the best PBM within 40 ms minus
false closures on consonants; ties go to the earlier entry (off, then the
most reluctant). The seal ramp is chosen first (core.lab.distill.seal_choice): parting happens only
where the lips are not sealed. Without the "no fewer p/b/m" condition parting cost p/b/m inside
the phone (reports/training_log.md).
"""

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from ...errors import CorpusError
from ...runtime.modelfile import read_model_file, write_model_file
from .export import PART_NOTE_START, part_note, with_card_line

PART_RAMPS = (None, (0.5, 0.8), (0.3, 0.6), (0.2, 0.4), (0.1, 0.3), (0.05, 0.2))


@dataclass(frozen=True)
class PartScore:
    ramp: tuple[float, float] | None
    pbm_inside_pct: float
    pbm_40ms_pct: float
    false_consonant_pct: float
    false_vowel_pct: float
    rest_shares: tuple[float, ...]  # per quiet signal

    @property
    def rests(self) -> bool:
        from ..eval.rest_pose import rests_everywhere

        return rests_everywhere(self.rest_shares)

    @property
    def merit(self) -> float:
        return self.pbm_40ms_pct - self.false_consonant_pct


def choose(scores: list[PartScore]) -> PartScore:
    """The rule above: resting candidates that keep the p/b/m of scores[0] (off), then merit,
    ties to the earlier one."""
    off = scores[0]
    candidates = [s for s in scores if s.rests] or scores
    candidates = [
        s
        for s in candidates
        if s.pbm_inside_pct >= off.pbm_inside_pct and s.pbm_40ms_pct >= off.pbm_40ms_pct
    ] or [off]
    return max(candidates, key=lambda s: (round(s.merit, 6), -scores.index(s)))


def score_ramps(path: Path, clips) -> list[PartScore]:
    """Every ramp of PART_RAMPS on one model file: closures on the clips, rest on quiet."""
    from ...api import Model
    from ...demohead.head import load_demo_head
    from ..eval.rest_pose import rest_on_silence
    from ..eval.scoring import closure_summary

    head = load_demo_head()
    model_file = read_model_file(path)
    if not getattr(model_file.config, "phones", ()):
        raise ValueError(f"{path}: the model has no phone head to part the lips by.")
    scores = []
    for ramp in PART_RAMPS:
        model = Model(replace(model_file, config=replace(model_file.config, part_ramp=ramp)))
        summary = closure_summary(model, clips, head)
        rest = tuple(r.rest_share for r in rest_on_silence(model, head))
        scores.append(
            PartScore(
                ramp,
                summary["pbm_inside_pct"],
                summary["pbm_40ms_pct"],
                summary["false_closure_consonant_pct"],
                summary["false_closure_vowel_pct"],
                rest,
            )
        )
    return scores


def with_part_note(card: str, ramp: tuple[float, float] | None) -> str:
    """A model card with its part-ramp line replaced (before the "Training:" line; none if off)."""
    return with_card_line(card, PART_NOTE_START, None if ramp is None else part_note(ramp))


def apply_choice(path: Path, clips) -> tuple[PartScore, list[PartScore]]:
    """Rewrite a model file with its chosen part ramp, and its card's line about it (in the file
    and in the .md beside it); the weights are unchanged."""
    scores = score_ramps(path, clips)
    best = choose(scores)
    model_file = read_model_file(path)
    config = replace(model_file.config, part_ramp=best.ramp)
    card = with_part_note(model_file.card, best.ramp)
    write_model_file(path, model_file.name, config, model_file.weights, card, model_file.dtype)
    beside = path.with_suffix(".md")
    if beside.exists():
        beside.write_text(with_part_note(beside.read_text(), best.ramp))
    return best, scores


def main(argv: list[str] | None = None) -> int:
    from ..eval.devset import DEFAULT_DIR, load_devset
    from ..eval.devset_split import split_clips

    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.part_choice", description=__doc__
    )
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--devset", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    clips = split_clips(load_devset(args.devset))["choose"]
    if not clips:
        raise CorpusError(f"{args.devset}: no choose-half clips; run `make devset`.")
    for path in args.models:
        best, scores = apply_choice(path, clips)
        for s in scores:
            rest = ", ".join(f"{share:.0%}" for share in s.rest_shares)
            mark = "  <- chosen" if s is best else ""
            print(
                f"{path.name}: part {s.ramp}: PBM inside {s.pbm_inside_pct:.1f}, "
                f"±40 {s.pbm_40ms_pct:.1f}, false cons. "
                f"{s.false_consonant_pct:.1f}, vowels {s.false_vowel_pct:.1f}, "
                f"rest {rest}{mark}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
