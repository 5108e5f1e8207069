"""Training on a synthetic corpus: loss goes down per model kind, resume, pseudo-labels, export."""

from dataclasses import replace

import numpy as np
import pytest

from core.distill.pseudo import pseudo_label
from core.distill.recipes import Recipe, TrainSettings
from core.distill.train import CHECKPOINT, train
from core.models import configs
from core.runtime.export import export_checkpoint

TINY_STUDENT_LOGMEL = replace(
    configs.S_TINY_LOGMEL,
    name="tiny_logmel",
    past_ms=64,
    future_ms=28.0,
    layers=(configs.ConvLayer(8, 3, 1),),
)
TEACHER_SETTINGS = TrainSettings(steps=30, batch=4, lr=3e-3, crop_s=1.0, save_every=10)
STUDENT_SETTINGS = TrainSettings(
    steps=40, batch=8, lr=1e-2, crop_frames=16, save_every=20, feature_layers=(1, 3)
)


def _decreased(history: list[dict[str, float]]) -> bool:
    first = np.mean([h["total"] for h in history[:5]])
    last = np.mean([h["total"] for h in history[-5:]])
    return last < 0.7 * first


@pytest.fixture(scope="module")
def trained(synthetic_corpus, tmp_path_factory):
    """Tiny teacher, its pseudo-labels and a tiny S0, trained once for the module."""
    runs = tmp_path_factory.mktemp("runs")
    teacher = train(
        Recipe(configs.TEACHER_TINY, "procedural", False, "test"),
        TEACHER_SETTINGS,
        synthetic_corpus / "train",
        runs / "teacher",
    )
    pseudo = pseudo_label(
        runs / "teacher" / CHECKPOINT,
        synthetic_corpus,
        runs / "pseudo",
        copies=2,
        shard_size=8,
        limit=24,
    )
    s0 = train(
        Recipe(configs.STUDENT_TINY, "pseudo", False, "test"), STUDENT_SETTINGS, pseudo, runs / "s0"
    )
    return runs, teacher, s0


def test_teacher_and_s0_losses_go_down(trained):
    _, teacher, s0 = trained
    assert _decreased(teacher) and _decreased(s0)


def test_hybrid_distillation_loss_goes_down(trained):
    runs, _, _ = trained
    narrow = replace(
        configs.STUDENT_TINY,
        name="narrow",
        layers=tuple(
            replace(layer, channels=max(2, layer.channels // 2))
            for layer in configs.STUDENT_TINY.layers
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


def test_pseudo_labels_cover_augmented_copies_and_resume(trained, synthetic_corpus):
    from core.corpus.dataset import iter_corpus

    runs, _, _ = trained
    utterances = list(iter_corpus(runs / "pseudo"))
    assert len(utterances) == 24
    assert {u.augmentation == "" for u in utterances} == {True, False}
    assert all(
        u.weights.shape[1] == 29 and 0 <= u.weights.min() <= u.weights.max() <= 1
        for u in utterances
    )
    stamps = {p.name: p.stat().st_mtime_ns for p in (runs / "pseudo").glob("shard-*.npz")}
    pseudo_label(
        runs / "teacher" / CHECKPOINT,
        synthetic_corpus,
        runs / "pseudo",
        copies=2,
        shard_size=8,
        limit=24,
    )
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (runs / "pseudo").glob("shard-*.npz")}


def test_training_resumes_from_checkpoint(trained, synthetic_corpus, tmp_path):
    recipe = Recipe(configs.STUDENT_TINY, "procedural", False, "test")
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
    from core.models.teacher import Teacher

    runs, _, _ = trained
    for name in ("teacher", "s0"):
        export_checkpoint(runs / name / CHECKPOINT, runs / f"{name}.npz")
        model = load_model(runs / f"{name}.npz")
        info = model_info(model)
        assert info.parameters > 0 and "Training: test" in info.card
    state = torch.load(runs / "teacher" / CHECKPOINT, weights_only=True)
    teacher = Teacher(configs.TEACHER_TINY).eval()
    teacher.load_state_dict(state["model"])
    expected = teacher.predict(torch.from_numpy(speechlike)[None])[0].numpy()
    got = load_model(runs / "teacher.npz").frames(speechlike)
    assert np.abs(got - expected).max() <= 1e-5


def test_lip_gap_loss_is_the_heads_gap_and_weights_pressed_closures():
    import torch

    from core.distill.losses import LipGapLoss
    from core.head import lip_gap
    from core.rig import LOWER_FACE

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
