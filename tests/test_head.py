"""Demo head asset integrity and the midline lip-gap measure.

Lip gaps measured on the shipped asset (mm): neutral 0.24, jawOpen 33.66, jawOpen 0.3 10.49,
jawOpen + mouthClose 0.6/0.6 0.24 and 1/1 0.24, mouthFunnel 12.44; mouthPress L+R, mouthRollLower
(+Upper), mouthPucker and mouthSmile L+R push the lips into each other (raw -1.9 to -5.9) and
clip to 0. The hm08 neutral has the lips together (an ARKit neutral is mouth closed).
"""

from pathlib import Path

import numpy as np
import pytest

from core.demohead.head import (
    CLOSED_GAP_M,
    DEFAULT_PATH,
    PARTS,
    is_closed,
    lip_gap,
    lip_probe,
    load_demo_head,
    pose,
)
from core.errors import RigError
from core.rig.arkit import ARKIT_52

MM = 1e-3


def gap_of(**weights: float) -> float:
    """Lip gap in metres for one frame of the given ARKit weights."""
    names = list(weights)
    return float(lip_gap(np.array([[weights[n] for n in names]]), names)[0])


# --- asset integrity ------------------------------------------------------------------------


def test_asset_is_small_and_loads_without_pickle():
    assert DEFAULT_PATH.stat().st_size < 1_000_000
    with np.load(DEFAULT_PATH, allow_pickle=False) as data:
        assert data["co"].dtype == np.float32
        assert data["uv"].dtype == np.float16
        assert data["col"].dtype == np.uint8


def test_asset_has_the_52_arkit_keys_with_indices_in_range():
    head = load_demo_head()
    assert head.key_names == ARKIT_52
    n_verts = len(head.co)
    for name, idx, delta in zip(head.key_names, head.key_idx, head.key_delta, strict=True):
        assert len(idx) > 0, name
        assert idx.min() >= 0 and idx.max() < n_verts, name
        assert np.all(np.diff(idx) > 0), name
        assert delta.shape == (len(idx), 3) and np.isfinite(delta).all(), name
        assert np.abs(delta).max() < 0.05, name  # no key moves a vertex 5 cm


def test_asset_topology_and_parts_are_consistent():
    head = load_demo_head()
    n_verts = len(head.co)
    assert head.poly_sizes.min() >= 3
    assert head.poly_sizes.astype(int).sum() == len(head.poly_verts) == len(head.uv)
    assert 0 <= head.poly_verts.min() and head.poly_verts.max() < n_verts
    ids = np.concatenate([head.parts[p] for p in PARTS])
    assert np.array_equal(np.sort(ids), np.arange(n_verts))  # parts split every vertex once
    # Blender axes and metres: a head ~25 cm tall, mouth near z 0.66 m, face towards -Y.
    extent = head.co.max(axis=0) - head.co.min(axis=0)
    assert 0.2 < extent[2] < 0.35 and 0.12 < extent[0] < 0.2
    assert head.co[head.parts["teeth"], 1].mean() < head.co[:, 1].mean()


def test_missing_asset_is_a_rig_error(tmp_path: Path):
    with pytest.raises(RigError, match="Cannot read"):
        load_demo_head(tmp_path / "nope.npz")


# --- lip gap --------------------------------------------------------------------------------


def test_probe_vertices_sit_on_the_midline_with_upper_above_lower():
    head = load_demo_head()
    probe = lip_probe(head)
    assert 3 <= len(probe.upper) <= 12 and 3 <= len(probe.lower) <= 12
    assert np.abs(head.co[np.concatenate([probe.upper, probe.lower]), 0]).max() < 1e-4
    assert head.co[probe.upper, 2].min() > head.co[probe.lower, 2].max()


def test_neutral_lips_meet():
    assert gap_of() == pytest.approx(0.24 * MM, abs=0.05 * MM)
    assert is_closed(gap_of())


def test_jaw_open_opens_the_lips_clearly():
    assert gap_of(jawOpen=1.0) == pytest.approx(33.7 * MM, abs=1 * MM)
    assert gap_of(jawOpen=0.3) == pytest.approx(10.5 * MM, abs=0.5 * MM)
    assert not is_closed(gap_of(jawOpen=0.3))


def test_gap_grows_monotonically_with_jaw_open():
    jaw = np.linspace(0, 1, 101)[:, None]
    gap = lip_gap(jaw, ["jawOpen"])
    assert np.all(np.diff(gap) > 0)
    assert gap[3] > CLOSED_GAP_M  # jawOpen 0.03 already reads as open


@pytest.mark.parametrize("weight", [0.6, 1.0])
def test_mouth_close_seals_an_open_jaw(weight):
    gap = gap_of(jawOpen=weight, mouthClose=weight)
    assert gap == pytest.approx(0.24 * MM, abs=0.05 * MM)
    assert is_closed(gap)


@pytest.mark.parametrize(
    "weights",
    [
        {"mouthPressLeft": 1.0, "mouthPressRight": 1.0},
        {"mouthRollLower": 1.0},
        {"mouthRollLower": 1.0, "mouthRollUpper": 1.0},
        {"mouthPucker": 1.0},
    ],
)
def test_closing_shapes_give_a_closed_gap(weights):
    assert gap_of(**weights) == 0.0


def test_funnel_leaves_a_small_opening():
    assert gap_of(mouthFunnel=1.0) == pytest.approx(12.4 * MM, abs=0.5 * MM)


def test_unknown_channels_and_column_order_do_not_matter():
    weights = np.array([[0.5, 0.9, 0.2]])
    a = lip_gap(weights, ["jawOpen", "notAKey", "mouthClose"])
    b = lip_gap(weights[:, [2, 0]], ["mouthClose", "jawOpen"])
    assert a == pytest.approx(b, abs=1e-9)
    assert lip_gap(weights[:, [1]], ["notAKey"]) == pytest.approx(gap_of(), abs=1e-9)


def test_weights_are_clipped_like_blender_sliders():
    assert gap_of(jawOpen=1.7) == gap_of(jawOpen=1.0)
    assert gap_of(jawOpen=-0.5) == gap_of()


def test_fast_gap_matches_gap_from_posed_vertices():
    rng = np.random.default_rng(0)
    weights = rng.random((20, len(ARKIT_52))) * (rng.random((20, len(ARKIT_52))) < 0.15)
    head = load_demo_head()
    probe = lip_probe(head)
    z = pose(head, weights, ARKIT_52)[:, :, 2]  # (T, V) slow, dense path
    slow = np.maximum(z[:, probe.upper].min(axis=1) - z[:, probe.lower].max(axis=1), 0.0)
    assert lip_gap(weights, ARKIT_52) == pytest.approx(slow, abs=1e-6)


def test_long_clips_are_handled_in_blocks():
    weights = np.zeros((200_000, 1), np.float32)
    weights[::2] = 1.0
    gap = lip_gap(weights, ["jawOpen"])
    assert gap.shape == (200_000,)
    assert np.all(gap[::2] > 0.03) and np.all(gap[1::2] < CLOSED_GAP_M)


def test_mismatched_names_are_a_rig_error():
    with pytest.raises(RigError, match="channel names"):
        lip_gap(np.zeros((4, 3)), ["jawOpen"])
