"""Speech corpus: engines, phone maps, forced alignment, text, and a small build end to end."""

import numpy as np
import pytest

from core.audio.prepare import SAMPLE_RATE
from core.errors import CorpusError
from core.lab.corpus import espeak, festival, flite
from core.lab.corpus.align import align, espeak_pronunciation, normalize_text
from core.lab.corpus.build import build, job_texts, selected_jobs
from core.lab.corpus.dataset import LABEL_FPS, read_shard, shard_paths
from core.lab.corpus.engine_phones import (
    espeak_event_to_arpabet,
    espeak_string_to_arpabet,
    festival_to_arpabet,
    pocketsphinx_to_arpabet,
)
from core.lab.corpus.foreign_text import foreign_sentences
from core.lab.corpus.onsets import matched_onsets
from core.lab.corpus.plan import HELDOUT, plan
from core.lab.corpus.synthesis import check_phones
from core.lab.corpus.text import generated_sentences, prose_sets, word_features
from core.phones.phone_set import ARPABET, BILABIALS, Phone
from core.rig.arkit import LOWER_FACE

SENTENCE = "Bob met Pam by the pump, maybe."


def _assert_speech(speech, source: str) -> None:
    assert speech.audio.dtype == np.float32 and speech.audio.ndim == 1
    assert speech.duration_s > 0.5 and np.abs(speech.audio).max() > 0.01
    check_phones(speech.phones, speech.duration_s, source)  # contiguous, monotone, covering
    assert {p.label for p in speech.phones} <= ARPABET
    assert sum(p.label in BILABIALS for p in speech.phones) >= 5


def _onsets(phones: list[Phone], labels=BILABIALS) -> list[float]:
    return [p.start_s for p in phones if p.label in labels]


# --- phone maps ---------------------------------------------------------------------------


def test_phone_maps_cover_each_engine():
    assert espeak_string_to_arpabet("b'0b m'Et p'am") == [
        "B",
        "AA",
        "B",
        "M",
        "EH",
        "T",
        "P",
        "AE",
        "M",
    ]
    assert espeak_string_to_arpabet("f'aI@") == ["F", "AY", "ER"]
    assert espeak_event_to_arpabet("aI@") == ("AY", "ER")
    assert espeak_event_to_arpabet("_:") == ("SIL",)
    assert espeak_event_to_arpabet("B", "es") == ("B",)  # Spanish approximant b: lips meet
    assert espeak_event_to_arpabet("a", "es") == ("AA",) and espeak_event_to_arpabet("a") == ("AE",)
    assert festival_to_arpabet("ax") == ("AH",) and festival_to_arpabet("pau") == ("SIL",)
    assert festival_to_arpabet("@@", "mrpa") == ("ER",)
    assert pocketsphinx_to_arpabet("+NSN+") == "SIL" and pocketsphinx_to_arpabet("M") == "M"
    with pytest.raises(CorpusError):
        espeak_event_to_arpabet("Zq9")
    with pytest.raises(CorpusError):
        festival_to_arpabet("qqq")


# --- engines ------------------------------------------------------------------------------


def test_espeak_english_voices_give_covering_phones_and_correct_bursts():
    for voice in ("en-us", "en+f3", "en-gb-scotland+klatt4"):
        speech = espeak.synthesize(SENTENCE, voice, rate_wpm=160, pitch=40)
        _assert_speech(speech, voice)
        raw, fixed = _onsets(speech.engine_phones, {"P"}), _onsets(speech.phones, {"P"})
        assert len(raw) == len(fixed) == 3
        # The burst correction moves every mid-utterance /p/ onset back to its closure.
        assert all(0.01 <= r - f <= 0.15 for r, f in zip(raw, fixed, strict=True))


def test_espeak_rate_changes_duration():
    slow = espeak.synthesize(SENTENCE, "en-us", rate_wpm=120)
    fast = espeak.synthesize(SENTENCE, "en-us", rate_wpm=240)
    assert slow.duration_s > 1.5 * fast.duration_s


@pytest.mark.parametrize("language", ["es", "fr", "de", "it", "pt"])
def test_espeak_other_languages(language):
    text = foreign_sentences(language, 1, seed=3)[0]
    speech = espeak.synthesize(text, espeak.OTHER_LANGUAGES[language], language)
    check_phones(speech.phones, speech.duration_s, language)
    assert {p.label for p in speech.phones} <= ARPABET
    assert any(p.label in BILABIALS for p in speech.phones)


def test_festival_voices_give_segment_timings():
    assert {"kal", "ked", "slt-hts"} <= set(festival.installed_voices())
    for voice in ("kal", "ked", "slt-hts"):
        (speech,) = festival.synthesize_batch([SENTENCE], voice)
        _assert_speech(speech, voice)
        assert speech.phones[0].label == "SIL" and speech.phones[1].label == "B"


def test_flite_voices_are_timed_by_alignment():
    for voice in flite.VOICES:
        speech = flite.synthesize(SENTENCE, voice)
        _assert_speech(speech, voice)
        assert speech.engine_phones == []


# --- forced alignment ----------------------------------------------------------------------


def test_normalize_text_and_oov_words():
    assert normalize_text("In 1984, Dr. Smith's 3-D") == [
        "in",
        "one",
        "thousand",
        "nine",
        "hundred",
        "eighty",
        "four",
        "dr",
        "smith's",
        "three",
        "d",
    ]
    assert espeak_pronunciation("voicemail") == "V OY S M EY L"


def test_aligner_puts_bilabials_where_festival_says():
    """festival kal's own segment labels are the reference (notes: ~15 ms MAE)."""
    (speech,) = festival.synthesize_batch([SENTENCE], "kal")
    aligned = align(speech.audio, SENTENCE)
    check_phones(aligned, speech.duration_s, "aligner")
    pairs = [(r, t) for lab, r, t in matched_onsets(speech.phones, aligned) if lab in BILABIALS]
    assert len(pairs) == 11  # Bob, met, Pam, by, pump, maybe
    assert all(abs(r - t) <= 0.040 for r, t in pairs), pairs


def test_aligner_handles_digital_silence_and_oov():
    text = "Zorbleflump mumbled, maybe. Bob paid."
    speech = espeak.synthesize(text, "en-us")
    assert (speech.audio == 0).mean() > 0.01  # espeak pads with exact zeros
    aligned = align(speech.audio, text)
    check_phones(aligned, speech.duration_s, "aligner")
    pairs = [(r, t) for lab, r, t in matched_onsets(speech.phones, aligned) if lab in BILABIALS]
    assert len(pairs) >= 6
    assert np.median([abs(r - t) for r, t in pairs]) <= 0.040


def test_aligner_rejects_empty_text():
    with pytest.raises(CorpusError):
        align(np.zeros(SAMPLE_RATE, np.float32), "...")


# --- text ----------------------------------------------------------------------------------


def test_sentences_are_seeded_and_lip_rich():
    first = generated_sentences(30, seed=5)
    assert first == generated_sentences(30, seed=5) != generated_sentences(30, seed=6)
    assert all(3 <= len(s.split()) <= 45 for s in first)
    assert foreign_sentences("fr", 5, 1) == foreign_sentences("fr", 5, 1)
    sets = prose_sets()
    assert all(s.licence and s.sentences for s in sets)
    assert "bilabial_rapid" in word_features(("B", "AH", "B", "AH", "L"))
    assert "no_bilabial" in word_features(("T", "AE", "K"))


# --- build ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_small_build_end_to_end_and_resume(tmp_path):
    jobs = plan(small=True, seed=0)
    assert {j.engine for j in jobs} == {"espeak", "festival", "flite"}
    assert job_texts(jobs[0]) == job_texts(jobs[0])
    summary = build(tmp_path, small=True, seed=0)
    text = summary.read_text()
    assert "Held-out voices" in text and "bilabial intervals" in text and "audio hours" in text
    seen_voices = set()
    for split in ("train", "heldout", "lang"):
        for path in shard_paths(tmp_path / split):
            for utt in read_shard(path):
                seen_voices.add((split, utt.engine, utt.voice))
                duration_s = len(utt.audio) / SAMPLE_RATE
                assert utt.weights.shape == (
                    int(np.ceil(duration_s * LABEL_FPS - 1e-9)),
                    len(LOWER_FACE),
                )
                check_phones(list(utt.phones), duration_s, utt.utt_id)
                assert (utt.language == "en") == (split != "lang")
    assert all(("train", e, v) not in seen_voices for e, v in HELDOUT)
    assert {(e, v) for s, e, v in seen_voices if s == "heldout"} == set(HELDOUT)
    # Resume: only the missing shard is made again; the others are left untouched.
    shards = sorted(tmp_path.glob("*/shard-*.npz"))
    mtimes = {p: p.stat().st_mtime_ns for p in shards}
    with np.load(shards[0]) as data:
        before = {k: data[k] for k in data.files}
    shards[0].unlink()
    build(tmp_path, small=True, seed=0)
    with np.load(shards[0]) as data:  # remade identically (seeded, fresh espeak state)
        assert all(np.array_equal(before[k], data[k]) for k in data.files)
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items() if p != shards[0])


def test_a_partial_build_selects_the_same_shards_from_the_plan_every_time():
    """--per-voice and --max-shards choose from the whole plan, so a partial corpus is the same
    whatever is already on disk, and a rerun of the command adds nothing."""
    jobs = plan(small=False, seed=0)
    two = selected_jobs(jobs, ("train",), ("espeak", "flite"), per_voice=2)
    voices = {(j.engine, j.voice) for j in jobs if j.split == "train" and j.engine != "kokoro"}
    voices = {v for v in voices if v[0] in ("espeak", "flite")}
    assert len(two) == 2 * len(voices) and {(j.engine, j.voice) for j in two} == voices
    assert all(j.split == "train" and j.engine in ("espeak", "flite") for j in two)
    spread = selected_jobs(jobs, ("train",), ("kokoro",), max_shards=8)
    kokoro = selected_jobs(jobs, ("train",), ("kokoro",))
    assert len(spread) == 8 and spread[0] == kokoro[0]
    assert len({j.voice for j in spread}) > 4  # spread over the voices, not the first few
    assert selected_jobs(jobs, ("train",), ("kokoro",), max_shards=8) == spread
    firsts = selected_jobs(jobs, ("train",), per_voice=1, voices=("af_bella", "en-us+f3"))
    assert [(j.engine, j.voice) for j in firsts] == [("espeak", "en-us+f3"), ("kokoro", "af_bella")]
    assert firsts[1].index == kokoro[2].index  # the voice's first shard of the plan


def test_a_build_of_a_voice_not_in_the_plan_fails_before_building(tmp_path):
    with pytest.raises(CorpusError, match="no such voice in the plan: af_nobody"):
        build(tmp_path / "corpus", voices=("af_nobody",))
    assert not (tmp_path / "corpus").exists()
