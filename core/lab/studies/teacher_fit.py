"""How closely each student follows the teacher's lip gap, on speech it learnt from and on speech
it never heard: `python -m core.lab.studies.teacher_fit [MODEL.npz ...]`.

A student that follows the teacher on its own training clips but not on new ones lacks data; one
that does not follow it even there lacks something else (capacity, context, the objective). Lip
gap r (correlation with the teacher's, every frame of every clip pooled, both smoothed as the
add-on keys them) and mean absolute difference, on: the unlabelled real speech of the corpus
(the students learn from the teacher's labels of it), the held-out Kokoro voice (a voice of the
family the students learn from) and the dev set's choose half (unseen English speakers); for each
student as it ships and as its pose head alone (no seal, no parting). The teacher against itself
with its frames 0.25 s later in Whisper's windows, and under white noise 40 dB down, is the
ceiling: how far the same model moves on the same speech; its curve a frame or three late shows
how much of r a timing error alone costs. Beside r: r of the curves' 200 ms means (the syllable-
scale shape, without the fine timing) and the amplitude (the spread of the student's gap over
the teacher's: under 1, a student that opens and closes less). Writes reports/teacher_fit.md.
"""

from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ...api import Model, load_model, predict
from ...demohead.head import lip_gap, load_demo_head
from ..corpus.dataset import iter_corpus
from ..distill.ship_check import pose_head_only
from ..eval.choosing_sets import kokoro_heldout
from ..eval.eval_sets import REAL_V2_CHOOSE, real_halves
from .study_report import run_study

FPS = 60.0
SHIFT_S = 0.25  # the teacher's own frames this much later in its 10 s windows
NOISE_DB = 40.0
UNLABELLED_CLIPS = 150  # drawn at random (seed 0) from the corpus's unlabelled real speech


@cache
def _demo_head():
    return load_demo_head()


def lip_gap_mm(model: Model, audio: np.ndarray) -> np.ndarray:
    """The demo head's lip gap (T,) in mm at FPS, smoothing on, as the add-on keys it."""
    animation = predict(model, audio, 16000, fps=FPS, smoothing=True)
    return lip_gap(animation.weights, animation.channel_names, _demo_head()) * 1000.0


SLOW_S = 0.2  # the moving mean that keeps a syllable's shape and drops the fine timing
LATE_FRAMES = (1, 3)  # the teacher against itself this many frames late


def _moving_mean(curve: np.ndarray) -> np.ndarray:
    width = int(SLOW_S * FPS) | 1
    padded = np.pad(curve, width // 2, mode="edge")  # no dip towards zero at a clip's ends
    return np.convolve(padded, np.ones(width) / width, mode="valid")


class Agreement(NamedTuple):
    r: float  # correlation
    mad: float  # mean absolute difference, mm
    slow_r: float  # correlation of the moving means
    amplitude: float  # standard deviation over the reference's


def agreement(gaps: list[np.ndarray], reference: list[np.ndarray]) -> Agreement:
    """How clip-wise gap curves follow the reference's, every frame pooled."""
    lengths = [min(len(g), len(r)) for g, r in zip(gaps, reference, strict=True)]
    pairs = [(g[:n], r[:n]) for g, r, n in zip(gaps, reference, lengths, strict=True)]
    ours, theirs = (np.concatenate(side) for side in zip(*pairs, strict=True))
    slow_ours, slow_theirs = (
        np.concatenate([_moving_mean(c) for c in side]) for side in zip(*pairs, strict=True)
    )
    return Agreement(
        float(np.corrcoef(ours, theirs)[0, 1]),
        float(np.abs(ours - theirs).mean()),
        float(np.corrcoef(slow_ours, slow_theirs)[0, 1]),
        float(ours.std() / theirs.std()),
    )


def teacher_late(reference: list[np.ndarray], frames: int) -> Agreement:
    """The teacher's own curves against themselves `frames` later: what that timing error costs."""
    return agreement([g[frames:] for g in reference], [g[:-frames] for g in reference])


def unseen_sets(devset: Path, corpus: Path) -> dict[str, list[np.ndarray]]:
    """Audio of the two sets no student learnt from: a held-out Kokoro voice, unseen speakers."""
    return {
        "held-out Kokoro voice": [u.audio for u in kokoro_heldout(corpus)],
        "dev set v2, choose half (unseen)": [
            i.audio for i in real_halves(devset, None)[REAL_V2_CHOOSE]
        ],
    }


def clip_sets(devset: Path, corpus: Path) -> dict[str, list[np.ndarray]]:
    """Audio of the three sets, in the order the report lists them."""
    unlabelled = [u.audio for u in iter_corpus(corpus / "unlabelled") if not u.augmentation]
    picked = np.random.default_rng(0).choice(
        len(unlabelled), min(UNLABELLED_CLIPS, len(unlabelled)), replace=False
    )
    learnt_from = {"unlabelled real speech (learnt from)": [unlabelled[i] for i in picked]}
    return learnt_from | unseen_sets(devset, corpus)


def teacher_against_itself(
    teacher: Model, clips: list[np.ndarray], reference: list[np.ndarray]
) -> dict[str, Agreement]:
    """The ceiling rows: the teacher on the same speech moved in its windows, and under noise,
    against its own gaps on the clips (`reference`)."""
    pad = int(SHIFT_S * 16000)
    later = [
        lip_gap_mm(teacher, np.concatenate([np.zeros(pad, np.float32), a]))[int(SHIFT_S * FPS) :]
        for a in clips
    ]
    rng = np.random.default_rng(0)
    level = 10 ** (-NOISE_DB / 20)
    noisy = [
        lip_gap_mm(teacher, a + level * np.sqrt(np.mean(a**2)) * rng.standard_normal(len(a)))
        for a in clips
    ]
    late = {
        f"teacher, its own curve {k} frame{'s' if k > 1 else ''} ({k * 1000 / FPS:.0f} ms) late": (
            teacher_late(reference, k)
        )
        for k in LATE_FRAMES
    }
    return {
        f"teacher, its frames {SHIFT_S:g} s later in its windows": agreement(later, reference),
        f"teacher, white noise {NOISE_DB:g} dB under the speech": agreement(noisy, reference),
    } | late


def measure(students: list[Path], teacher_path: Path, devset: Path, corpus: Path) -> list[str]:
    """The report's table rows, one per set and model."""
    teacher = load_model(teacher_path)
    lines = []
    for set_name, clips in clip_sets(devset, corpus).items():
        reference = [lip_gap_mm(teacher, a) for a in clips]
        seconds = sum(len(a) for a in clips) / 16000
        for path in students:
            model = load_model(path)
            for label, variant in ((model.name, model), (f"{model.name}, pose alone", None)):
                variant = variant or pose_head_only(model)
                figures = agreement([lip_gap_mm(variant, a) for a in clips], reference)
                lines.append(_row(f"{set_name} ({seconds:.0f} s)", label, figures))
        if set_name.startswith("dev set"):
            for label, figures in teacher_against_itself(teacher, clips, reference).items():
                lines.append(_row(f"{set_name} ({seconds:.0f} s)", label, figures))
    return lines


def _row(set_name: str, label: str, a: Agreement) -> str:
    return (
        f"| {set_name} | {label} | {a.r:.3f} | {a.slow_r:.3f} | {a.amplitude:.2f} | {a.mad:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    columns = ("set", "model", "lip gap r", "r of 200 ms means", "amplitude", "abs. diff. mm")
    title = "How closely the students follow the teacher's lip gap"
    students = ("s_tiny", "s_lowlat", "s0")
    return run_study(argv, "teacher_fit", __doc__, title, columns, measure, students)


if __name__ == "__main__":
    raise SystemExit(main())
