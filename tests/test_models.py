"""Torch models vs the numpy runtime: parity, the per-window definition, file round trips."""

from dataclasses import replace

import numpy as np
import pytest
import torch
from model_configs import STUDENT_TINY

from core.lab.models import family
from core.lab.models.student import Student
from core.runtime import configs
from core.runtime import student as np_student
from core.runtime.modelfile import read_model_file, write_model_file

STUDENTS = [
    family.S0,
    family.S_TINY,
    family.S_LOWLAT,
    family.S_TINY_RAW,
    family.S_LOWLAT_RAW,
    family.S_TINY_MFCC,
    family.S_TINY_DEEP,
    STUDENT_TINY,
]


def _weights(model: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: value.numpy() for name, value in model.state_dict().items()}


@pytest.mark.parametrize("config", STUDENTS, ids=lambda c: c.name)
def test_student_numpy_matches_torch(config, speechlike):
    torch.manual_seed(0)
    model = Student(config).eval()
    weights = _weights(model)
    assert {k: tuple(v.shape) for k, v in weights.items()} == np_student.expected_shapes(config)
    with torch.no_grad():
        expected = model.predict_clip(torch.from_numpy(speechlike)[None])[0].numpy()
    got = np_student.student_frames(config, np_student.build_stages(config, weights), speechlike)
    assert got.shape == (int(np.ceil(len(speechlike) / configs.HOP)), len(config.channels))
    # numpy's and torch's log-mel differ by ~1e-6, and the seal ramp steepens that
    tolerance = 1e-5 if config.input_kind == "raw" else 1e-4
    assert np.abs(got - expected).max() <= tolerance


@pytest.mark.parametrize(
    "config",
    [family.S_TINY, family.S_LOWLAT, family.S_TINY_MFCC, family.S_TINY_DEEP, STUDENT_TINY],
    ids=lambda c: c.name,
)
def test_fully_convolutional_equals_per_window_definition(config, speechlike):
    torch.manual_seed(1)
    model = Student(config).eval()
    stages = np_student.build_stages(config, _weights(model))
    clip = speechlike[:8000]
    frames = np_student.student_frames(config, stages, clip)
    padded = np.concatenate(
        [
            np.zeros(config.past_samples, np.float32),
            clip,
            np.zeros(config.window_samples, np.float32),
        ]
    )
    for j in (0, 7, 23, len(frames) - 1):
        window = padded[configs.HOP * j : configs.HOP * j + config.window_samples]
        assert np.abs(np_student.student_window(stages, window) - frames[j]).max() <= 1e-5
        with torch.no_grad():  # the torch module on one window: one frame
            weights, logits, _ = model(torch.from_numpy(window)[None])
            one = model.sealed(weights, logits)[0, 0].numpy()
        assert np.abs(one - frames[j]).max() <= 1e-5


def test_model_file_round_trip_float32_and_float16(tmp_path):
    torch.manual_seed(2)
    weights = _weights(Student(family.S_TINY))
    for dtype, tolerance in (("float32", 0.0), ("float16", 1e-3)):
        path = tmp_path / f"m-{dtype}.npz"
        write_model_file(path, "s_tiny", family.S_TINY, weights, "card text", dtype)
        loaded = read_model_file(path)
        assert loaded.config == family.S_TINY and loaded.card == "card text"
        assert loaded.dtype == dtype and loaded.file_size == path.stat().st_size
        for name, value in weights.items():
            assert np.abs(loaded.weights[name] - value).max() <= tolerance * (
                1 + np.abs(value).max()
            )
    half = read_model_file(tmp_path / "m-float16.npz").file_size
    assert half < 0.55 * read_model_file(tmp_path / "m-float32.npz").file_size


def test_shipped_configs_meet_size_and_latency_targets():
    from core.lab.models.student import parameter_count

    # issue 29: the paper's on-device budget, <= 0.3 M parameters and a file <= 1.5 MB
    assert parameter_count(Student(family.S_TINY)) <= 0.3e6
    assert parameter_count(Student(family.S_TINY)) * 4 <= 1.5e6  # float32 bytes
    assert family.S0.past_ms == family.S0.future_ms == 256
    assert family.S_LOWLAT.future_ms <= 64
    assert family.S_LOWLAT_RAW.future_ms <= 64
    assert [layer.channels * 4 for layer in family.S_TINY_RAW.layers] == [
        layer.channels for layer in family.S0.layers
    ]  # the raw-waveform ablation: 75 % fewer channels than S0


def test_student_closure_head_seals_the_pose_and_old_files_still_load(speechlike, tmp_path):
    from core.demohead.head import is_closed, lip_gap, load_demo_head

    config = family.S_TINY
    k = len(config.channels)
    weights = _weights(Student(config))
    head = load_demo_head()

    def gaps(closure_bias: float) -> np.ndarray:
        w = dict(weights, **{"out.bias": weights["out.bias"].copy()})
        w["out.weight"] = w["out.weight"].copy()
        w["out.weight"][k] = 0.0  # the closure logit is its bias alone
        w["out.bias"][k] = closure_bias
        frames = np_student.student_frames(config, np_student.build_stages(config, w), speechlike)
        return lip_gap(frames, config.channels, head)

    assert is_closed(gaps(8.0)).all()  # confident closure: sealed on every frame
    assert not is_closed(gaps(-8.0)).all()  # no closure: the random pose stays open somewhere
    # A student file from before the phone-aware heads (K output rows) runs unsealed as before.
    old = configs.StudentConfig(
        "s_old",
        config.layers,
        config.bottleneck,
        config.hidden,
        channels=config.channels,
        input_kind=config.input_kind,
    )
    old_weights = _weights(Student(old))
    assert old_weights["out.weight"].shape[0] == k
    write_model_file(tmp_path / "old.npz", "s_old", old, old_weights, "before the heads")
    loaded = read_model_file(tmp_path / "old.npz")
    assert not loaded.config.closure_head and loaded.config.phones == ()


def test_a_students_seal_ramp_lives_in_its_file_and_the_choice_keeps_the_weights(
    speechlike, tmp_path
):
    from core.demohead.head import is_closed, lip_gap
    from core.lab.distill.seal_choice import RAMPS, apply_choice, choose
    from core.lab.eval.choosing_sets import REAL_SET

    config = family.S_TINY
    k = len(config.channels)
    weights = _weights(Student(config))
    weights["out.weight"][k] = 0.0
    weights["out.bias"][k] = -1.4  # closure probability 0.2 on every frame

    def closed_share(ramp) -> float:
        ramped = replace(config, seal_ramp=ramp)
        frames = np_student.student_frames(
            ramped, np_student.build_stages(ramped, weights), speechlike
        )
        return float(is_closed(lip_gap(frames, config.channels)).mean())

    assert closed_share((0.02, 0.1)) == 1.0 and closed_share((0.35, 0.65)) < 1.0
    # The choice scores every ramp on every choosing set with the part ramp off: where 0.2 seals
    # fully, the bilabial (M) and the alveolar (T, away from the M) are both sealed.
    from core.lab.eval.devset_clip import DevClip
    from core.phones.phone_set import Phone

    path = tmp_path / "s_tiny.npz"
    write_model_file(path, "s_tiny", replace(config, part_ramp=(0.5, 0.8)), weights, "card")
    phones = (Phone(0.0, 1.0, "M"), Phone(1.0, 2.0, "AA"), Phone(2.0, 3.3, "T"))
    clip = DevClip("c", speechlike, phones, "", "test", "speaker", "F", "")
    best, scores = apply_choice(path, {REAL_SET: [clip]})
    assert [s.setting for s in scores] == list(RAMPS) and best.setting == choose(scores).setting
    for s in scores:
        summary = s.summaries[REAL_SET]
        if s.setting[1] <= 0.2:
            assert summary["pbm_40ms_pct"] == 100.0 == summary["false_closure_consonant_pct"]
    chosen = read_model_file(path)
    assert chosen.config.seal_ramp == best.setting and chosen.config.part_ramp == (0.5, 0.8)
    assert chosen.card == "card" and all(
        np.array_equal(chosen.weights[n], weights[n]) for n in weights
    )


def test_the_seal_ramp_rule_rests_first_then_takes_the_best_merit_ties_to_the_higher_ramp():
    from core.lab.distill.seal_choice import Trial, choose
    from core.lab.eval.choosing_sets import REAL_SET

    def score(ramp, pbm, false, rest=1.0):
        summary = {"pbm_40ms_pct": pbm, "false_closure_consonant_pct": false}
        return Trial(ramp, {REAL_SET: summary, "two": summary}, (1.0, rest))

    high, mid, low = (0.35, 0.65), (0.1, 0.3), (0.02, 0.1)
    assert choose([score(high, 50, 5), score(mid, 80, 10), score(low, 95, 30)]).setting == mid
    assert choose([score(high, 50, 5), score(mid, 80, 10), score(low, 99, 1, 0.9)]).setting == mid
    assert choose([score(high, 60, 10), score(mid, 55, 5)]).setting == high  # a tie
    assert choose([score(high, 50, 5, 0.5), score(mid, 80, 10, 0.5)]).setting == mid  # none rests


def test_a_part_ramp_parts_the_lips_where_the_phone_head_hears_speech(speechlike, tmp_path):
    """With part_ramp, frames whose phone head says speech (not SIL) and whose closure head says
    no closure get the jaw open (lips apart); off (None) the pose is the sealed pose alone. The
    torch student, the numpy runtime and the model file agree."""
    from core.demohead.head import is_closed, lip_gap
    from core.rig.seal import PARTED_JAW

    config = family.S_TINY
    k = len(config.channels)
    weights = _weights(Student(config))
    for name in ("out.weight", "out.bias"):
        weights[name][:] = 0.0
    weights["out.bias"][:k] = -8.0  # every weight ~0: the closed rest pose
    weights["out.bias"][k] = -8.0  # no closure
    speech_class = k + 1 + config.phones.index("AA")
    weights["out.bias"][speech_class] = 8.0  # the phone head hears AA everywhere

    def frames(part_ramp):
        parted = replace(config, part_ramp=part_ramp)
        return np_student.student_frames(
            parted, np_student.build_stages(parted, weights), speechlike
        )

    jaw = config.channels.index("jawOpen")
    assert is_closed(lip_gap(frames(None), config.channels)).all()
    parted = frames((0.5, 0.8))
    assert np.allclose(parted[:, jaw], PARTED_JAW, atol=1e-3)
    assert not is_closed(lip_gap(parted, config.channels)).any()

    model = Student(replace(config, part_ramp=(0.5, 0.8)))
    model.load_state_dict({n: torch.from_numpy(w) for n, w in weights.items()})
    with torch.no_grad():
        torch_frames = model.eval().predict_clip(torch.from_numpy(speechlike)[None])[0].numpy()
    assert np.abs(torch_frames - parted).max() < 1e-5

    write_model_file(tmp_path / "p.npz", "p", replace(config, part_ramp=(0.2, 0.4)), weights, "")
    assert read_model_file(tmp_path / "p.npz").config.part_ramp == (0.2, 0.4)
    with pytest.raises(ValueError, match="part_ramp"):
        replace(config, part_ramp=(0.8, 0.5))
    with pytest.raises(ValueError, match="SIL"):
        replace(family.S_TINY, phones=(), closure_head=False, part_ramp=(0.5, 0.8))


def test_the_part_ramp_choice_puts_rest_first_then_closures_minus_false_closures():
    from core.lab.distill.part_choice import PartScore, choose

    resting, restless = (1.0,) * 5, (1.0, 1.0, 1.0, 0.9, 1.0)
    off = PartScore(None, 80.0, 80.0, 20.0, 10.0, resting)
    mild = PartScore((0.5, 0.8), 80.0, 80.0, 18.0, 9.0, resting)
    same = PartScore((0.3, 0.6), 80.0, 80.0, 18.0, 8.0, resting)  # ties with mild: mild first
    eager = PartScore((0.05, 0.2), 80.0, 80.0, 10.0, 5.0, restless)  # lips part on hiss
    costly = PartScore((0.1, 0.3), 78.0, 80.0, 12.0, 5.0, resting)  # a p/b/m lost inside
    assert choose([off, mild, same, costly, eager]) is mild
    assert choose([off, eager]) is off and choose([off, costly]) is off
    assert choose([PartScore(None, 80.0, 80.0, 20.0, 9.0, restless), eager]) is eager  # none rests


def test_the_part_ramp_choice_rewrites_the_cards_line_about_it():
    from core.lab.distill.part_choice import with_part_note

    card = "# Model card\nPhone-aware: seals closures.\nTraining: KD.\n"
    once = with_part_note(card, (0.1, 0.3))
    assert once.splitlines()[2].startswith("Lips parted in speech:") and "0.1" in once
    assert with_part_note(once, (0.2, 0.4)).count("Lips parted") == 1
    assert with_part_note(once, None) == card


def test_the_seal_ramp_choice_rewrites_the_cards_line_about_it():
    from dataclasses import replace

    from core.lab.distill.export import with_seal_note
    from core.runtime.catalog import MODELS_DIR
    from core.runtime.modelfile import read_model_file

    config = read_model_file(MODELS_DIR / "s_tiny.npz").config
    card = "# Model card\nPhone-aware: seal from p = 0.5, full at 0.9.\nTraining: KD.\n"
    rewritten = with_seal_note(card, replace(config, seal_ramp=(0.03, 0.15)))
    lines = rewritten.splitlines()
    assert "seal from p = 0.03, full at 0.15" in lines[1] and "0.9" not in rewritten
    assert lines[0] == "# Model card" and lines[2] == "Training: KD."


def test_card_evaluation_sections_refresh_from_the_eval_rows(tmp_path):
    import json

    from core.lab.distill.model_cards import EVAL_HEADING, refresh_evaluation

    config = family.S_TINY
    weights = _weights(Student(config))
    limits = "## Known limits\n\n- x\n"
    card = f"# Model card: s_tiny\n\nintro\n\n{EVAL_HEADING}\n\nold table\n\n{limits}"
    write_model_file(tmp_path / "s_tiny.npz", "s_tiny", config, weights, card)
    metrics = {"pbm_40ms_pct": 64.3, "pbm_inside_pct": 60.7}
    rows = [
        {
            "system": "s_tiny",
            "eval_set": "real dev set, report half",
            "smoothing": True,
            "metrics": metrics,
        }
    ]
    (tmp_path / "eval.json").write_text(json.dumps({"rows": rows}))
    (written,) = refresh_evaluation(tmp_path / "eval.json", tmp_path)
    text = read_model_file(tmp_path / "s_tiny.npz").card
    assert written.read_text() == text and "old table" not in text
    assert "| real dev set, report half | yes | 64.3 | 60.7 |" in text
    assert text.startswith("# Model card: s_tiny\n\nintro") and text.endswith(limits)


def test_cards_name_the_optional_steps_a_run_took():
    from dataclasses import asdict

    from core.lab.distill.model_cards import option_lines
    from core.lab.distill.recipes import FULL_STUDENT

    # off by default; the default recipe's Kokoro share is named
    assert option_lines(asdict(FULL_STUDENT)) == [
        "- speech crops drawn from named engines: kokoro 40%"
    ]
    taken = replace(FULL_STUDENT, speed_share=0.5, pitch_share=0.3, peak_weight=0.5)
    taken = replace(taken, width_weight=5.0, rounded_negative_weight=40.0, engine_shares=())
    lines = option_lines(asdict(replace(taken, hard_negative_weight=6.0, temperature=2.0)))
    assert len(lines) == 7
    assert "weight 5.0" in lines[3] and "temperature 2 " in lines[4]
    assert "without a closure weigh 6x more" in lines[5] and "weigh 40x more" in lines[6]
    assert "50% of speech crops played 0.8-1.25x" in lines[0] and "1-5 semitones" in lines[1]


def test_a_candidate_replaces_the_shipped_student_only_with_merit_and_its_mouth_shapes():
    from core.lab.distill.ship_check import SHAPE_SLACK, Standing, replaces

    shipped = Standing(
        74.6,
        choose_merit=67.1,
        gap_r=0.74,
        rounding_auc=0.80,
        rounding_contrast_mm=2.3,
        pose_rounding_auc=0.82,
        closure_auc=0.92,
    )
    better = replace(shipped, merit=75.0)
    assert not replaces(replace(better, choose_merit=64.7), shipped)  # real speech lost
    assert replaces(better, shipped) and not replaces(shipped, shipped)  # a tie keeps the file
    flat = replace(better, rounding_auc=0.80 - 2 * SHAPE_SLACK)  # closes more, rounds less
    assert not replaces(flat, shipped)
    assert not replaces(replace(better, gap_r=0.74 - 2 * SHAPE_SLACK), shipped)
    assert replaces(replace(better, rounding_auc=0.80 - SHAPE_SLACK / 2), shipped)


def _sample_speech() -> np.ndarray:
    """The bundled real speech line (6 s, 16 kHz, 11 p/b/m)."""
    from pathlib import Path

    import soundfile

    audio, _ = soundfile.read(Path(__file__).parents[1] / "assets" / "sample_speech.wav")
    return np.asarray(audio, np.float32)


def test_the_pose_head_alone_neither_seals_nor_parts():
    """ship_check's diagnosis: on real speech with 11 p/b/m the shipped S-tiny presses its lips
    fully (the seal's press) on many frames; with its ramps off, on none."""
    from core.api import load_model
    from core.lab.distill.ship_check import NO_SEAL, pose_head_only
    from core.rig.seal import PRESS_AT_FULL_SEAL

    model = load_model("s_tiny")
    pose = pose_head_only(model)
    assert pose.config.seal_ramp == NO_SEAL and pose.config.part_ramp is None
    assert model.config.seal_ramp != NO_SEAL  # the loaded file is left as it was
    audio = _sample_speech()
    press = model.config.channels.index("mouthPressLeft")
    sealed, alone = model.frames(audio)[:, press], pose.frames(audio)[:, press]
    full = PRESS_AT_FULL_SEAL - 0.01  # float rounding
    assert (sealed >= full).sum() > 50 and (alone >= full).sum() == 0


def test_output_logits_are_what_the_runtime_seals():
    """The student's raw output layer, sealed as the runtime seals it, is the runtime's pose;
    its closure column is a logit (ship_check's closure AUC reads it)."""
    from core.api import load_model
    from core.runtime.student import output_logits, sealed_weights

    model = load_model("s_tiny")
    audio = _sample_speech()
    logits = output_logits(model.config, model.file.weights, audio)
    assert logits.shape == (len(model.frames(audio)), model.config.n_outputs)
    np.testing.assert_allclose(sealed_weights(logits, model.config), model.frames(audio), atol=1e-6)
    closure = logits[:, len(model.config.channels)]
    # a logit, not a probability: sure of silence, and past 1 on some p/b/m
    assert closure.min() < -2.0 and closure.max() > 1.0


def test_a_widened_student_computes_what_the_shipped_one_does(tmp_path):
    """Net2WiderNet from the shipped S-lowlat: every output logit on real speech the same (to
    float rounding) at the wide S-tiny's widths; another window, a narrower or re-kernelled
    target is refused."""
    from core.lab.distill.widen import widen_file, widen_weights
    from core.runtime.catalog import MODELS_DIR

    shipped = read_model_file(MODELS_DIR / "s_lowlat.npz")
    widths = {"layers": family.S_TINY_WIDE.layers, "bottleneck": 32, "hidden": 64}
    target = replace(family.S_LOWLAT, **widths)
    wide = widen_file(MODELS_DIR / "s_lowlat.npz", target, tmp_path / "wide.npz")
    assert wide.config.seal_ramp == shipped.config.seal_ramp
    assert sum(v.size for v in wide.weights.values()) > 2 * sum(
        v.size for v in shipped.weights.values()
    )
    speech = _sample_speech()
    before = np_student.output_logits(shipped.config, shipped.weights, speech)
    after = np_student.output_logits(wide.config, wide.weights, speech)
    assert np.abs(after - before).max() < 1e-3 * np.abs(before).max()
    # the copies differ in their outgoing weights, so training can pull them apart
    rows = wide.weights["bottleneck.weight"]
    source = next(i for i in range(24) if np.array_equal(rows[24], rows[i]))
    head = wide.weights["head.weight"]
    assert not np.allclose(head[:, 24], head[:, source])
    with pytest.raises(ValueError, match="other widths"):
        widen_weights(shipped.weights, shipped.config, family.S_TINY)
    with pytest.raises(ValueError, match="narrower"):
        widen_weights(shipped.weights, shipped.config, replace(family.S_LOWLAT, hidden=20))
    rekernelled = replace(target, layers=(configs.ConvLayer(96, 5, 1),) * 2)
    with pytest.raises(ValueError, match="two conv layers"):
        widen_weights(shipped.weights, shipped.config, rekernelled)


def test_a_deepened_student_computes_what_the_shipped_one_does(tmp_path):
    """The second hidden layer grown onto the shipped S-tiny: every output logit on real speech
    the same; its extra units are live (random in, zero out) and a second hidden layer narrower
    than the first, or a student that has one already, is refused."""
    from core.lab.distill.widen import deepen_weights, widen_file, widen_weights
    from core.runtime.catalog import MODELS_DIR

    shipped = read_model_file(MODELS_DIR / "s_tiny.npz")
    deep = widen_file(MODELS_DIR / "s_tiny.npz", family.S_TINY_DEEP, tmp_path / "deep.npz")
    assert deep.config.hidden2 == 96 and deep.config.seal_ramp == shipped.config.seal_ramp
    speech = _sample_speech()
    before = np_student.output_logits(shipped.config, shipped.weights, speech)
    after = np_student.output_logits(deep.config, deep.weights, speech)
    assert np.abs(after - before).max() < 1e-5 * np.abs(before).max()
    extra = deep.weights["head2.weight"][shipped.config.hidden :]
    assert extra.std() > 0.1 and not deep.weights["out.weight"][:, shipped.config.hidden :].any()
    with pytest.raises(ValueError, match="second hidden layer as wide"):
        deepen_weights(shipped.weights, shipped.config, replace(family.S_TINY_DEEP, hidden2=20))
    with pytest.raises(ValueError, match="second hidden layer as wide"):
        deepen_weights(deep.weights, deep.config, family.S_TINY_DEEP)
    with pytest.raises(ValueError, match="before it has a second hidden layer"):
        widen_weights(deep.weights, deep.config, replace(family.S_TINY_DEEP, hidden=64))


def test_a_student_grown_to_hear_farther_computes_what_the_shipped_one_does(tmp_path):
    """The shipped S-tiny's head given 16 more frames either side with zero weights: the same
    output logits on real speech; a window longer by part of a frame, or shorter, is refused."""
    from core.lab.distill.widen import lengthen_weights, widen_file
    from core.runtime.catalog import MODELS_DIR

    shipped = read_model_file(MODELS_DIR / "s_tiny.npz")
    long = widen_file(MODELS_DIR / "s_tiny.npz", family.S_TINY_LONG, tmp_path / "long.npz")
    assert long.config.head_frames == shipped.config.head_frames + 32
    speech = _sample_speech()
    before = np_student.output_logits(shipped.config, shipped.weights, speech)
    after = np_student.output_logits(long.config, long.weights, speech)
    assert np.abs(after - before).max() < 1e-5 * np.abs(before).max()
    for past, future in ((261, 261), (246, 256)):
        farther = replace(shipped.config, past_ms=past, future_ms=future)
        with pytest.raises(ValueError, match="whole frames farther"):
            lengthen_weights(shipped.weights, shipped.config, farther)
