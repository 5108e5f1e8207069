"""The numpy resampler is scipy's resample_poly (same filter, same alignment), and the causal DC
removal and the resampler give the same numbers however the audio is cut into blocks."""

import os
import subprocess
import sys
from math import gcd
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import firwin, resample_poly

from core.audio import blocks as audio_blocks
from core.audio.prepare import SAMPLE_RATE, DcRemover, prepare_samples
from core.audio.resample import Resampler, filter_taps, resample

ROOT = Path(__file__).resolve().parents[1]
RATES = [1000, 8000, 11025, 12345, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 768000]


def _ratio(rate: int) -> tuple[int, int]:
    g = gcd(rate, SAMPLE_RATE)
    return SAMPLE_RATE // g, rate // g


@pytest.mark.parametrize("up, down", [(1, 3), (160, 441), (320, 441), (2, 1), (16, 1)])
def test_the_filter_is_scipys_default(up, down):
    half = 10 * max(up, down)
    scipy_taps = firwin(2 * half + 1, 1.0 / max(up, down), window=("kaiser", 5.0)) * up
    np.testing.assert_allclose(filter_taps(up, down), scipy_taps, rtol=0, atol=1e-15)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("seconds", [0.05, 0.3, 2.1])
def test_resampling_equals_scipy_resample_poly(rate, seconds):
    rng = np.random.default_rng(rate)
    samples = rng.uniform(-1, 1, int(seconds * rate) + 3).astype(np.float32)
    up, down = _ratio(rate)
    expected = resample_poly(samples, up, down)  # scipy's float32 path
    got = resample(samples, rate, SAMPLE_RATE)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000, 12345])
def test_resampler_blocks_change_nothing_bit_for_bit(rate):
    rng = np.random.default_rng(1)
    samples = rng.uniform(-1, 1, 3 * rate + 11).astype(np.float32)
    whole = resample(samples, rate, SAMPLE_RATE)
    resampler, pieces, start = Resampler(rate, SAMPLE_RATE), [], 0
    while start < len(samples):
        size = int(rng.choice([1, 7, 441, 4000, 30011]))
        pieces.append(resampler.push(samples[start : start + size]))
        start += size
    pieces.append(resampler.finish())
    np.testing.assert_array_equal(np.concatenate(pieces), whole)


def test_same_rate_is_passed_through():
    samples = np.linspace(-1, 1, 999, dtype=np.float32)
    assert np.array_equal(resample(samples, 16000, 16000), samples)


def test_dc_removal_uses_only_the_past_and_removes_a_constant_offset():
    rng = np.random.default_rng(2)
    speech = rng.uniform(-0.5, 0.5, 3 * 22050).astype(np.float32)
    plain = DcRemover(22050).push(speech)
    shifted = DcRemover(22050).push(speech + np.float32(0.3))
    np.testing.assert_allclose(shifted, plain, atol=1e-6)
    changed = speech.copy()
    changed[10000:] = rng.uniform(-1, 1, len(speech) - 10000) + 0.2  # inside the DC window
    np.testing.assert_array_equal(DcRemover(22050).push(changed)[:10000], plain[:10000])
    remover, pieces = DcRemover(22050), []
    for start in range(0, len(speech), 9999):
        pieces.append(remover.push(speech[start : start + 9999]))
    np.testing.assert_array_equal(np.concatenate(pieces), plain)


@pytest.mark.parametrize("rate", [16000, 44100, 48000])
def test_blocks_equal_prepare_samples_bit_for_bit(rate, monkeypatch):
    monkeypatch.setattr(audio_blocks, "BLOCK_S", 0.37)  # blocks cut inside the DC window
    rng = np.random.default_rng(3)
    samples = (rng.uniform(-0.5, 0.5, (int(2.5 * rate), 2)) + 0.1).astype(np.float32)
    blocks = audio_blocks.array_blocks(samples, rate)
    streamed = np.concatenate(list(blocks.blocks_16k()))
    np.testing.assert_array_equal(streamed, prepare_samples(samples, rate))
    assert len(streamed) == blocks.n_samples_16k


def test_the_numbers_do_not_depend_on_the_blas_thread_count():
    """A Dask worker runs one BLAS thread, the command line several: the same bytes."""
    code = (
        "import hashlib, numpy as np\n"
        "from core.audio.resample import resample\n"
        "x = np.random.default_rng(0).uniform(-1, 1, 20 * 48000).astype(np.float32)\n"
        "print(*(hashlib.sha256(resample(x, r, 16000).tobytes()).hexdigest()"
        " for r in (44100, 48000, 22050)))\n"
    )
    digests = set()
    for threads in ("1", "2", "4"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout)
    assert len(digests) == 1
