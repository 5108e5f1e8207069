"""Corpus closure rate: label arrays read without audio, counts per voice, report, command line."""

import numpy as np
import pytest

from core.demohead.head import is_closed, lip_gap
from core.errors import CorpusError
from core.lab.corpus.dataset import LABEL_FPS, Utterance, read_shard, write_shard
from core.lab.studies.closure_rate import (
    corpus_shards,
    main,
    measure,
    missed_bilabials,
    read_shard_labels,
    report_markdown,
    wrong_closures,
)
from core.phones.animator import animate
from core.phones.phone_set import Phone
from core.rig.arkit import LOWER_FACE

JAW = LOWER_FACE.index("jawOpen")


def _phones(spec: list[tuple[str, float]]) -> tuple[Phone, ...]:
    """Phones from (label, ms) pairs laid end to end."""
    phones, t = [], 0.0
    for label, ms in spec:
        phones.append(Phone(t, t + ms / 1000, label))
        t += ms / 1000
    return tuple(phones)


# "bob, dad": two B and two D intervals.
SPEC = [
    ("SIL", 200),
    ("B", 70),
    ("AA", 150),
    ("B", 60),
    ("D", 80),
    ("AE", 150),
    ("D", 80),
    ("SIL", 200),
]


def _utterance(utt_id: str, voice: str, weights: np.ndarray, augmentation: str = "") -> Utterance:
    phones = _phones(SPEC)
    audio = np.zeros(int(phones[-1].end_s * 16000), np.float32)
    return Utterance(utt_id, audio, weights, phones, "bob dad", "espeak", voice, "en", augmentation)


def _animated() -> np.ndarray:
    phones = _phones(SPEC)
    return animate(phones, phones[-1].end_s, LABEL_FPS).astype(np.float32)  # (T, 29)


def _always_open() -> np.ndarray:
    weights = np.zeros_like(_animated())
    weights[:, JAW] = 0.5  # lips ~16 mm apart on every frame
    return weights


def _always_closed() -> np.ndarray:
    return np.zeros_like(_animated())  # rest pose: lips touch (0.24 mm)


@pytest.fixture
def corpus(tmp_path):
    """train/: one voice animated properly, one voice never closing; heldout/: always closed."""
    write_shard(
        tmp_path / "train" / "shard-00000-espeak-good.npz",
        [
            _utterance("good-0", "good", _animated()),
            _utterance("good-1", "good", _animated(), augmentation="noise"),
        ],
    )
    write_shard(
        tmp_path / "train" / "shard-00001-espeak-open.npz",
        [_utterance("open-0", "open", _always_open())],
    )
    write_shard(
        tmp_path / "heldout" / "shard-00002-espeak-shut.npz",
        [_utterance("shut-0", "shut", _always_closed())],
    )
    return tmp_path


def test_label_reader_matches_the_full_shard_reader(corpus):
    path = corpus / "train" / "shard-00000-espeak-good.npz"
    labelled = list(read_shard_labels(path, "train"))
    full = list(read_shard(path))
    assert [u.utt_id for u in labelled] == [u.utt_id for u in full]
    for mine, theirs in zip(labelled, full, strict=True):
        np.testing.assert_array_equal(mine.weights, theirs.weights)
        assert mine.phones == theirs.phones and mine.voice == theirs.voice == "good"
        assert mine.augmented == bool(theirs.augmentation) and mine.split == "train"


def test_counts_per_voice_and_split(corpus):
    result = measure(corpus, progress=False)
    by_voice = {key[0][2]: counts for key, counts in result.counts.items() if not key[1]}
    good, never_open, shut = by_voice["good"], by_voice["open"], by_voice["shut"]
    assert (good.bilabials, good.bilabials_closed) == (2, 2)
    assert (good.open_phones, good.open_closed_middle) == (2, 0)
    assert (never_open.bilabials, never_open.bilabials_closed) == (2, 0)
    assert (shut.open_phones, shut.open_closed_middle, shut.open_closed_any) == (2, 2, 2)
    augmented = result.counts[(("train", "espeak", "good", "en"), True)]
    assert (augmented.bilabials, augmented.bilabials_closed) == (2, 2)
    total = result.total()
    assert (total.bilabials, total.bilabials_closed) == (8, 6)
    assert result.total(augmented=False).bilabials == 6 and result.shards == 3
    assert [(utt, p.label) for utt, p in result.misses] == [("open-0", "B"), ("open-0", "B")]
    assert [(utt, p.label) for utt, p in result.wrong] == [("shut-0", "D"), ("shut-0", "D")]


def test_missed_bilabials_lists_only_open_intervals():
    phones = _phones(SPEC)
    closed = is_closed(lip_gap(_animated(), LOWER_FACE))
    assert missed_bilabials(phones, closed) == []
    closed[: int(0.3 * LABEL_FPS)] = False  # open the first B (0.2-0.27 s)
    assert [p.start_s for p in missed_bilabials(phones, closed)] == [pytest.approx(0.2)]
    assert wrong_closures(phones, closed) == []
    closed[:] = True
    assert [p.label for p in wrong_closures(phones, closed)] == ["D", "D"]


def test_report_and_command_line(corpus, tmp_path, capsys):
    out = tmp_path / "report" / "closure.md"
    assert main([str(corpus), "--out", str(out), "--no-progress"]) == 0
    text = out.read_text(encoding="utf-8")
    assert text == capsys.readouterr().out.rstrip("\n") + "\n"
    assert "| English, all | 4 | " in text and "| 8 | 75.00 % (6) |" in text
    assert "| train / espeak / open / en | 1 |" in text and "| open-0 | B | 0.200 |" in text
    assert "| shut-0 | D | 0.480 |" in text
    assert report_markdown(measure(corpus, progress=False), corpus, 1.0).startswith("# Lip")


def test_missing_or_empty_corpus_is_an_error(tmp_path, capsys):
    with pytest.raises(CorpusError, match="no corpus shards"):
        corpus_shards(tmp_path)
    assert main([str(tmp_path / "nowhere"), "--no-progress"]) == 1
    assert "no corpus shards" in capsys.readouterr().err
