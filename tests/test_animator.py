"""Procedural animator: lips close on each P/B/M on the demo head, open elsewhere, smoothly."""

import numpy as np
import pytest

from core.demohead.head import CLOSED_GAP_M, lip_gap
from core.errors import LipSyncError
from core.phones.animator import animate, normalize_label
from core.phones.closures import count_closures, phone_frames
from core.phones.phone_set import BILABIALS, Phone
from core.phones.visemes import PHONES
from core.rig.arkit import LOWER_FACE

FPS = 60.0
JAW = LOWER_FACE.index("jawOpen")
PUCKER = LOWER_FACE.index("mouthPucker")


def timed(spec: list[tuple[str, float]]) -> tuple[list[Phone], float]:
    """Phones from (label, duration in ms) pairs laid end to end."""
    phones, t = [], 0.0
    for label, ms in spec:
        phones.append(Phone(t, t + ms / 1000, label))
        t += ms / 1000
    return phones, t


def gap_of(phones: list[Phone], duration_s: float) -> np.ndarray:
    return lip_gap(animate(phones, duration_s, FPS), LOWER_FACE)


SEQUENCES = {
    "bob": [("SIL", 300), ("B", 70), ("AA", 150), ("B", 60), ("SIL", 400)],
    "short bilabials 40 ms": [
        ("SIL", 300),
        ("AA", 120),
        ("P", 40),
        ("AA", 120),
        ("B", 40),
        ("IY", 100),
        ("M", 40),
        ("UW", 120),
        ("SIL", 300),
    ],
    "30 ms bilabials": [
        ("SIL", 300),
        ("AE", 90),
        ("B", 30),
        ("AE", 90),
        ("P", 30),
        ("AH", 80),
        ("M", 30),
        ("AA", 90),
        ("SIL", 300),
    ],
    "cluster mp": [
        ("SIL", 300),
        ("P", 60),
        ("AH", 90),
        ("M", 50),
        ("P", 40),
        ("S", 80),
        ("SIL", 300),
    ],
    "cluster pm": [
        ("SIL", 300),
        ("T", 50),
        ("AA", 110),
        ("P", 45),
        ("M", 50),
        ("AE", 120),
        ("N", 60),
        ("SIL", 300),
    ],
    "rapid mama": [
        ("SIL", 300),
        ("M", 45),
        ("AA", 60),
        ("M", 40),
        ("AA", 60),
        ("M", 40),
        ("AA", 60),
        ("M", 40),
        ("AA", 90),
        ("SIL", 300),
    ],
    "rounded": [
        ("SIL", 300),
        ("B", 50),
        ("UW", 120),
        ("M", 50),
        ("OW", 140),
        ("P", 50),
        ("W", 60),
        ("AO", 120),
        ("B", 50),
        ("SIL", 300),
    ],
    "labiodental": [
        ("SIL", 300),
        ("F", 80),
        ("AY", 150),
        ("V", 60),
        ("M", 50),
        ("IY", 100),
        ("SIL", 300),
    ],
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_lips_close_in_every_bilabial_and_open_on_vowels(name: str) -> None:
    phones, duration_s = timed(SEQUENCES[name])
    gap = gap_of(phones, duration_s)
    for phone in phones:
        frames = phone_frames(phone.start_s, phone.end_s, FPS, len(gap))
        if phone.label in ("P", "B", "M"):
            assert gap[frames].min() <= CLOSED_GAP_M, (name, phone)
        elif phone.label in ("AA", "AE", "AH", "IY", "UW", "OW", "AO", "AY"):
            assert gap[frames].max() > 2 * CLOSED_GAP_M, (name, phone)


def test_coronals_and_velars_stay_open() -> None:
    phones, duration_s = timed(
        [
            ("SIL", 300),
            ("T", 60),
            ("IY", 100),
            ("K", 60),
            ("UW", 120),
            ("D", 50),
            ("AH", 80),
            ("G", 60),
            ("S", 90),
            ("N", 70),
            ("AA", 120),
            ("SIL", 300),
        ]
    )
    gap = gap_of(phones, duration_s)
    for phone in phones[1:-1]:
        frames = phone_frames(phone.start_s, phone.end_s, FPS, len(gap))
        assert gap[frames].min() > CLOSED_GAP_M, phone


def test_closure_counts_on_random_phone_strings() -> None:
    rng = np.random.default_rng(7)
    vowels = ["AA", "AE", "AH", "AO", "EH", "ER", "IH", "IY", "UH", "UW", "OW", "AY", "EY"]
    consonants = [
        "P",
        "B",
        "M",
        "T",
        "D",
        "K",
        "G",
        "N",
        "S",
        "Z",
        "F",
        "V",
        "TH",
        "SH",
        "L",
        "R",
        "W",
        "Y",
        "HH",
        "NG",
    ]
    total = None
    for _ in range(100):
        spec = [("SIL", 300.0)]
        for _ in range(20):
            if rng.random() < 0.45:
                spec.append((str(rng.choice(vowels)), float(rng.uniform(40, 220))))
            else:
                spec.append((str(rng.choice(consonants)), float(rng.uniform(25, 140))))
        spec.append(("SIL", 300.0))
        phones, duration_s = timed(spec)
        counts = count_closures(phones, gap_of(phones, duration_s) <= CLOSED_GAP_M, FPS)
        total = counts if total is None else total + counts
    assert total.bilabials > 100 and total.open_phones > 100
    assert total.closure_rate == 1.0
    assert total.false_closure_rate < 0.01


def test_jaw_opens_by_vowel_height_and_rounding_follows_the_vowel() -> None:
    def middle(label: str) -> np.ndarray:
        phones, duration_s = timed([("SIL", 300), ("HH", 60), (label, 200), ("SIL", 300)])
        weights = animate(phones, duration_s, FPS)
        return weights[int(round((0.36 + 0.1) * FPS))]

    assert middle("AA")[JAW] > middle("EH")[JAW] > middle("IY")[JAW]
    assert middle("UW")[PUCKER] > 0.4 > 0.05 > middle("IY")[PUCKER]


def test_rounding_is_anticipated_over_consonants() -> None:
    strew, duration_s = timed(
        [("SIL", 300), ("S", 90), ("T", 50), ("R", 50), ("UW", 150), ("SIL", 300)]
    )
    stree = [p if p.label != "UW" else Phone(p.start_s, p.end_s, "IY") for p in strew]
    in_t = int(np.ceil(0.39 * FPS))  # a frame inside the T
    assert animate(strew, duration_s)[in_t, PUCKER] > animate(stree, duration_s)[in_t, PUCKER] + 0.2


def test_tongue_out_on_th_and_lips_tucked_on_f() -> None:
    phones, duration_s = timed([("SIL", 300), ("TH", 100), ("IH", 100), ("F", 100), ("SIL", 300)])
    weights = animate(phones, duration_s)
    th, f = int(0.35 * FPS), int(0.55 * FPS)
    assert weights[th, LOWER_FACE.index("tongueOut")] > 0.3
    assert weights[f, LOWER_FACE.index("mouthRollLower")] > 0.3
    assert weights[f, LOWER_FACE.index("mouthUpperUpLeft")] > 0.15


def test_rest_in_long_silence_and_smooth_motion() -> None:
    phones, duration_s = timed(
        [
            ("SIL", 300),
            ("W", 60),
            ("AA", 150),
            ("M", 60),
            ("UW", 100),
            ("SIL", 600),
            ("OW", 150),
            ("P", 50),
            ("SIL", 300),
        ]
    )
    weights = animate(phones, duration_s)
    assert weights.dtype == np.float32 and weights.shape == (int(np.ceil(duration_s * FPS)), 29)
    assert np.isfinite(weights).all() and weights.min() >= 0.0 and weights.max() <= 1.0
    pause_middle = int(round((phones[5].start_s + 0.3) * FPS))
    assert np.abs(weights[pause_middle]).max() < 0.02  # neutral in the middle of a 600 ms pause
    assert np.abs(weights[0]).max() < 0.02 and np.abs(weights[-1]).max() < 0.02
    assert np.abs(np.diff(weights, axis=0)).max() < 0.45  # per 60 fps frame


def test_labels_are_tolerant_and_output_is_deterministic() -> None:
    phones, duration_s = timed([("sil", 200), ("b", 60), ("AA1", 150), ("m0", 50), ("pau", 200)])
    canonical = [Phone(p.start_s, p.end_s, normalize_label(p.label)) for p in phones]
    assert [p.label for p in canonical] == ["SIL", "B", "AA", "M", "SIL"]
    np.testing.assert_array_equal(animate(phones, duration_s), animate(canonical, duration_s))
    with pytest.raises(LipSyncError, match="XYZ"):
        animate([Phone(0.0, 0.1, "XYZ")], 0.2)


def test_the_phones_the_animator_seals_are_the_bilabials() -> None:
    sealed = {name for name, viseme in PHONES.items() if viseme.seal > 0}
    assert sealed == BILABIALS  # one meaning of "bilabial": core.phones.phone_set
