"""Unlabelled real speech: shards of 16 kHz audio without labels, grouped by language, resumable;
the teacher pseudo-labels them beside the synthetic corpus."""

import numpy as np
import pytest
import soundfile

from core.errors import CorpusError
from core.lab.corpus.dataset import iter_corpus, list_shards
from core.lab.corpus.unlabelled_speech import SPLIT, build, description_files, plan_shards


def _stamps(folder, speechlike, names):
    """A stamps tree holding `names` as 44.1 kHz stereo Vorbis files of speech-like audio."""
    from core.audio.prepare import resample

    audio = resample(speechlike, 16000, 44100)
    for name in names:
        path = folder / "animals" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(path), np.stack([audio, 0.5 * audio], axis=1), 44100, format="OGG")
    return folder


NAMES = ("cat_desc_fr.ogg", "dog_desc_fr.ogg", "cat_desc_es.ogg", "cat_desc.ogg", "cat.ogg")


def test_descriptions_become_unlabelled_shards_by_language(tmp_path, speechlike):
    stamps = _stamps(tmp_path / "stamps", speechlike, NAMES)
    assert build(tmp_path / "corpus", stamps) == 2  # es, fr: English and sound effects left out
    shards = list_shards(tmp_path / "corpus" / SPLIT)
    assert [p.stem for p in shards] == [
        "shard-00000-real-tuxpaint-es",
        "shard-00001-real-tuxpaint-fr",
    ]
    utterances = list(iter_corpus(tmp_path / "corpus" / SPLIT))
    assert [u.utt_id for u in utterances] == [
        "animals/cat_desc_es",
        "animals/cat_desc_fr",
        "animals/dog_desc_fr",
    ]
    for u in utterances:
        assert u.phones == () and u.engine == "real" and u.voice == f"tuxpaint-{u.language}"
        assert abs(len(u.audio) - len(speechlike)) <= 2  # back at 16 kHz, mono
        assert len(u.weights) == int(np.ceil(len(u.audio) / 16000 * 60)) and not u.weights.any()
    assert build(tmp_path / "corpus", stamps) == 0  # resumes: nothing left to write


def test_shards_hold_one_language_and_about_shard_seconds():
    from core.lab.corpus.unlabelled_speech import SpeechFile

    files = [SpeechFile(f"{lang}{i}", lang, 4.0) for lang in ("da", "fr") for i in range(5)]
    plan = plan_shards(files, shard_seconds=10.0)
    assert [(name[-2:], len(group)) for name, group in plan] == [
        ("da", 3),
        ("da", 2),
        ("fr", 3),
        ("fr", 2),
    ]


def test_missing_or_empty_package_and_corrupt_audio_are_clear_errors(tmp_path, speechlike):
    with pytest.raises(CorpusError, match="tuxpaint-stamps-default"):
        description_files(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no spoken descriptions"):
        description_files(tmp_path / "empty")
    stamps = _stamps(tmp_path / "stamps", speechlike, ("cat_desc_fr.ogg",))
    (stamps / "animals" / "cat_desc_fr.ogg").write_bytes(b"OggS not really")
    with pytest.raises(CorpusError):
        build(tmp_path / "corpus", stamps)
    assert not list_shards(tmp_path / "corpus" / SPLIT)  # nothing half-written is left
