"""Choose each student's seal ramp on the dev set's choose half and keep it in its model file.

    python -m core.distill.seal_choice assets/models/s0.npz assets/models/s_tiny.npz ...

A student learns the teacher's closure probability with cross-entropy and hedges: on real
speech its probability at a p/b/m often peaks well under the teacher's seal ramp (0.35 -> 0.65),
so the same rule seals too few closures. Each phone-aware student gets the ramp of RAMPS that
scores best on the CHOOSE half by the rule fixed before looking (reports/training_log.md):
PBM within ±40 ms minus false closures on consonants, smoothing on, as `make eval` scores them;
ties go to the higher ramp. The report half is never read here. The ramp is a config field, so
the runtime, streaming and the add-on all seal the same frames.
"""

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

from ..api import Model, predict
from ..audio import SAMPLE_RATE
from ..head import is_closed, lip_gap, load_demo_head
from ..lip_closure import ClosureTally, closure_tally
from ..runtime.configs import StudentConfig
from ..runtime.modelfile import ModelFile, read_model_file, write_model_file

RAMPS = ((0.35, 0.65), (0.2, 0.4), (0.1, 0.3), (0.05, 0.2), (0.03, 0.15), (0.02, 0.1))
HALF = "choose"


@dataclass(frozen=True)
class RampScore:
    ramp: tuple[float, float]
    pbm_40ms_pct: float
    false_consonant_pct: float
    false_vowel_pct: float

    @property
    def merit(self) -> float:
        return self.pbm_40ms_pct - self.false_consonant_pct


def score_ramp(model_file: ModelFile, ramp: tuple[float, float], clips) -> RampScore:
    """Closure metrics of the model with its seal ramp set to `ramp`, over dev clips."""
    model = Model(replace(model_file, config=replace(model_file.config, seal_ramp=ramp)))
    demo, tally = load_demo_head(), ClosureTally()
    for clip in clips:
        animation = predict(model, clip.audio, SAMPLE_RATE, fps=60.0, smoothing=True)
        closed = is_closed(lip_gap(animation.weights, animation.channel_names, demo))
        tally.merge(closure_tally(closed, 60.0, clip.phones))
    s = tally.summary()
    return RampScore(ramp, s["pbm_40ms_pct"], s["false_closure_consonant_pct"],
                     s["false_closure_vowel_pct"])  # fmt: skip


def choose_ramp(model_file: ModelFile, clips) -> tuple[RampScore, list[RampScore]]:
    """The best of RAMPS by merit (ties: the higher ramp, listed first), and every score."""
    scores = [score_ramp(model_file, ramp, clips) for ramp in RAMPS]
    best = max(scores, key=lambda s: (round(s.merit, 6), -RAMPS.index(s.ramp)))
    return best, scores


def apply_choice(path: Path, clips) -> tuple[RampScore, list[RampScore]]:
    """Rewrite a student model file with its chosen ramp (weights and card unchanged)."""
    model_file = read_model_file(path)
    if not isinstance(model_file.config, StudentConfig) or not model_file.config.closure_head:
        raise ValueError(f"{path}: not a student with a closure head.")
    best, scores = choose_ramp(model_file, clips)
    config = replace(model_file.config, seal_ramp=best.ramp)
    write_model_file(path, model_file.name, config, model_file.weights, model_file.card,
                     model_file.dtype)  # fmt: skip
    return best, scores


def main(argv: list[str] | None = None) -> int:
    from ..eval.devset import load_devset
    from ..eval.devset_split import split_clips

    parser = argparse.ArgumentParser(prog="python -m core.distill.seal_choice", description=__doc__)
    parser.add_argument("models", nargs="+", type=Path)
    args = parser.parse_args(argv)
    clips = split_clips(load_devset())[HALF]
    for path in args.models:
        best, scores = apply_choice(path, clips)
        for s in scores:
            mark = "  <- chosen" if s is best else ""
            print(f"{path.name}: ramp {s.ramp[0]:g}-{s.ramp[1]:g}: PBM ±40 ms "
                  f"{s.pbm_40ms_pct:.1f} %, false cons. {s.false_consonant_pct:.1f} %, "
                  f"vowels {s.false_vowel_pct:.1f} %{mark}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
