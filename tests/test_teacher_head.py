"""The Whisper teacher's head: torch = numpy, training lowers every loss term, the seal rule."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from core.lab.distill.features import phone_ids_at_frames, read_cache
from core.lab.distill.train_teacher import TeacherSettings, train_teacher
from core.lab.models.teacher_head import TeacherHead
from core.phones.phone_set import Phone
from core.rig.arkit import LOWER_FACE, channel_index
from core.rig.seal import SEAL_FULL, seal_closures, seal_from_probability
from core.runtime.configs import TEACHER_PHONES, WhisperEncoderConfig, WhisperTeacherConfig
from core.runtime.whisper_teacher import NumpyTeacherHead, head_shapes

SMALL = WhisperTeacherConfig(
    encoder=WhisperEncoderConfig(width=16), feature_layers=(1, 4), head_width=24, head_blocks=2
)
IDX = channel_index(LOWER_FACE)


def test_phone_classes_match_the_corpus_phone_set():
    from core.phones.phone_set import ARPABET

    assert set(TEACHER_PHONES) == ARPABET and len(TEACHER_PHONES) == len(ARPABET)
    assert TEACHER_PHONES[1:4] == ("P", "B", "M")  # features.BILABIAL_IDS


def test_numpy_head_equals_torch():
    torch.manual_seed(0)
    head = TeacherHead(SMALL).eval()
    weights = {k: v.numpy() for k, v in head.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in weights.items()} == head_shapes(SMALL)
    features = np.random.default_rng(0).standard_normal((37, SMALL.feature_width), np.float32)
    with torch.no_grad():
        expected = [t[0].numpy() for t in head(torch.from_numpy(features)[None])]
    got = NumpyTeacherHead(SMALL, weights)(features)
    for e, g in zip(expected, got, strict=True):
        assert g.shape == e.shape and np.abs(g - e).max() < 1e-5


def test_phone_ids_follow_the_intervals():
    phones = [Phone(0.0, 0.1, "SIL"), Phone(0.1, 0.25, "B"), Phone(0.25, 0.4, "AA")]
    ids = phone_ids_at_frames(phones, 45, TEACHER_PHONES)
    names = [TEACHER_PHONES[i] for i in ids]
    assert names[:10] == ["SIL"] * 10 and names[10:25] == ["B"] * 15
    assert names[25:40] == ["AA"] * 15 and names[40:] == ["SIL"] * 5  # past the end


def _fake_cache(folder, rng):
    """A cache shard whose features say which phone is spoken (so the head can learn it)."""
    config = SMALL
    feats, weights, ids, tokens = [], [], [], [0]
    for _ in range(6):
        n = int(rng.integers(40, 70))
        phone = rng.integers(0, len(TEACHER_PHONES), n).repeat(2)
        f = rng.standard_normal((n, config.feature_width)).astype(np.float32) * 0.1
        f[np.arange(n), phone[::2] % config.feature_width] += 2.0
        w = np.zeros((2 * n, len(LOWER_FACE)), np.float32)
        w[:, IDX["jawOpen"]] = (phone > 30) * 0.4
        feats.append(f.astype(np.float16))
        weights.append(w.astype(np.float16))
        ids.append(phone.astype(np.int8))
        tokens.append(tokens[-1] + n)
    folder.mkdir(parents=True)
    np.savez(
        folder / "shard-00000-x.npz",
        features=np.concatenate(feats),
        token_offsets=np.array(tokens, np.int64),
        weights=np.concatenate(weights),
        phone_ids=np.concatenate(ids),
        source=np.array([f"s/{i}" for i in range(6)]),
        engine=np.array(["espeak"] * 6),
        voice=np.array(["v"] * 6),
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("features")
    _fake_cache(root / "train", np.random.default_rng(3))
    return root


def test_cache_reads_back_per_utterance(cache):
    utterances = list(read_cache(cache / "train"))
    assert len(utterances) == 6
    assert all(len(u.weights) == 2 * len(u.features) == len(u.phone_ids) for u in utterances)
    assert list(read_cache(cache / "train", engines=("kokoro",))) == []


def test_training_lowers_the_loss_and_resumes(cache, tmp_path):
    settings = TeacherSettings(steps=60, batch=8, crop_tokens=32, lr=3e-3, save_every=30)
    history = train_teacher(cache, tmp_path / "a", settings, SMALL)
    for term, ratio in (("reconstruction", 0.8), ("closure", 0.8), ("phone", 0.95)):
        first = np.mean([h[term] for h in history[:5]])
        assert np.mean([h[term] for h in history[-5:]]) < ratio * first, term
    half = train_teacher(cache, tmp_path / "b", replace(settings, steps=30), SMALL)
    assert len(half) == 30
    with pytest.raises(Exception, match="another model or recipe"):
        train_teacher(cache, tmp_path / "b", settings, SMALL)  # other settings, same folder


def test_seal_closes_the_lips_only_where_the_closure_is_likely():
    from core.demohead.head import is_closed, lip_gap, load_demo_head

    open_pose = np.zeros((3, len(LOWER_FACE)), np.float32)
    open_pose[:, IDX["jawOpen"]] = 0.4
    open_pose[:, IDX["mouthFunnel"]] = 0.3
    sealed = seal_closures(open_pose, np.array([0.05, 0.5, 0.95]), LOWER_FACE)
    gaps = lip_gap(sealed, LOWER_FACE, load_demo_head())
    assert not is_closed(gaps[0]) and is_closed(gaps[2])
    assert np.array_equal(sealed[0], open_pose[0])  # no closure: the pose is untouched
    assert seal_from_probability(np.array([SEAL_FULL]))[0] == pytest.approx(1.0)


def test_the_speech_margin_parts_the_lips_just_before_and_after_speech_without_a_closure():
    """Rest pose (lips together) on silent frames: frames within the margin of a word part, the
    rest of the pause stays closed, and no frame before a word that starts on a closure parts."""
    from core.demohead.head import is_closed, lip_gap, load_demo_head
    from core.rig.seal import finish_pose

    config = replace(WhisperTeacherConfig(), speech_margin=5)
    frames = 60
    rest = np.zeros((frames, len(LOWER_FACE)), np.float32)
    silent, speaking = 8.0, -8.0  # P(SIL) logit of the silence class against every other
    phone_logits = np.zeros((frames, len(TEACHER_PHONES)), np.float32)
    phone_logits[:, TEACHER_PHONES.index("SIL")] = silent
    phone_logits[20:40, TEACHER_PHONES.index("SIL")] = speaking
    no_closure = np.zeros(frames, np.float32)
    head = load_demo_head()

    def closed(probability, margin=5):
        pose = finish_pose(rest, probability, phone_logits, replace(config, speech_margin=margin))
        return is_closed(lip_gap(pose, LOWER_FACE, head))

    near = closed(no_closure)
    assert near[:12].all() and near[48:].all()  # far from speech: the rest pose
    assert not near[15:20].any() and not near[40:45].any()  # parted just before and after
    assert closed(no_closure, margin=0)[15:20].all()  # off: nothing changes
    word_on_a_b = no_closure.copy()
    word_on_a_b[20:23] = 0.99  # the word starts with a sealed /b/
    assert closed(word_on_a_b)[15:23].all()
    with pytest.raises(ValueError, match="speech_margin"):
        replace(config, speech_margin=-1)


def test_the_margin_choice_refuses_a_student():
    from core.lab.distill.margin_choice import apply_choice
    from core.runtime.catalog import MODELS_DIR

    with pytest.raises(ValueError, match="not a teacher"):
        apply_choice(MODELS_DIR / "s_tiny.npz", {})
