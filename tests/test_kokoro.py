"""Kokoro engine: IPA tokens + durations to ARPAbet phones, voice mixes, plan, real synthesis."""

from pathlib import Path

import numpy as np
import pytest

from core.errors import CorpusError
from core.lab.corpus import kokoro
from core.lab.corpus.dialogue_text import dialogue_lines
from core.lab.corpus.plan import (
    KOKORO_FIRST_INDEX,
    KOKORO_HELDOUT_VOICES,
    KOKORO_TRAIN_VOICES,
    plan,
)
from core.lab.corpus.synthesis import check_phones
from core.lab.studies import kokoro_timing
from core.phones.phone_set import Phone

ROOT = Path(__file__).resolve().parents[1]
UNIT_S = kokoro.FRAME_SAMPLES / kokoro.NATIVE_RATE  # 25 ms


def _installer():
    from tools.setup import install_kokoro

    return install_kokoro


@pytest.fixture(scope="module")
def model_dir() -> Path:
    """The installed model (installed here by the installer on a fresh machine, ~90 MB)."""
    return _installer().ensure_installed()


# --- tokens and durations to phones ----------------------------------------------------------


def test_marks_spaces_and_punctuation_merge_into_neighbours():
    phonemes = "bˈɑːb mˈɛt."
    frames = [4, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2, 6, 3]  # pad, 11 tokens, pad
    phones = kokoro.token_phones(phonemes, np.array(frames))
    edges = np.cumsum([0] + frames) * UNIT_S
    assert [p.label for p in phones] == ["SIL", "B", "AA", "B", "M", "EH", "T", "SIL"]
    assert phones[1] == Phone(edges[1], edges[2], "B")
    assert phones[2].start_s == edges[2]  # the stress mark's frames belong to the vowel ...
    assert phones[2].end_s == edges[5]  # ... and so do the length mark's
    space_middle = 0.5 * (edges[6] + edges[7])  # a space is split between its neighbours
    assert phones[3].end_s == pytest.approx(space_middle) == phones[4].start_s
    assert phones[-1] == Phone(edges[11], edges[13], "SIL")  # "." and the end pad: silence
    check_phones(phones, edges[-1], "tokens")


def test_diphthong_plus_r_is_split_evenly_and_unknown_symbols_fail():
    phones = kokoro.token_phones("aɪə", np.array([2, 1, 1, 2, 2]))
    assert [p.label for p in phones] == ["SIL", "AY", "ER", "SIL"]
    assert phones[1].end_s - phones[1].start_s == pytest.approx(2 * UNIT_S)
    with pytest.raises(CorpusError, match="no ARPAbet"):
        kokoro.token_phones("b✓", np.array([1, 1, 1, 1]))
    with pytest.raises(CorpusError, match="durations"):
        kokoro.token_phones("bab", np.array([1, 1, 1]))


def test_shifted_durations_still_cover_the_audio():
    phones = [
        Phone(0, 0.3, "SIL"),
        Phone(0.3, 0.35, "B"),
        Phone(0.35, 0.5, "AA"),
        Phone(0.5, 0.6, "SIL"),
    ]
    moved = kokoro.shift_phones(phones, -kokoro.DURATION_LAG_S, 0.6)
    check_phones(moved, 0.6, "shifted")
    assert moved[1].start_s == pytest.approx(0.3 - kokoro.DURATION_LAG_S)
    assert moved[-1].label == "SIL" and moved[-1].end_s == 0.6


# --- voices and mixes -------------------------------------------------------------------------


def test_mixes_are_seeded_and_name_their_weights():
    mixes = kokoro.seeded_mixes(12, seed=3)
    assert mixes == kokoro.seeded_mixes(12, seed=3) != kokoro.seeded_mixes(12, seed=4)
    assert len(set(mixes)) == 12
    for mix in mixes:
        parts = kokoro.parse_voice(mix)
        assert 2 <= len(parts) <= 3 and sum(w for _, w in parts) == pytest.approx(1.0)
        assert all(name in kokoro.ENGLISH_VOICES for name, _ in parts)
        assert kokoro.language_of(mix) in ("en-us", "en-gb")
    assert kokoro.parse_voice("af_bella40+bm_lewis60") == [("af_bella", 0.4), ("bm_lewis", 0.6)]
    assert kokoro.language_of("af_bella40+bm_lewis60") == "en-gb"  # from the main component
    with pytest.raises(CorpusError, match="mix"):
        kokoro.parse_voice("af_bella+bm_lewis")


def test_a_mix_is_the_weighted_sum_of_its_style_tables(model_dir):
    mix = kokoro.style_table("af_bella25+bm_lewis75", model_dir)
    bella, lewis = (kokoro.style_table(v, model_dir) for v in ("af_bella", "bm_lewis"))
    assert mix.shape == (kokoro.STYLE_ROWS, kokoro.STYLE_DIM)
    np.testing.assert_allclose(mix, 0.25 * bella + 0.75 * lewis, rtol=1e-5, atol=1e-6)
    for voice in kokoro.ENGLISH_VOICES:
        assert (model_dir / "voices" / f"{voice}.bin").exists()


# --- plan ------------------------------------------------------------------------------------


def test_kokoro_shards_come_last_and_never_collide():
    full, with_mbrola = plan(), plan(with_mbrola=True)
    assert with_mbrola[: len(full)] == full  # MBROLA still only appends
    others = [j for j in full if j.engine != kokoro.ENGINE]
    assert others == plan(with_kokoro=False)  # every earlier shard keeps index, name, seed
    ours = [j for j in full if j.engine == kokoro.ENGINE]
    assert [j.index for j in ours] == list(
        range(KOKORO_FIRST_INDEX, KOKORO_FIRST_INDEX + len(ours))
    )
    assert max(j.index for j in with_mbrola if j.engine != kokoro.ENGINE) < KOKORO_FIRST_INDEX
    assert len({j.name for j in with_mbrola}) == len(with_mbrola)
    assert all(j.engine != kokoro.ENGINE for j in plan(small=True))
    train = [j for j in ours if j.split == "train"]
    heldout = [j for j in ours if j.split == "heldout"]
    assert sum(j.utterances for j in train) * 6.0 / 3600 >= 8.0  # hours at the planned 6 s mean
    held_names = {n for j in heldout for n, _ in kokoro.parse_voice(j.voice)}
    train_names = {n for j in train for n, _ in kokoro.parse_voice(j.voice)}
    assert held_names == set(KOKORO_HELDOUT_VOICES) and not held_names & train_names
    assert train_names == set(KOKORO_TRAIN_VOICES)
    assert sum("+" in j.voice for j in heldout) >= 4 and len(KOKORO_HELDOUT_VOICES) >= 4
    assert {j.voice for j in ours[: len(kokoro.ENGLISH_VOICES)]} == set(kokoro.ENGLISH_VOICES)


def test_dialogue_lines_are_seeded_questions_exclamations_and_replies():
    lines = dialogue_lines(200, seed=1)
    assert lines == dialogue_lines(200, seed=1) != dialogue_lines(200, seed=2)
    assert sum(t.endswith("?") for t in lines) > 20 and sum(t.endswith("!") for t in lines) > 20
    assert sum(len(t.split()) <= 2 for t in lines) > 20  # short replies
    assert all(kokoro.phonemize(t) for t in lines[:5])


# --- real synthesis --------------------------------------------------------------------------


def test_a_real_sentence_has_exact_durations_and_aligned_phones(model_dir):
    speech = kokoro.synthesize("Bob met Pam.", "af_heart", 1.1, model_dir)
    assert speech.audio.dtype == np.float32 and speech.audio.ndim == 1
    assert len(speech.audio) % 400 == 0  # whole 25 ms units at 16 kHz
    assert 0.5 < speech.duration_s < 4.0 and np.abs(speech.audio).max() > 0.05
    for phones in (speech.phones, speech.engine_phones):
        check_phones(phones, speech.duration_s, "kokoro")
        assert [p.label for p in phones if p.label in ("P", "B", "M")] == ["B", "B", "M", "P", "M"]
    assert speech.engine_phones[-1].end_s == speech.duration_s


# --- timing check ----------------------------------------------------------------------------


def test_the_closure_is_found_at_the_energy_fall_and_the_section_is_replaced():
    audio = np.zeros(16000, np.float32)
    audio[:8000] = 0.3 * np.sin(np.arange(8000) * 0.3)  # speech until 0.5 s, then a closure
    db = kokoro_timing.energy_db(audio)
    assert abs(kokoro_timing.steepest_fall_s(db, (0.45, 0.52)) - 0.5) <= 0.015
    report = "# Timings\n\ntable\n\n## Kokoro\n\nold\n"
    assert kokoro_timing.replace_section(report, "## Kokoro\n\nnew\n") == (
        "# Timings\n\ntable\n\n## Kokoro\n\nnew\n"
    )
