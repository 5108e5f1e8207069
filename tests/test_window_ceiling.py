"""The window study: the teacher hearing only a window of the clip around each frame."""

from pathlib import Path

import numpy as np
import soundfile

from core.api import load_model
from core.lab.studies.teacher_fit import agreement
from core.lab.studies.window_ceiling import frames_in, gap_mm, windowed_gaps


def test_the_teacher_follows_itself_better_the_more_it_hears():
    """On the sample line: a window wider than the clip gives the whole-clip gaps back (the audio
    is the same, only its place in Whisper's window moves); 30 ms either side loses the shape."""
    audio, rate = soundfile.read(Path(__file__).parents[1] / "assets" / "sample_speech.wav")
    assert rate == 16000
    audio = audio.astype(np.float32)[:48000]
    teacher = load_model("teacher")
    frames = np.arange(10, 300, 20)
    whole = gap_mm(teacher.frames(audio), teacher)[frames]
    assert whole.max() > 5.0  # the lips move on these frames
    wide = windowed_gaps(teacher, audio, 300, 300, frames)
    narrow = windowed_gaps(teacher, audio, 3, 3, frames)
    r_wide, mad_wide, *_ = agreement([wide], [whole])
    r_narrow, mad_narrow, *_ = agreement([narrow], [whole])
    assert r_wide > 0.97 and mad_wide < 0.5
    assert r_narrow < r_wide - 0.1 and mad_narrow > mad_wide


def test_a_window_is_rounded_out_to_whole_frames():
    assert (frames_in(256), frames_in(64), frames_in(448), frames_in(500)) == (26, 7, 45, 50)


def test_a_study_writes_its_report_with_the_docstring_and_its_rows(tmp_path):
    from core.lab.studies.study_report import run_study

    seen = []

    def measure(students, teacher, devset, corpus):
        seen.append((students, teacher.name, devset, corpus))
        return ["| a | b |"]

    doc = "First line.\n\nWhat the study does."
    out = tmp_path / "study.md"
    args = ["x.npz", "--devset", "D", "--corpus", "C", "--out", str(out)]
    assert run_study(args, "study", doc, "Title", ("one", "two"), measure, ("s_tiny",)) == 0
    table = "| one | two |\n|---|---|\n| a | b |\n"
    assert out.read_text() == "# Title\n\nWhat the study does.\n\n" + table
    assert seen == [([Path("x.npz")], "teacher.npz", Path("D"), Path("C"))]
