"""Whether a candidate student replaces the shipped one, judged on the choosing sets only.

    python -m core.lab.distill.ship_check CANDIDATE.npz ... --shipped assets/models/s_tiny.npz

Every file is scored as it stands (seal and part ramps already chosen by seal_choice and
part_choice). A candidate replaces the shipped file when its merit on the choosing sets
(core.lab.eval.choosing_sets) is higher, its merit on the dev set's choose half alone is not
lower, and, on the choose half, neither its lip-gap correlation with the teacher nor its
rounding AUC (core.lab.eval.mouth_shape) falls more than SHAPE_SLACK under the shipped file's.
Merit counts closures alone: fine-tunes that won on it rounded the lips less than the file they
started from, and a student must keep the teacher's mouth shapes as well as its closures. Three
of the four choosing sets are one held-out Kokoro voice: a fine-tune on nine voices of its
family won their plain mean while closing more often everywhere on real speech
(reports/training_log.md), so the real speech weighs half of the merit and must not lose on its
own. The report half is never read. Speed is not checked here: a candidate with more weights
than the shipped file must also keep the issue's floor in `make bench` (a wider S-tiny that
passed this check ran under it; reports/training_log.md).

Each line also gives the rounding AUC of the pose head alone (seal and part ramps off): where
it is much higher, the rounding is lost to seals on rounded sounds (a false closure on /w/
presses the lips, which widens the mouth), not to the pose; and the closure head's
discrimination (closure_auc), what lets a student's seal ramp be both sure and sparing.
"""

import argparse
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ...api import Model, load_model, predict
from ...audio.prepare import SAMPLE_RATE
from ...demohead.head import lip_gap, load_demo_head
from ...phones.closures import phone_frames
from ...runtime.configs import FRAME_RATE, StudentConfig
from ...runtime.student import output_logits, sigmoid
from ..eval.choosing_sets import REAL_SET, choosing_sets, merit, set_merit, set_summaries
from ..eval.mouth_shape import ShapeTally, auc_narrower, mouth_width_mm
from ..eval.scoring import EVAL_FPS

SHAPE_SLACK = 0.01  # the r and AUC a candidate may lose; about one vowel pair in a hundred
NO_SEAL = (1.0, 2.0)  # a seal ramp no probability climbs: the seal stays 0
BILABIAL = frozenset({"P", "B", "M"})
# Near misses: labial, rounded or open vowels next to p/b/m in short words, and labiodentals
NOT_CLOSED = frozenset({"W", "UW", "OW", "AE", "IY", "IH", "EH", "AH", "F", "V"})


@dataclass(frozen=True)
class Standing:
    merit: float
    choose_merit: float  # on the choose half alone: real speech
    gap_r: float
    rounding_auc: float
    rounding_contrast_mm: float
    pose_rounding_auc: float  # the pose head's alone, without seal or parting
    closure_auc: float  # P(a p/b/m's closure probability peaks above a near miss's)

    def line(self, name: str) -> str:
        return (
            f"{name}: merit {self.merit:.2f}; choose half: merit {self.choose_merit:.2f}, "
            f"lip gap r {self.gap_r:.3f}, rounding "
            f"contrast {self.rounding_contrast_mm:.2f} mm, AUC {self.rounding_auc:.3f} "
            f"(pose head alone {self.pose_rounding_auc:.3f}), closure AUC {self.closure_auc:.3f}"
        )


def replaces(candidate: Standing, shipped: Standing) -> bool:
    """The rule above."""
    return (
        candidate.merit > shipped.merit
        and candidate.choose_merit >= shipped.choose_merit
        and candidate.gap_r >= shipped.gap_r - SHAPE_SLACK
        and candidate.rounding_auc >= shipped.rounding_auc - SHAPE_SLACK
    )


def _gap_mm(animation, head):
    return lip_gap(animation.weights, animation.channel_names, head) * 1000.0


def _animation(model: Model, clip):
    return predict(model, clip.audio, SAMPLE_RATE, fps=EVAL_FPS, smoothing=True)


def _shapes(model: Model, clips: list, teacher_gaps: list, head) -> dict:
    tally = ShapeTally()
    for clip, reference in zip(clips, teacher_gaps, strict=True):
        animation = _animation(model, clip)
        width = mouth_width_mm(animation.weights, animation.channel_names, head)
        tally.add(_gap_mm(animation, head), reference, width, clip.phones, EVAL_FPS)
    return tally.summary()


def pose_head_only(model: Model) -> Model:
    """A student as its pose head alone: no seal, no parting."""
    if not isinstance(model.config, StudentConfig):
        return model
    config = replace(model.config, seal_ramp=NO_SEAL, part_ramp=None)
    return Model(replace(model.file, config=config))


def closure_auc(model: Model, clips: list) -> float:
    """Over the clips' phones, P(the highest closure probability within a p/b/m exceeds that
    within a NOT_CLOSED phone), ties half; nan for a model without a student's closure head."""
    config = model.config
    if not isinstance(config, StudentConfig) or not config.closure_head:
        return float("nan")
    peaks = {True: [], False: []}
    for clip in clips:
        logits = output_logits(config, model.file.weights, clip.audio)
        probability = sigmoid(logits[:, len(config.channels)])
        for phone in clip.phones:
            if phone.label in BILABIAL | NOT_CLOSED:
                frames = phone_frames(phone.start_s, phone.end_s, FRAME_RATE, len(probability))
                peaks[phone.label in BILABIAL].append(probability[frames].max())
    # auc_narrower(a, b) = P(a < b)
    return auc_narrower(np.array(peaks[False]), np.array(peaks[True]))


def standing(model: Model, sets: dict[str, list], teacher_gaps: list, head) -> Standing:
    """A loaded student's merit over the choosing sets and its mouth shapes on the choose half;
    teacher_gaps: the teacher's lip gap (mm) per choose-half clip."""
    shape = _shapes(model, sets[REAL_SET], teacher_gaps, head)
    pose = _shapes(pose_head_only(model), sets[REAL_SET], teacher_gaps, head)
    summaries = set_summaries(model, sets, head)
    return Standing(
        merit(summaries),
        set_merit(summaries[REAL_SET]),
        shape["gap_r"],
        shape["rounding_auc"],
        shape["rounding_contrast_mm"],
        pose["rounding_auc"],
        closure_auc(model, sets[REAL_SET]),
    )


def main(argv: list[str] | None = None) -> int:
    from ..eval.devset import DEFAULT_DIR

    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.ship_check", description=__doc__
    )
    parser.add_argument("candidates", nargs="+", type=Path)
    parser.add_argument("--shipped", type=Path, required=True)
    parser.add_argument("--teacher", type=Path, default=Path("assets/models/teacher.npz"))
    parser.add_argument("--devset", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    args = parser.parse_args(argv)
    head = load_demo_head()
    sets = choosing_sets(args.devset, args.corpus)
    teacher = load_model(args.teacher)
    teacher_gaps = [_gap_mm(_animation(teacher, clip), head) for clip in sets[REAL_SET]]
    shipped = standing(load_model(args.shipped), sets, teacher_gaps, head)
    print(shipped.line(f"{args.shipped.name} (shipped)"))
    for path in args.candidates:
        mine = standing(load_model(path), sets, teacher_gaps, head)
        verdict = "replaces it" if replaces(mine, shipped) else "does not replace it"
        print(mine.line(path.name) + f"  -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
