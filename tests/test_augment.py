"""Audio augmentation: shape, dtype and range kept, SNR as asked, speed keeps labels in step."""

import numpy as np
import pytest

from core.audio.prepare import SAMPLE_RATE
from core.lab.corpus import augment as aug
from core.phones.phone_set import Phone


@pytest.fixture
def speech() -> np.ndarray:
    """2 s of a voiced, syllable-modulated tone complex (N,) float32."""
    t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    voiced = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12))
    return (0.2 * envelope * voiced).astype(np.float32)


def test_augment_keeps_length_dtype_and_range(speech: np.ndarray) -> None:
    other = np.roll(speech, 7000)[:20000] * 2.0
    steps = set()
    for seed in range(40):
        out, description = aug.augment(speech, np.random.default_rng(seed), other)
        assert out.shape == speech.shape and out.dtype == np.float32
        assert np.isfinite(out).all() and np.abs(out).max() <= 1.0
        steps |= {step.split("(")[0] for step in description.split(" ")}
    assert steps == {"reverb", "mic_eq", "voice", "noise", "telephone", "8kHz", "11kHz", "gain"}


def test_augment_is_deterministic_with_a_seed(speech: np.ndarray) -> None:
    a = aug.augment(speech, np.random.default_rng(3))
    b = aug.augment(speech, np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0])
@pytest.mark.parametrize("kind", ["white", "pink", "babble"])
def test_noise_at_the_requested_snr(speech: np.ndarray, snr_db: float, kind: str) -> None:
    rng = np.random.default_rng(1)
    noise = {
        "white": lambda: rng.standard_normal(len(speech)),
        "pink": lambda: aug.pink_noise(len(speech), rng),
        "babble": lambda: aug.babble_noise(speech, len(speech), rng),
    }[kind]()
    clean = 0.1 * speech  # quiet enough that the sum is not scaled down
    out = aug.add_noise(clean, noise, snr_db)
    assert out.dtype == np.float32 and np.abs(out).max() < aug.PEAK_LIMIT
    measured = 10 * np.log10(np.mean(clean**2) / np.mean((out - clean.astype(np.float64)) ** 2))
    assert abs(measured - snr_db) < 0.5


def test_pink_noise_falls_3_db_per_octave() -> None:
    noise = aug.pink_noise(SAMPLE_RATE * 4, np.random.default_rng(0))
    power = np.abs(np.fft.rfft(noise)) ** 2
    freqs = np.fft.rfftfreq(len(noise), 1 / SAMPLE_RATE)
    low = power[(freqs > 500) & (freqs < 1000)].mean()
    high = power[(freqs > 2000) & (freqs < 4000)].mean()
    assert 4.5 < 10 * np.log10(low / high) < 7.5  # two octaves


def test_telephone_band_removes_low_and_high(speech: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    white = (0.1 * rng.standard_normal(SAMPLE_RATE * 2)).astype(np.float32)
    out = aug.band_limit(white, 300.0, 3400.0)
    power = np.abs(np.fft.rfft(out)) ** 2
    freqs = np.fft.rfftfreq(len(out), 1 / SAMPLE_RATE)
    passband = power[(freqs > 500) & (freqs < 3000)].mean()
    assert power[freqs < 150].mean() < 1e-3 * passband
    assert power[freqs > 4500].mean() < 1e-3 * passband
    down_up = aug.down_up(white)
    power = np.abs(np.fft.rfft(down_up)) ** 2
    assert down_up.shape == white.shape and power[freqs > 4200].mean() < 1e-3 * passband
    at_11k = aug.down_up(white, 11025)
    power = np.abs(np.fft.rfft(at_11k)) ** 2
    assert at_11k.shape == white.shape and power[freqs > 6500].mean() < 1e-3 * passband
    assert power[(freqs > 4500) & (freqs < 5000)].mean() > 0.3 * passband  # kept below 5.5 kHz


def test_reverb_and_eq_keep_level_and_length(speech: np.ndarray) -> None:
    rng = np.random.default_rng(2)
    for out in (aug.reverb(speech, rng, 0.6), aug.mic_eq(speech, rng), aug.gain(speech, -6.0)):
        assert out.shape == speech.shape and out.dtype == np.float32
    wet = aug.reverb(speech, rng, 0.6)
    assert abs(10 * np.log10(np.mean(wet**2) / np.mean(speech**2))) < 0.5
    assert not np.allclose(wet, speech, atol=1e-3)
    loud = aug.gain(speech, 40.0)
    assert np.abs(loud).max() <= aug.PEAK_LIMIT + 1e-6


def test_second_voice_sits_at_the_requested_level(speech: np.ndarray) -> None:
    other = np.random.default_rng(4).standard_normal(SAMPLE_RATE).astype(np.float32)
    out = aug.mix_voice(speech, other, np.random.default_rng(5), -20.0)
    added = out.astype(np.float64) - speech
    assert abs(10 * np.log10(np.mean(added**2) / np.mean(speech**2)) + 20.0) < 0.5


@pytest.mark.parametrize("factor", [0.9, 1.1])
def test_speed_perturb_rescales_audio_and_phones_together(factor: float) -> None:
    audio = np.zeros(SAMPLE_RATE * 2, dtype=np.float32)
    click_s = 1.0
    audio[int(click_s * SAMPLE_RATE)] = 0.9  # an event at a phone boundary
    phones = (Phone(0.0, click_s, "SIL"), Phone(click_s, 1.4, "P"), Phone(1.4, 2.0, "AA"))
    out, scaled = aug.speed_perturb(audio, phones, factor)
    assert abs(len(out) - len(audio) / factor) <= 2 and out.dtype == np.float32
    click_at_s = np.argmax(np.abs(out)) / SAMPLE_RATE
    assert abs(click_at_s - scaled[1].start_s) < 1e-3  # the label moved with the audio
    assert scaled[-1].end_s == pytest.approx(len(out) / SAMPLE_RATE, abs=1e-3)
    assert [p.label for p in scaled] == ["SIL", "P", "AA"]
    with pytest.raises(Exception, match="outside"):
        aug.speed_perturb(audio, phones, 3.0)
