"""Transcript mode: dialogue text -> words -> lexicon -> Viterbi alignment on the teacher's phone
posteriors -> the procedural animator, with the model where the text does not fit.

Real speech: assets/sample_speech.wav (LibriVox, 6 s, 11 p/b/m) with its book line
(assets/sample_speech.txt, which lacks one "a" the reader says) and its pocketsphinx phones
(tools/demo/sample_phones.txt).
"""

import csv
from pathlib import Path

import numpy as np
import pytest
import soundfile

from core import api
from core.demohead.head import is_closed, lip_gap, load_demo_head
from core.errors import LipSyncError
from core.transcript.forced_align import align_words, log_softmax
from core.transcript.letter_to_sound import letters_to_phones
from core.transcript.lexicon import load_lexicon, pronounce
from core.transcript.take import trust_frames
from core.transcript.words import number_words, spoken_words

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assets" / "sample_speech.wav"
SAMPLE_TEXT = (ROOT / "assets" / "sample_speech.txt").read_text()
FPS = 60.0
WRONG_LINE = "The quick brown fox jumps over the lazy dog, near the old river bank."


def _sample_phones() -> list[tuple[float, float, str]]:
    rows = (ROOT / "tools" / "demo" / "sample_phones.txt").read_text().split("\n")
    return [(float(s), float(e), p) for s, e, p in (r.split() for r in rows if r.strip())]


@pytest.fixture(scope="module")
def teacher():
    return api.load_model("teacher")


@pytest.fixture(scope="module")
def sample():
    samples, rate = soundfile.read(SAMPLE, dtype="float32")
    return samples, rate


def _closed(animation) -> np.ndarray:
    return is_closed(lip_gap(animation.weights, animation.channel_names, load_demo_head()))


def _closed_bilabials(animation) -> tuple[int, int]:
    """(p/b/m of the sample with a closed frame inside, all of them)."""
    closed = _closed(animation)
    bilabials = [(s, e) for s, e, p in _sample_phones() if p in ("P", "B", "M")]
    hits = sum(closed[int(np.ceil(s * FPS)) : int(np.ceil(e * FPS))].any() for s, e in bilabials)
    return hits, len(bilabials)


def test_numbers_punctuation_and_stage_directions_become_spoken_words():
    words = spoken_words("It's 42 -- the 3rd of May, 1999! [laughs] Pay 3.5 % & go... (beat)")
    assert words == [
        "it's",
        "forty",
        "two",
        "the",
        "third",
        "of",
        "may",
        "nineteen",
        "ninety",
        "nine",
        "pay",
        "three",
        "point",
        "five",
        "percent",
        "and",
        "go",
    ]
    assert number_words(1_250_007) == "one million two hundred fifty thousand seven"
    assert spoken_words("2005 and 1,500") == [
        "two",
        "thousand",
        "five",
        "and",
        "one",
        "thousand",
        "five",
        "hundred",
    ]


def test_non_ascii_text_is_folded_or_dropped_never_a_crash():
    assert spoken_words("Café naïve — “quoted” Zoë’s") == ["cafe", "naive", "quoted", "zoe's"]
    assert spoken_words("日本語のテキスト ¿?") == []
    assert spoken_words("") == []


def test_lexicon_words_and_letter_to_sound_for_the_rest():
    assert len(load_lexicon()) > 100_000
    assert pronounce("bumper").phones == ("B", "AH", "M", "P", "ER")
    assert pronounce("bumper").from_lexicon
    unknown = pronounce("blumpfizzle")
    assert not unknown.from_lexicon and unknown.phones[:2] == ("B", "L")
    assert letters_to_phones("thumb") == ("TH", "AH", "M")  # silent b
    assert letters_to_phones("bomb") == ("B", "AA", "M")  # silent final b
    assert not {"P", "B", "M"} & set(letters_to_phones("xyzzy"))  # no lip closure invented


def test_right_text_places_the_words_where_pocketsphinx_has_them(teacher, sample):
    samples, rate = sample
    take = api.predict_with_text(teacher, samples, rate, FPS, SAMPLE_TEXT)
    words = take.alignment.words
    trusted = [w for w in words if w.confidence >= 0.02]
    assert len(trusted) >= 0.8 * len(words), take.message
    reference = [(s, e) for s, e, p in _sample_phones() if p in ("P", "B", "M")]
    aligned = [(p.start_s, p.end_s) for w in trusted for p in w.phones if p.label in "PBM"]
    overlapping = sum(any(a < e and s < b for a, b in aligned) for s, e in reference)
    assert overlapping >= len(reference) - 1
    hits, total = _closed_bilabials(take.animation)
    assert hits == total, f"{hits} of {total} p/b/m closed"
    assert take.message.startswith("Text aligned:") and take.align_s > 0


def test_a_wrong_line_falls_back_to_the_model_and_says_so(teacher, sample):
    samples, rate = sample
    model_only = api.predict(teacher, samples, rate, FPS)
    take = api.predict_with_text(teacher, samples, rate, FPS, WRONG_LINE)
    assert "does not match" in take.message or "the model animates" in take.message
    assert trust_frames(take.alignment).mean() < 0.15
    difference = np.abs(take.animation.weights - model_only.weights).mean()
    assert difference < 0.01, difference
    hits, total = _closed_bilabials(take.animation)
    assert hits >= _closed_bilabials(model_only)[0] - 1


def test_one_missing_and_one_extra_word_keep_the_rest_aligned(teacher, sample):
    samples, rate = sample
    edited = SAMPLE_TEXT.replace("still more", "more").replace("woman,", "woman, frankly,")
    take = api.predict_with_text(teacher, samples, rate, FPS, edited)
    by_word = {w.word: w for w in take.alignment.words}
    assert "frankly" in take.message  # the extra word is named: not heard or fell back
    assert by_word["respectable"].confidence >= 0.02  # its neighbours are still placed
    hits, total = _closed_bilabials(take.animation)
    assert hits >= total - 1, f"{hits} of {total} p/b/m closed"


def test_empty_or_wordless_text_is_the_model_alone(teacher, sample):
    samples, rate = sample
    model_only = api.predict(teacher, samples, rate, FPS)
    for text in ("", "   ", "¿… —?"):
        take = api.predict_with_text(teacher, samples, rate, FPS, text)
        assert take.alignment is None and take.message == ""
        np.testing.assert_array_equal(take.animation.weights, model_only.weights)


def test_a_student_takes_the_text_with_the_teacher_aligning(teacher, sample):
    samples, rate = sample
    student = api.load_model("s_tiny")
    take = api.predict_with_text(student, samples, rate, 30.0, SAMPLE_TEXT, aligner=teacher)
    assert take.animation.channel_names == student.config.channels
    assert take.animation.frame_count == api.predict(student, samples, rate, 30.0).frame_count
    with pytest.raises(LipSyncError, match="no phone outputs"):
        student.frames_and_phones(samples[:16000])


def test_alignment_without_a_path_or_words_never_raises():
    phone_set = api.load_model("teacher").config.phones
    logits = np.zeros((3, len(phone_set)))
    words = [pronounce(w) for w in spoken_words("many words for three frames of audio")]
    alignment = align_words(log_softmax(logits), phone_set, words)
    assert alignment.n_frames == 3
    assert align_words(log_softmax(logits), phone_set, []).words == ()


def test_cli_predict_with_text_and_text_file(tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "take.csv"
    code = main(
        [
            "predict",
            str(SAMPLE),
            "--model",
            "teacher",
            "--fps",
            "30",
            "--out",
            str(out),
            "--text",
            SAMPLE_TEXT,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err.startswith("text: Text aligned:")
    text_file = tmp_path / "line.txt"
    text_file.write_text(WRONG_LINE, encoding="utf-8")
    json_out = tmp_path / "take.json"
    code = main(
        [
            "predict",
            str(SAMPLE),
            "--model",
            "teacher",
            "--fps",
            "30",
            "--out",
            str(json_out),
            "--text-file",
            str(text_file),
        ]
    )
    assert code == 0
    assert "text:" in capsys.readouterr().err
    import json

    meta = json.loads(json_out.read_text())["metadata"]
    assert meta["text"] == WRONG_LINE and meta["text_alignment"]
    assert (
        main(
            [
                "predict",
                str(SAMPLE),
                "--model",
                "teacher",
                "--fps",
                "30",
                "--out",
                str(out),
                "--text-file",
                str(tmp_path / "missing.txt"),
            ]
        )
        == 2
    )


def test_batch_manifest_text_column_and_report_column(tmp_path):
    from core.batch.manifest import lines_from_manifest
    from core.batch.report import write_report
    from core.batch.worker import run_line

    (tmp_path / "line.wav").write_bytes(SAMPLE.read_bytes())
    manifest = tmp_path / "lines.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["audio", "output", "model", "fps", "text"])
        writer.writerow(["line.wav", "right.csv", "teacher", "30", SAMPLE_TEXT])
        writer.writerow(["line.wav", "none.csv", "teacher", "30", ""])
    lines = lines_from_manifest(manifest, tmp_path / "out", None, 30.0, ".csv")
    assert [line.text for line in lines] == [SAMPLE_TEXT.strip(), ""]
    results = [run_line(line) for line in lines]
    assert [r.status for r in results] == ["ok", "ok"], results
    assert results[0].text_alignment.startswith("Text aligned:")
    assert results[1].text_alignment == ""
    with write_report(tmp_path / "out", results).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["text_alignment"] == results[0].text_alignment
