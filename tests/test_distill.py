"""Training on a synthetic corpus: loss goes down per model kind, resume, pseudo-labels, export."""

from dataclasses import replace

import numpy as np
import pytest
from model_configs import STUDENT_TINY

from core.lab.distill.export import export_checkpoint
from core.lab.distill.features import build_cache
from core.lab.distill.recipes import Recipe, TrainSettings
from core.lab.distill.teacher_labels import label_corpus
from core.lab.distill.train import CHECKPOINT, train
from core.lab.distill.train_teacher import TeacherSettings, train_teacher
from core.lab.models import family
from core.runtime import configs
from core.runtime.modelfile import write_model_file
from core.runtime.whisper_teacher import DEFAULT_ENCODER

TINY_STUDENT_LOGMEL = replace(
    family.S_TINY,
    name="tiny_logmel",
    past_ms=64,
    future_ms=28.0,
    layers=(configs.ConvLayer(8, 3, 1),),
)
STUDENT_SETTINGS = TrainSettings(
    steps=40, batch=8, lr=1e-2, crop_frames=16, save_every=20, feature_layers=(1, 3)
)


def _decreased(history: list[dict[str, float]]) -> bool:
    first = np.mean([h["total"] for h in history[:5]])
    last = np.mean([h["total"] for h in history[-5:]])
    return last < 0.7 * first


HEAD_SETTINGS = TeacherSettings(steps=40, batch=4, crop_tokens=32, lr=3e-3, save_every=20)
SMALL_HEAD = configs.WhisperTeacherConfig(head_width=16, head_blocks=1)


@pytest.fixture(scope="module")
def trained(synthetic_corpus, tmp_path_factory):
    """A small Whisper teacher head on the real encoder's features, its pseudo-labels and a tiny
    S0, trained once for the module."""
    runs = tmp_path_factory.mktemp("runs")
    assert build_cache(synthetic_corpus, runs / "features", ("train",), DEFAULT_ENCODER) > 0
    teacher = train_teacher(runs / "features", runs / "teacher", HEAD_SETTINGS, SMALL_HEAD)
    assert label_corpus(runs / "teacher", runs / "features", synthetic_corpus, runs / "pseudo")
    s0 = train(
        Recipe(STUDENT_TINY, "pseudo", False, "test"),
        STUDENT_SETTINGS,
        runs / "pseudo",
        runs / "s0",
    )
    return runs, teacher, s0


def test_teachers_and_s0_losses_go_down(trained):
    _, teacher, s0 = trained
    assert _decreased(s0)
    first = np.mean([h["total"] for h in teacher[:5]])
    assert np.mean([h["total"] for h in teacher[-5:]]) < 0.9 * first


def test_hybrid_distillation_loss_goes_down(trained):
    runs, _, _ = trained
    narrow = replace(
        STUDENT_TINY,
        name="narrow",
        layers=tuple(
            replace(layer, channels=max(2, layer.channels // 2)) for layer in STUDENT_TINY.layers
        ),
    )
    history = train(
        Recipe(narrow, "pseudo", True, "test"),
        STUDENT_SETTINGS,
        runs / "pseudo",
        runs / "hybrid",
        s0_dir=runs / "s0",
    )
    assert "feature" in history[0] and _decreased(history)


def test_feature_input_student_loss_goes_down(trained):
    runs, _, _ = trained
    history = train(
        Recipe(TINY_STUDENT_LOGMEL, "pseudo", False, "test"),
        STUDENT_SETTINGS,
        runs / "pseudo",
        runs / "logmel",
    )
    assert _decreased(history)


def test_pseudo_labels_are_the_teachers_output_and_resume(trained, synthetic_corpus):
    from core.lab.corpus.dataset import iter_corpus

    runs, _, _ = trained
    labelled, source = (
        list(iter_corpus(runs / "pseudo")),
        list(iter_corpus(synthetic_corpus / "train")),
    )
    assert [u.utt_id for u in labelled] == [u.utt_id for u in source]  # every utterance, in order
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(labelled, source, strict=True))
    assert all(
        u.weights.shape[1] == 29 and 0 <= u.weights.min() <= u.weights.max() <= 1 for u in labelled
    )
    assert not all(np.allclose(a.weights, b.weights) for a, b in zip(labelled, source, strict=True))
    stamps = {p.name: p.stat().st_mtime_ns for p in (runs / "pseudo").glob("shard-*.npz")}
    assert label_corpus(runs / "teacher", runs / "features", synthetic_corpus, runs / "pseudo") == 0
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (runs / "pseudo").glob("shard-*.npz")}


def test_teacher_pseudo_labels_unlabelled_real_speech(trained, speechlike, tmp_path):
    from core.lab.corpus.dataset import Utterance, iter_corpus, write_shard
    from core.lab.corpus.unlabelled_speech import SPLIT

    runs, _, _ = trained
    corpus, features, pseudo = tmp_path / "corpus", tmp_path / "features", tmp_path / "pseudo"
    unlabelled = Utterance(
        "stamp", speechlike, np.zeros((198, 29), np.float32), (), "", "real", "tuxpaint-fr", "fr"
    )
    write_shard(corpus / SPLIT / "shard-00000-real-tuxpaint-fr.npz", [unlabelled])
    assert build_cache(corpus, features, (SPLIT,), DEFAULT_ENCODER) == 1
    assert label_corpus(runs / "teacher", features, corpus, pseudo) == 1  # the default splits
    (labelled,), (stored,) = list(iter_corpus(pseudo)), list(iter_corpus(corpus / SPLIT))
    assert np.array_equal(labelled.audio, stored.audio) and labelled.weights.any()


def test_a_pseudo_label_folder_records_the_teachers_speech_margin(
    trained, synthetic_corpus, tmp_path
):
    """The students' cards say their labels parted the lips ahead of speech, and one folder
    never mixes labels made with two different speech margins."""
    from core.errors import CorpusError
    from core.lab.distill.model_cards import label_lines
    from core.lab.distill.teacher_labels import labels_note
    from core.runtime.modelfile import read_model_file

    runs, _, _ = trained
    assert labels_note(runs / "pseudo") == {"speech_margin_ms": 0} and label_lines(runs) == []
    export_checkpoint(runs / "teacher" / CHECKPOINT, tmp_path / "teacher.npz")
    plain = read_model_file(tmp_path / "teacher.npz")
    margined = replace(plain.config, speech_margin=10)
    write_model_file(tmp_path / "margin.npz", plain.name, margined, plain.weights, plain.card)
    assert label_corpus(
        tmp_path / "margin.npz", runs / "features", synthetic_corpus, tmp_path / "pseudo"
    )
    assert labels_note(tmp_path / "pseudo") == {"speech_margin_ms": 100}
    assert "within 100 ms of speech" in label_lines(tmp_path)[0]
    with pytest.raises(CorpusError, match="labelled by a teacher"):
        label_corpus(runs / "teacher", runs / "features", synthetic_corpus, tmp_path / "pseudo")


def test_training_resumes_from_checkpoint(trained, synthetic_corpus, tmp_path):
    recipe = Recipe(STUDENT_TINY, "procedural", False, "test")
    straight = train(
        recipe, replace(STUDENT_SETTINGS, steps=12), synthetic_corpus / "train", tmp_path / "a"
    )
    settings = replace(STUDENT_SETTINGS, steps=12)
    interrupted = train(recipe, settings, synthetic_corpus / "train", tmp_path / "b", stop_at=6)
    assert len(interrupted) == 6
    resumed = train(
        recipe, replace(STUDENT_SETTINGS, steps=12), synthetic_corpus / "train", tmp_path / "b"
    )
    assert len(resumed) == 12
    assert (tmp_path / "b" / "loss_curve.png").stat().st_size > 1000
    # same seeded batches; AdamW state and the LR schedule are restored from the checkpoint
    assert np.allclose([h["total"] for h in straight], [h["total"] for h in resumed], rtol=1e-4)


def test_checkpoint_exports_to_a_model_file_the_runtime_matches(trained, speechlike):
    import torch

    from core.api import load_model, model_info
    from core.lab.models.student import Student

    runs, _, _ = trained
    export_checkpoint(runs / "s0" / CHECKPOINT, runs / "s0.npz")
    model = load_model(runs / "s0.npz")
    info = model_info(model)
    assert info.parameters > 0 and "Training: test" in info.card
    state = torch.load(runs / "s0" / CHECKPOINT, weights_only=True)
    student = Student(STUDENT_TINY).eval()
    student.load_state_dict(state["model"])
    with torch.no_grad():
        expected = student.predict_clip(torch.from_numpy(speechlike)[None])[0].numpy()
    got = model.frames(speechlike)
    assert np.abs(got - expected).max() <= 1e-5


def test_whisper_teacher_file_runs_encoder_and_head_like_training(trained, speechlike):
    from core.api import load_model
    from core.lab.distill.teacher_labels import head_outputs, load_head
    from core.runtime.whisper_teacher import encoder_features, load_encoder

    runs, _, _ = trained
    export_checkpoint(runs / "teacher" / CHECKPOINT, runs / "teacher.npz", "float16")
    model = load_model(runs / "teacher.npz")
    assert model.file.parameters > 8_000_000  # the encoder travels inside the file
    features = encoder_features(load_encoder(), speechlike, SMALL_HEAD.feature_layers)
    expected, _ = head_outputs(load_head(runs / "teacher"), features)
    got = model.frames(speechlike)
    assert got.shape == (int(np.ceil(len(speechlike) / 160)), 29)
    assert np.abs(got - expected[: len(got)]).max() < 2e-2  # float16 file vs float32 head


def test_model_files_stand_in_for_their_runs(trained, synthetic_corpus, tmp_path, speechlike):
    """A shipped teacher file pseudo-labels, a shipped S0 file guides hybrid KD and a shipped
    student file starts a fine-tune, all like the run folders they were exported from."""
    import torch

    from core.errors import CorpusError
    from core.lab.distill.checkpoint import trained_state
    from core.lab.distill.teacher_labels import head_outputs, load_head
    from core.lab.models.student import Student
    from core.runtime.whisper_teacher import encoder_features, load_encoder

    runs, _, _ = trained
    export_checkpoint(runs / "teacher" / CHECKPOINT, tmp_path / "teacher.npz")
    export_checkpoint(runs / "s0" / CHECKPOINT, tmp_path / "s0.npz")
    features = encoder_features(load_encoder(), speechlike, SMALL_HEAD.feature_layers)
    from_run, _ = head_outputs(load_head(runs / "teacher"), features)
    from_file, _ = head_outputs(load_head(tmp_path / "teacher.npz"), features)
    assert np.abs(from_run - from_file).max() < 1e-6
    # with a speech margin the targets only ever part the lips further (core.rig.seal)
    head = load_head(tmp_path / "teacher.npz")
    head.config = replace(head.config, speech_margin=10)
    margined, _ = head_outputs(head, features)
    jaw = head.config.channels.index("jawOpen")
    assert (margined[:, jaw] >= from_file[:, jaw] - 1e-6).all()

    s0_state = trained_state(tmp_path / "s0.npz")
    s0 = Student(STUDENT_TINY)
    s0.load_state_dict(s0_state["model"])  # strict: every key, every shape
    recipe = Recipe(STUDENT_TINY, "pseudo", False, "test")
    settings = replace(STUDENT_SETTINGS, steps=1, lr=1e-9)
    train(recipe, settings, runs / "pseudo", tmp_path / "tuned", init=tmp_path / "s0.npz")
    tuned = torch.load(tmp_path / "tuned" / CHECKPOINT, weights_only=True)
    for name, value in s0_state["model"].items():  # one step at lr 1e-9 leaves the start
        assert torch.allclose(tuned["model"][name], value, atol=1e-6), name
    assert "fine-tuned from s0.npz" in tuned["recipe"]
    with pytest.raises(CorpusError, match="cannot start"):
        narrow = replace(STUDENT_TINY, name="other", bottleneck=3)
        train(
            Recipe(narrow, "pseudo", False, "t"),
            settings,
            runs / "pseudo",
            tmp_path / "x",
            init=tmp_path / "s0.npz",
        )


def test_lip_gap_loss_is_the_heads_gap_and_weights_pressed_closures():
    import torch

    from core.demohead.head import lip_gap
    from core.lab.distill.losses import LipGapLoss
    from core.rig.arkit import LOWER_FACE

    loss = LipGapLoss(tuple(LOWER_FACE))
    weights = np.random.default_rng(0).random((2, 40, len(LOWER_FACE)), dtype=np.float32) * 0.4
    got = loss.gap_m(torch.from_numpy(weights)).numpy()
    want = np.stack([lip_gap(w, LOWER_FACE) for w in weights])
    assert np.abs(got - want).max() < 1e-6

    rest = torch.zeros(1, 8, len(LOWER_FACE))  # the closed rest pose of a pause
    pressed = rest.clone()
    for name in ("mouthPressLeft", "mouthPressRight", "mouthClose"):
        pressed[..., LOWER_FACE.index(name)] = 0.5  # a p/b/m closure
    opened = rest.clone()
    opened[..., LOWER_FACE.index("jawOpen")] = 0.3
    assert loss(opened, pressed) > 3 * loss(opened, rest)  # pressed closures weigh 5x
    evenly = LipGapLoss(tuple(LOWER_FACE), pressed_only=False)
    assert evenly(opened, rest) > 3 * loss(opened, rest)  # the older rule weighted pauses too


def test_mouth_width_loss_is_the_rounding_measures_width_and_pulls_toward_a_pucker():
    import torch

    from core.demohead.head import load_demo_head
    from core.lab.distill.losses import MouthWidthLoss
    from core.lab.eval.mouth_shape import mouth_width_mm
    from core.rig.arkit import LOWER_FACE

    loss = MouthWidthLoss(tuple(LOWER_FACE))
    weights = np.random.default_rng(1).random((2, 30, len(LOWER_FACE)), dtype=np.float32)
    got = loss.width_m(torch.from_numpy(weights)).numpy() * 1000.0
    want = np.stack([mouth_width_mm(w, LOWER_FACE, load_demo_head()) for w in weights])
    assert np.abs(got - want).max() < 1e-3  # mm

    rest = torch.zeros(1, 8, len(LOWER_FACE), requires_grad=True)
    rounded = torch.zeros(1, 8, len(LOWER_FACE))
    rounded[..., LOWER_FACE.index("mouthPucker")] = 0.8
    assert float(loss(rounded, rounded)) == 0.0
    loss(rest, rounded).backward()
    assert rest.grad[..., LOWER_FACE.index("mouthPucker")].min() < 0  # descent puckers


def test_shard_engine_reads_the_engine_from_a_shard_name():
    from pathlib import Path

    from core.lab.corpus.dataset import shard_engine

    names = [
        "shard-00012-espeak-en-us+f3.npz",
        "shard-50000-kokoro-af_alloy.npz",
        "shard-00100-festival-slt-hts.npz",
        "shard-00003.npz",
    ]
    assert [shard_engine(Path(n)) for n in names] == ["espeak", "kokoro", "festival", ""]


def test_students_learn_the_teachers_closure_and_phones(trained):
    """Pseudo-labelled shards carry the teacher's closure probability and phone posteriors, and
    the phone-aware student's closure and phone losses go down on them."""
    from core.lab.corpus.dataset import iter_corpus
    from core.lab.distill.data import load_clips

    runs, _, _ = trained
    utterance = next(iter_corpus(runs / "pseudo"))
    teacher = utterance.teacher
    assert teacher.shape == (len(utterance.weights), 1 + len(configs.TEACHER_PHONES))
    assert 0 <= teacher[:, 0].min() <= teacher[:, 0].max() <= 1
    assert np.allclose(teacher[:, 1:].sum(axis=1), 1.0, atol=0.02)  # posteriors (float16)
    clip = load_clips(runs / "pseudo", limit=1)[0]
    assert np.array_equal(clip.aux.astype(np.float32), teacher.astype(np.float16))
    history = train(
        Recipe(STUDENT_TINY, "pseudo", False, "test"),
        replace(STUDENT_SETTINGS, steps=100),
        runs / "pseudo",
        runs / "s_aware",
    )
    # soft targets: cross-entropy keeps the targets' entropy, so closure falls less far
    for term, required in (("closure", 0.9), ("phones", 0.8)):
        first = np.mean([h[term] for h in history[:5]])
        assert np.mean([h[term] for h in history[-5:]]) < required * first, term


def test_clip_sampler_gives_named_engines_their_share_of_the_draws():
    """Engine shares hold whatever the clip counts; an engine the corpus lacks is ignored."""
    from core.errors import CorpusError
    from core.lab.distill.data import Clip, ClipSampler

    def clips(engine: str, count: int) -> list[Clip]:
        return [
            Clip(np.zeros(1600, np.int16), np.zeros((6, 29)), np.zeros((6, 41)), engine)
            for _ in range(count)
        ]

    pool = clips("real", 900) + clips("espeak", 90) + clips("kokoro", 10)
    rng = np.random.default_rng(0)
    sampler = ClipSampler(pool, (("kokoro", 0.4), ("festival", 0.3)))
    drawn = [sampler.draw(rng).engine for _ in range(4000)]
    assert abs(drawn.count("kokoro") / 4000 - 0.4) < 0.03
    assert abs(drawn.count("real") / 4000 - 0.6 * 900 / 990) < 0.03
    plain = [ClipSampler(pool).draw(rng).engine for _ in range(2000)]
    assert abs(plain.count("kokoro") / 2000 - 0.01) < 0.01  # uniform over clips
    with pytest.raises(CorpusError, match="sum to"):
        ClipSampler(pool, (("kokoro", 0.7), ("real", 0.6)))


def test_quiet_rows_are_marked_and_the_rest_loss_measures_them():
    """student_batch says which rows are quiet (rest-pose targets); rest_loss is zero at rest
    and grows with any opening there."""
    import torch

    from core.lab.distill.data import Clip, ClipSampler, student_batch
    from core.lab.distill.losses import rest_loss

    clip = Clip(
        np.full(16000, 1000, np.int16),
        np.ones((60, 29), np.float32),
        np.zeros((60, 41), np.float16),
        "espeak",
    )
    _, targets, _, quiet = student_batch(
        ClipSampler([clip]), family.S_TINY, 16, 64, np.random.default_rng(0), quiet_share=0.5
    )
    assert 10 < quiet.sum() < 54
    assert np.all(targets[quiet] == 0) and np.all(targets[~quiet] == 1)
    rest = torch.zeros(2, 16, 29)
    assert rest_loss(rest) == 0
    rest[..., 0] = 0.1  # one channel open by 0.1 everywhere
    assert rest_loss(rest).item() == pytest.approx(0.01)
    assert rest_loss(rest[:0]) == 0  # a batch without quiet rows


@pytest.mark.parametrize("speed_range", [(0.8, 0.8), (1.25, 1.25), (0.8, 1.25)])
def test_speed_perturbed_crops_keep_labels_on_their_sounds(speed_range):
    """A crop played faster or slower carries labels read at the same speed: each click of the
    clip (every 0.5 s, from 0.25 s) sits within 5 ms of where the labels say the clip's time
    is that click's, and the crop really changed speed."""
    from core.lab.distill.data import Clip, ClipSampler, student_batch
    from core.runtime.configs import HOP

    audio = np.zeros(5 * 16000, np.int16)
    clicks_s = np.arange(0.25, 5.0, 0.5)
    audio[(clicks_s * 16000).astype(int)] = 30000
    labels = np.repeat((np.arange(300) / 60.0)[:, None], 29, axis=1).astype(np.float32)
    clip = Clip(audio, labels, np.zeros((300, 41), np.float16), "espeak")
    rows, targets, _, _ = student_batch(
        ClipSampler([clip]),
        family.S_TINY,
        150,
        8,
        np.random.default_rng(3),
        0.0,
        speed_share=1.0,
        speed_range=speed_range,
    )
    past = family.S_TINY.past_samples
    for row, target in zip(rows, targets, strict=True):
        peaks = np.flatnonzero(np.abs(row) > 0.5 * np.abs(row).max())
        peaks = peaks[np.diff(peaks, prepend=-1000) > 400]  # one sample per click
        assert len(peaks) >= 2
        frames = (peaks - past) / HOP
        inside = (frames >= 0) & (frames <= len(target) - 1)
        said_s = np.interp(frames[inside], np.arange(len(target)), target[:, 0])
        assert (
            np.abs(said_s - clicks_s[np.argmin(np.abs(said_s[:, None] - clicks_s), 1)]).max()
            < 0.005
        )
        speed = (target[-1, 0] - target[0, 0]) / ((len(target) - 1) / 100)
        assert speed_range[0] - 0.02 <= speed <= speed_range[1] + 0.02
        assert abs(np.diff(peaks).min() / 8000 - 1 / speed) < 0.01  # clicks 0.5 s / speed apart


def test_the_closure_peak_loss_prefers_one_sure_peak_to_a_hedge():
    """Against a teacher closure of one sure frame, a student sure at a frame 2 away scores
    far better than one that hedges at 0.3 over the whole closure, and a sure peak far from it
    worse still; without a teacher closure the term is zero."""
    import torch

    from core.lab.distill.losses import closure_peak_loss

    def logits(probabilities):
        p = torch.tensor(probabilities, dtype=torch.float32).clamp(1e-4, 1 - 1e-4)
        return torch.log(p / (1 - p))[None]

    teacher = torch.zeros(1, 30)
    teacher[0, 15] = 1.0
    sure = [0.0] * 30
    sure[17] = 1.0
    hedge = [0.3 if 12 <= t <= 18 else 0.0 for t in range(30)]
    sure_loss = closure_peak_loss(logits(sure), teacher, 7)
    hedge_loss = closure_peak_loss(logits(hedge), teacher, 7)
    assert sure_loss < 0.01 and hedge_loss > 1.0
    misplaced = [0.0] * 30
    misplaced[3] = 1.0
    assert closure_peak_loss(logits(misplaced), teacher, 7) > 5 * hedge_loss
    assert closure_peak_loss(logits(sure), torch.zeros(1, 30), 7) == 0


def test_the_closure_quiet_loss_punishes_a_lone_spike_away_from_closures_only():
    """A sure spike 10 frames from the teacher's closure costs far more than the same spike on
    it, or a low hedge; in silence it costs nothing."""
    import torch

    from core.lab.distill.losses import closure_quiet_loss

    def logits(probabilities):
        p = torch.tensor(probabilities, dtype=torch.float32).clamp(1e-4, 1 - 1e-4)
        return torch.log(p / (1 - p))[None]

    teacher = torch.zeros(1, 40)
    teacher[0, 10] = 1.0
    speech = torch.ones(1, 40)
    on_closure = [0.0] * 40
    on_closure[10] = 1.0
    away = list(on_closure)
    away[30] = 1.0
    hedge = [0.05] * 40
    quiet = closure_quiet_loss(logits(on_closure), teacher, speech, 7)
    spiked = closure_quiet_loss(logits(away), teacher, speech, 7)
    assert quiet < 0.01 and spiked > 1.0
    assert closure_quiet_loss(logits(hedge), teacher, speech, 7) < 0.1
    assert closure_quiet_loss(logits(away), teacher, torch.zeros(1, 40), 7) == 0


def test_rounded_negative_weight_weighs_closure_errors_on_rounded_speech_only():
    """The same small closure probability costs rounded_negative_weight times as much (beyond
    the hard negatives) where the teacher hears /w/ as where it hears /iy/, and nothing changes
    at its default or where the teacher has a closure."""
    import torch

    from core.lab.distill.losses import phone_aware_loss, rounded_columns
    from core.lab.distill.recipes import TrainSettings

    phones = ("SIL", "P", "W", "IY")
    rounded = rounded_columns(phones)
    assert rounded.tolist() == [0.0, 0.0, 1.0, 0.0]

    def closure_term(heard: str, closure: float, weight: float) -> float:
        aux = torch.zeros(1, 4, 1 + len(phones))
        aux[..., 0] = closure
        aux[..., 1 + phones.index(heard)] = 1.0
        logits = torch.full((1, 4, 1 + len(phones)), -3.0)
        settings = TrainSettings(steps=1, batch=1, lr=1e-3, rounded_negative_weight=weight)
        return float(phone_aware_loss(logits, aux, True, settings, rounded)["closure"])

    w_off, iy_off = closure_term("W", 0.0, 1.0), closure_term("IY", 0.0, 1.0)
    assert w_off == iy_off
    assert closure_term("IY", 0.0, 10.0) == iy_off
    # hard negatives weigh 3, rounded ones 3 + 9 = 12
    assert abs(closure_term("W", 0.0, 10.0) / iy_off - 12 / 3) < 1e-4
    assert closure_term("W", 1.0, 10.0) == closure_term("W", 1.0, 1.0)


def test_a_temperature_softens_the_teachers_outputs_and_keeps_their_order():
    """Softened, the teacher's closure probabilities move toward one half and its phone
    posteriors flatten, in the same order; temperature 1 changes nothing, and a student whose
    logits already match the softened targets is at the minimum of the softened loss."""
    import torch

    from core.lab.distill.losses import phone_aware_loss, soften_closure, soften_phones
    from core.lab.distill.recipes import TrainSettings

    closure = torch.tensor([0.0, 0.01, 0.3, 0.9, 1.0])
    soft = soften_closure(closure, 2.0)
    assert torch.all(soft.diff() > 0) and torch.all((soft - 0.5).abs() <= (closure - 0.5).abs())
    assert 0.0 < soft[0] < 0.01 and 0.99 < soft[-1] < 1.0
    assert torch.equal(soften_closure(closure, 1.0), closure)
    posteriors = torch.tensor([0.0, 0.05, 0.15, 0.8])
    flat = soften_phones(posteriors, 3.0)
    assert torch.equal(flat.argsort(), posteriors.argsort()) and abs(float(flat.sum()) - 1) < 1e-6
    assert flat.max() < 0.8 and flat[0] > 0
    assert torch.equal(soften_phones(posteriors, 1.0), posteriors)

    aux = torch.cat([closure[:4, None], posteriors.repeat(4, 1)], dim=-1)[None]  # (1, 4, 5)
    settings = TrainSettings(steps=1, batch=1, lr=1e-3, hard_negative_weight=1.0, temperature=2.0)

    def phone_term(logits: torch.Tensor) -> float:
        return float(phone_aware_loss(logits, aux, True, settings)["phones"])

    matched = torch.zeros(1, 4, 5)
    matched[..., 1:] = 2.0 * soften_phones(posteriors, 2.0).log()
    assert phone_term(matched) < phone_term(matched + torch.tensor([0, 0.5, 0, 0, -0.5]))


def test_procedural_shards_give_closure_and_phone_truth(tmp_path):
    """Without a teacher the closure target is the P/B/M frames and the phones one-hot."""
    from core.lab.corpus.dataset import Utterance, write_shard
    from core.lab.distill.data import load_clips
    from core.phones.phone_set import Phone

    phones = (Phone(0.0, 0.105, "SIL"), Phone(0.105, 0.255, "B"), Phone(0.255, 0.395, "AA"))
    utterance = Utterance(
        "u",
        np.zeros(8000, np.float32),
        np.zeros((30, 29), np.float32),
        phones,
        "ba",
        "espeak",
        "en-us",
        "en",
    )
    write_shard(tmp_path / "shard-00000-espeak-en-us.npz", [utterance])
    (clip,) = load_clips(tmp_path)
    names = [configs.TEACHER_PHONES[i] for i in clip.aux[:, 1:].argmax(axis=1)]
    assert names[:7] == ["SIL"] * 7 and names[7:16] == ["B"] * 9 and names[16:24] == ["AA"] * 8
    assert names[24:] == ["SIL"] * 6  # past the last phone
    assert np.array_equal(np.flatnonzero(clip.aux[:, 0]), np.arange(7, 16))  # closed on B only


def test_a_student_from_before_the_heads_starts_a_phone_aware_run(trained, tmp_path):
    """--init from a shipped file with weights-only outputs: every layer and the weight rows
    carry over, the new closure and phone rows start fresh."""
    import torch

    from core.lab.distill.checkpoint import trained_state
    from core.lab.models.student import Student
    from core.runtime.configs import StudentConfig

    runs, _, _ = trained
    aware = STUDENT_TINY
    old = StudentConfig(
        "student_tiny",
        aware.layers,
        aware.bottleneck,
        aware.hidden,
        past_ms=aware.past_ms,
        future_ms=aware.future_ms,
    )
    torch.manual_seed(3)
    state = {k: v.numpy() for k, v in Student(old).state_dict().items()}
    write_model_file(tmp_path / "old.npz", "student_tiny", old, state, "Training: old")
    train(
        Recipe(aware, "pseudo", False, "test"),
        replace(STUDENT_SETTINGS, steps=1, lr=1e-9),
        runs / "pseudo",
        tmp_path / "run",
        init=tmp_path / "old.npz",
    )
    started = trained_state(tmp_path / "run")["model"]
    k = len(aware.channels)
    for name, value in state.items():
        rows = value if not name.startswith("out.") else value[:k]
        assert np.allclose(started[name].numpy()[: len(rows)], rows, atol=1e-6), name


@pytest.mark.slow
def test_feature_cache_limit_counts_what_is_cached(synthetic_corpus, tmp_path):
    """--feature-shards N: the cache holds N shards, so rerunning the same command adds none."""
    from core.lab.corpus.dataset import list_shards

    shards = len(list_shards(synthetic_corpus / "train"))
    assert build_cache(synthetic_corpus, tmp_path, ("train",), DEFAULT_ENCODER, limit=1) == 1
    assert build_cache(synthetic_corpus, tmp_path, ("train",), DEFAULT_ENCODER, limit=1) == 0
    assert build_cache(synthetic_corpus, tmp_path, ("train",), DEFAULT_ENCODER) == shards - 1


def test_a_resumed_feature_cache_reaches_every_voice_as_an_uninterrupted_one(tmp_path):
    """Interrupted after two voices' first shards, a limited cache resumed still takes the first
    shard of every other voice before anyone's second."""
    from core.lab.distill.features import still_to_cache

    names = [
        f"shard-{i:05d}-{engine}" for i, engine in enumerate(["espeak-a"] * 3 + ["flite-b"] * 2)
    ]
    names += ["shard-00100-festival-c"]
    todo = [(tmp_path / "corpus" / f"{n}.npz", tmp_path / "cache" / f"{n}.npz") for n in names]
    first = [shard.stem for shard, _ in still_to_cache(todo, 3)]
    assert first == ["shard-00000-espeak-a", "shard-00003-flite-b", "shard-00100-festival-c"]
    (tmp_path / "cache").mkdir()
    for n in first[:2]:  # interrupted here
        (tmp_path / "cache" / f"{n}.npz").touch()
    assert [shard.stem for shard, _ in still_to_cache(todo, 3)] == ["shard-00100-festival-c"]
    assert len(still_to_cache(todo, 0)) == len(names) - 2


def test_training_settings_take_overrides_by_name():
    from core.lab.distill.train import override_settings

    assignments = ["closure_weight=0.5", "feature_layers=(0, 2)"]
    settings = override_settings(STUDENT_SETTINGS, assignments)
    assert settings.closure_weight == 0.5 and settings.feature_layers == (0, 2)
    for bad in ("no_such_setting=1", "closure_weight=half"):
        with pytest.raises(SystemExit, match="--set"):
            override_settings(STUDENT_SETTINGS, [bad])


def test_a_shipped_file_with_its_own_ramps_starts_a_run_of_its_model():
    """--init takes a shipped student whose seal and part ramps were chosen after training (they
    live in its config); another model's layers are still refused."""
    from core.lab.distill.train import _same_body

    shipped = replace(family.S_LOWLAT, seal_ramp=(0.05, 0.2), part_ramp=(0.5, 0.8))
    assert _same_body(shipped, family.S_LOWLAT)
    assert not _same_body(shipped, family.S_TINY)


def test_vary_levels_moves_only_the_chosen_rows_within_the_range():
    from core.lab.distill.data import vary_levels

    audio = np.full((40, 800), 0.01, np.float32)
    rows = np.arange(40) % 2 == 0
    out = vary_levels(audio.copy(), rows, (-12.0, 12.0), np.random.default_rng(0))
    change_db = 20 * np.log10(out[:, 0] / 0.01)
    assert np.all(change_db[~rows] == 0)
    assert -12 <= change_db[rows].min() < -3 and 3 < change_db[rows].max() <= 12


def test_shift_pitches_moves_only_chosen_rows_up_or_down_in_range():
    """Chosen rows of a 200 Hz tone come out between 1 and 5 semitones higher or lower, both
    ways over a batch, same length; the other rows are untouched."""
    from core.lab.distill.data import shift_pitches

    t = np.arange(16000) / 16000
    audio = np.tile(0.3 * np.sin(2 * np.pi * 200 * t).astype(np.float32), (12, 1))
    rows = np.arange(12) % 3 != 0
    out = shift_pitches(audio.copy(), rows, 1.0, (1.0, 5.0), np.random.default_rng(0))
    np.testing.assert_array_equal(out[~rows], audio[~rows])
    peaks_hz = np.argmax(np.abs(np.fft.rfft(out[rows, 2000:14000], axis=1)), axis=1) / 0.75
    semitones = 12 * np.log2(peaks_hz / 200)
    assert np.all((np.abs(semitones) > 0.7) & (np.abs(semitones) < 5.3)), semitones
    assert semitones.min() < 0 < semitones.max()
