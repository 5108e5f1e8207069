"""How much of the teacher's lip gap a student's window of audio holds:
`python -m core.lab.studies.window_ceiling [MODEL.npz ...]`.

The teacher hears the whole utterance through Whisper's attention; a student hears only its
window (S-tiny 256 ms either side of the frame, S-lowlat 448 ms before and 64 ms after). Here the
teacher itself hears only such a window: at every 8th frame (STEP) of a set's first 25 clips
(CLIPS), the audio of that window alone (zeros outside it, as at a clip's ends) gives the
teacher's pose at that frame. Its lip gap against the teacher's on the whole clip says how far
any student with that window could follow the teacher if it were as good a listener as Whisper:
the rest of a student's shortfall is its own. The window is rounded out to whole 10 ms frames
(S-lowlat's 64 ms of future: 70 ms), so the teacher hears at least what the student does. Beside
it, each student's gap at the same frames. Lip gaps in mm on the demo head, at the 100 fps model
frames, unsmoothed, pose as it ships (sealed). Writes reports/window_ceiling.md.
"""

import math
from pathlib import Path

import numpy as np

from ...api import Model, load_model
from ...audio.prepare import SAMPLE_RATE
from ...demohead.head import lip_gap
from ...runtime.configs import HOP
from .study_report import run_study
from .teacher_fit import agreement, unseen_sets

STEP = 8  # every 8th frame: the windowed teacher costs a Whisper pass per frame
CLIPS = 25  # the first clips of each set
EXTRA_WINDOWS_MS = ((500, 500),)  # wider than any student's, for the trend


def gap_mm(frames: np.ndarray, model: Model) -> np.ndarray:
    """Demo-head lip gap (T,) in mm of 100 fps frames (T, K)."""
    return lip_gap(frames, model.config.channels) * 1000.0


def frames_in(ms: float) -> int:
    """Whole 100 fps frames that cover ms."""
    return math.ceil(ms * SAMPLE_RATE / 1000 / HOP)


def windowed_gaps(
    teacher: Model, audio: np.ndarray, past: int, future: int, frames: np.ndarray
) -> np.ndarray:
    """The teacher's lip gap at each of `frames` (100 fps indices) hearing only the audio from
    `past` frames before to `future` frames after that frame."""
    before, after = np.zeros(HOP * past, np.float32), np.zeros(HOP * future, np.float32)
    padded = np.concatenate([before, audio, after])
    poses = [teacher.frames(padded[HOP * t : HOP * (t + past + future)])[past] for t in frames]
    return gap_mm(np.stack(poses), teacher)


def measure(students: list[Path], teacher_path: Path, devset: Path, corpus: Path) -> list[str]:
    """The report's rows: per set, the windowed teacher at each window, then each student."""
    teacher = load_model(teacher_path)
    models = [load_model(p) for p in students]
    windows = sorted(
        (frames_in(past), frames_in(future))
        for past, future in {(m.config.past_ms, m.config.future_ms) for m in models}
        | set(EXTRA_WINDOWS_MS)
    )
    rows = []
    for set_name, clips in unseen_sets(devset, corpus).items():
        clips = [a.astype(np.float32) for a in clips[:CLIPS]]
        picked = [(a, np.arange(0, -(-len(a) // HOP), STEP)) for a in clips]
        reference = [gap_mm(teacher.frames(a), teacher)[p] for a, p in picked]
        label = f"{set_name}, {sum(len(p) for _, p in picked)} frames"
        for past, future in windows:
            heard = [windowed_gaps(teacher, a, past, future, p) for a, p in picked]
            fit = agreement(heard, reference)
            heard_ms = f"-{past * 10}/+{future * 10} ms"
            rows.append(f"| {label} | teacher hearing {heard_ms} | {fit.r:.3f} | {fit.mad:.2f} |")
        for model in models:
            fit = agreement([gap_mm(model.frames(a), model)[p] for a, p in picked], reference)
            window = f"-{model.config.past_ms:g}/+{model.config.future_ms:g} ms"
            rows.append(f"| {label} | {model.name} ({window}) | {fit.r:.3f} | {fit.mad:.2f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    columns = ("set", "model", "lip gap r with the teacher", "abs. diff. mm")
    title = "How much of the teacher's lip gap a student's window holds"
    students = ("s_tiny", "s_lowlat", "s0")
    return run_study(argv, "window_ceiling", __doc__, title, columns, measure, students)


if __name__ == "__main__":
    raise SystemExit(main())
