"""Audio augmentation for robustness to real recordings; the labels follow the clean signal.

Every function takes and returns float32 mono audio (N,) at 16 kHz and keeps its length, except
speed_perturb, which also rescales the phone timings. `augment` draws a random chain of them.
All randomness comes from the numpy Generator passed in, so a seed reproduces the chain.
"""

from collections.abc import Sequence

import numpy as np

from ...audio.prepare import SAMPLE_RATE, resample
from ...errors import CorpusError
from ...phones.phone_set import Phone

PEAK_LIMIT = 0.99  # outputs are scaled down, not clipped, when they would exceed this peak
_EPS = 1e-12


def _power(audio: np.ndarray) -> float:
    return float(np.mean(np.square(audio, dtype=np.float64))) + _EPS


def _finish(audio: np.ndarray) -> np.ndarray:
    """float32 within [-PEAK_LIMIT, PEAK_LIMIT]: scale the whole clip down if it peaks above."""
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    if peak > PEAK_LIMIT:
        audio = audio * (PEAK_LIMIT / peak)
    return audio.astype(np.float32)


def _freq_filter(audio: np.ndarray, gain_of_hz) -> np.ndarray:
    """Zero-phase filtering by a real gain curve gain_of_hz(freqs_hz) applied in the FFT domain."""
    n = len(audio)
    n_fft = 1 << max(1, int(np.ceil(np.log2(n + 1))))
    spectrum = np.fft.rfft(audio.astype(np.float64), n_fft)
    freqs_hz = np.fft.rfftfreq(n_fft, 1.0 / SAMPLE_RATE)
    return np.fft.irfft(spectrum * gain_of_hz(freqs_hz), n_fft)[:n]


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink (1/f power) noise (n,) with unit power."""
    white = rng.standard_normal(n)
    noise = _freq_filter(white, lambda f: 1.0 / np.sqrt(np.maximum(f, 20.0)))
    return noise / np.sqrt(_power(noise))


def babble_noise(source: np.ndarray, n: int, rng: np.random.Generator, talkers: int = 4):
    """Babble-like noise (n,) with unit power: several random stretches of speech summed."""
    if len(source) < SAMPLE_RATE // 10:
        raise CorpusError("Babble noise needs at least 0.1 s of source speech.")
    out = np.zeros(n)
    for _ in range(talkers):
        shifted = np.roll(source.astype(np.float64), int(rng.integers(len(source))))
        if rng.random() < 0.5:
            shifted = shifted[::-1]  # reversed speech: speech-like spectrum, no words
        out += np.resize(shifted, n)
    return out / np.sqrt(_power(out))


def add_noise(audio: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Add noise (N,) scaled so that clean power / noise power = snr_db over the clip."""
    scale = np.sqrt(_power(audio) / (_power(noise) * 10.0 ** (snr_db / 10.0)))
    return _finish(audio + scale * noise[: len(audio)])


def reverb(audio: np.ndarray, rng: np.random.Generator, rt60_s: float) -> np.ndarray:
    """Room reverb: convolve with an exponentially decaying noise impulse response of RT60."""
    length = int(min(1.5 * rt60_s, 1.2) * SAMPLE_RATE) + 1
    t_s = np.arange(length) / SAMPLE_RATE
    tail = rng.standard_normal(length) * np.exp(-6.9078 * t_s / rt60_s)  # -60 dB at rt60
    tail[: int(0.002 * SAMPLE_RATE)] = 0.0  # first reflections arrive after the direct sound
    direct_to_reverb = 10.0 ** (rng.uniform(-3.0, 6.0) / 20.0)
    impulse = tail / np.sqrt(np.sum(tail**2))
    impulse[0] = direct_to_reverb
    n_fft = 1 << int(np.ceil(np.log2(len(audio) + length)))
    wet = np.fft.irfft(np.fft.rfft(audio, n_fft) * np.fft.rfft(impulse, n_fft), n_fft)
    wet = wet[: len(audio)]
    return _finish(wet * np.sqrt(_power(audio) / _power(wet)))


def band_limit(audio: np.ndarray, low_hz: float, high_hz: float) -> np.ndarray:
    """Keep low_hz..high_hz with raised-cosine edges (telephone: 300..3400 Hz)."""

    def gain(f: np.ndarray) -> np.ndarray:
        rise = np.clip((f - 0.7 * low_hz) / (0.3 * low_hz + _EPS), 0.0, 1.0)
        fall = np.clip((1.15 * high_hz - f) / (0.15 * high_hz), 0.0, 1.0)
        return (0.5 - 0.5 * np.cos(np.pi * rise)) * (0.5 - 0.5 * np.cos(np.pi * fall))

    return _finish(_freq_filter(audio, gain))


def down_up(audio: np.ndarray, low_rate: int = 8000) -> np.ndarray:
    """Resample to low_rate and back: the band limit of a narrow-band recording."""
    low = resample(audio, SAMPLE_RATE, low_rate)
    return _finish(np.resize(resample(low, low_rate, SAMPLE_RATE), len(audio)))


def gain(audio: np.ndarray, gain_db: float) -> np.ndarray:
    """Scale by gain_db (scaled down as a whole instead of clipping)."""
    return _finish(audio * 10.0 ** (gain_db / 20.0))


def mic_eq(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random gentle microphone colour: low and high shelves and two peaks, each within 6 dB."""
    low_db, high_db = rng.uniform(-6.0, 6.0, size=2)
    low_hz, high_hz = rng.uniform(100.0, 400.0), rng.uniform(2500.0, 6000.0)
    peaks = [(rng.uniform(200.0, 6000.0), rng.uniform(-6.0, 6.0), rng.uniform(0.3, 1.0))]
    peaks.append((rng.uniform(200.0, 6000.0), rng.uniform(-6.0, 6.0), rng.uniform(0.3, 1.0)))

    def curve(f: np.ndarray) -> np.ndarray:
        octave = np.log2(np.maximum(f, 10.0))
        db = low_db / (1.0 + np.exp(4.0 * (octave - np.log2(low_hz))))
        db += high_db / (1.0 + np.exp(-4.0 * (octave - np.log2(high_hz))))
        for centre_hz, peak_db, width_oct in peaks:
            db += peak_db * np.exp(-0.5 * ((octave - np.log2(centre_hz)) / width_oct) ** 2)
        return 10.0 ** (db / 20.0)

    return _finish(_freq_filter(audio, curve))


def mix_voice(audio: np.ndarray, other: np.ndarray, rng: np.random.Generator, level_db: float):
    """Mix a second voice (any length) level_db below the main one, at a random offset."""
    if len(other) == 0:
        raise CorpusError("The second voice to mix in is empty.")
    shifted = np.roll(other.astype(np.float64), int(rng.integers(len(other))))
    background = np.resize(shifted, len(audio))
    scale = np.sqrt(_power(audio) / _power(background)) * 10.0 ** (level_db / 20.0)
    return _finish(audio + scale * background)


def speed_perturb(
    audio: np.ndarray, phones: Sequence[Phone], factor: float
) -> tuple[np.ndarray, tuple[Phone, ...]]:
    """Play faster (factor > 1) or slower, tempo and pitch together (Kaldi-style); the phone
    timings are divided by the same factor. The factor is rounded to 1/160 (a rational rate)."""
    if not 0.5 <= factor <= 2.0:
        raise CorpusError(f"Speed factor {factor} is outside 0.5..2.")
    rate_in = int(round(SAMPLE_RATE * factor / 100.0)) * 100  # 16000 * factor on a 100 Hz grid
    exact = rate_in / SAMPLE_RATE
    out = _finish(resample(audio, rate_in, SAMPLE_RATE))
    scaled = tuple(Phone(p.start_s / exact, p.end_s / exact, p.label) for p in phones)
    return out, scaled


def augment(
    audio: np.ndarray, rng: np.random.Generator, other_audio: np.ndarray | None = None
) -> tuple[np.ndarray, str]:
    """A random chain (room, microphone, channel, noise, level): (audio (N,) float32, description).

    other_audio, when given, is a different utterance used for a quiet second voice and babble.
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 1 or len(audio) < SAMPLE_RATE // 10:
        raise CorpusError("augment needs mono audio (N,) of at least 0.1 s.")
    steps = []
    if rng.random() < 0.35:
        rt60_s = float(rng.uniform(0.15, 0.9))
        audio = reverb(audio, rng, rt60_s)
        steps.append(f"reverb(rt60={rt60_s:.2f}s)")
    if rng.random() < 0.4:
        audio = mic_eq(audio, rng)
        steps.append("mic_eq")
    if other_audio is not None and len(other_audio) and rng.random() < 0.25:
        level_db = float(rng.uniform(-25.0, -15.0))
        audio = mix_voice(audio, other_audio, rng, level_db)
        steps.append(f"voice({level_db:.0f}dB)")
    if rng.random() < 0.6:
        snr_db = float(rng.choice([0.0, 5.0, 10.0, 15.0, 20.0, 30.0]))
        kind = str(rng.choice(["white", "pink", "babble"]))
        if kind == "white":
            noise = rng.standard_normal(len(audio))
        elif kind == "pink":
            noise = pink_noise(len(audio), rng)
        else:
            source = other_audio if other_audio is not None and len(other_audio) else audio
            noise = babble_noise(source, len(audio), rng)
        audio = add_noise(audio, noise, snr_db)
        steps.append(f"noise({kind},snr={snr_db:.0f}dB)")
    band = rng.random()
    if band < 0.1:
        audio = band_limit(audio, 300.0, 3400.0)
        steps.append("telephone(300-3400Hz)")
    elif band < 0.2:
        audio = down_up(audio, 8000)
        steps.append("8kHz")
    elif band < 0.3:  # game and archive voices recorded at 11 kHz
        audio = down_up(audio, 11025)
        steps.append("11kHz")
    gain_db = float(rng.uniform(-18.0, 6.0))
    audio = gain(audio, gain_db)
    steps.append(f"gain({gain_db:+.0f}dB)")
    return audio, " ".join(steps)
