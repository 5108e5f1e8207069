"""Encoder hints line the Whisper features up with a student's last conv layer."""

from dataclasses import replace

import numpy as np
import torch

from core.distill.data import Clip
from core.distill.encoder_hints import (
    EncoderHint,
    hint_offset,
    hint_targets,
    whitened_clips,
    whitening,
)
from core.runtime import configs


def _clip(tokens: int) -> Clip:
    features = np.arange(tokens, dtype=np.float16)[:, None] * np.ones((1, 3), np.float16)
    return Clip(np.zeros(tokens * 320, np.int16), np.zeros((1, 1)), np.zeros((1, 1)), "x",
                features)  # fmt: skip


def test_hint_offset_centres_the_last_conv_frame_on_the_clip():
    # log-mel S-tiny: conv frame 0 covers crop samples [0, 1152), centre 576; the crop starts
    # 4096 samples (256 ms) before its first output frame: 576 - 4096 = -22 frames of 160
    assert hint_offset(configs.S_TINY) == -22
    assert hint_offset(configs.S_LOWLAT) == round((576 - 7168) / 160)  # 448 ms of past
    assert hint_offset(configs.S_TINY_RAW) == round((832 / 2 - 4096) / 160)


def test_hint_targets_pick_the_token_under_each_frame_and_mask_the_rest():
    config = configs.S_TINY
    clip = _clip(tokens=20)
    targets, valid = hint_targets([(clip, 30), None], config, n_frames=40, width=3)
    frames = 30 + hint_offset(config) + np.arange(40)  # clip frames 8 .. 47
    tokens = frames // 2
    inside = tokens < 20
    assert np.array_equal(valid[0], inside) and not valid[1].any()
    assert np.array_equal(targets[0, 0, inside], tokens[inside].astype(np.float32))
    assert not targets[0][:, ~inside].any() and not targets[1].any()


def test_encoder_hint_loss_counts_only_valid_frames():
    hint = EncoderHint(2, 3)
    with torch.no_grad():
        hint.projection.weight.zero_()
        hint.projection.bias.zero_()
    targets = torch.ones(1, 3, 4)
    valid = torch.tensor([[True, False, False, False]])
    assert float(hint(torch.zeros(1, 2, 4), targets, valid)) == 1.0
    assert float(hint(torch.zeros(1, 2, 4), targets, torch.zeros(1, 4, dtype=torch.bool))) == 0.0


def test_whitening_gives_unit_variance_principal_components():
    rng = np.random.default_rng(0)
    mixed = rng.standard_normal((4000, 3)) @ np.diag([10.0, 1.0, 0.1]) @ rng.standard_normal((3, 6))
    clips = [replace(_clip(1), features=f.astype(np.float16)) for f in np.split(mixed, 40)]
    mean, basis = whitening(clips, dims=2)
    reduced = np.concatenate([c.features for c in whitened_clips(clips, mean, basis)])
    assert reduced.shape == (4000, 2)
    assert np.allclose(reduced.astype(np.float64).std(0), 1.0, atol=0.05)
