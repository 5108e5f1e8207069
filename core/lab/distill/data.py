"""Training batches from corpus shards: random crops of audio with labels on the 100 fps grid."""

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ...errors import CorpusError
from ...phones.phone_set import Phone
from ...runtime.configs import FRAME_RATE, HOP, TEACHER_PHONES, StudentConfig
from ..corpus.augment import augment, gain, pink_noise
from ..corpus.dataset import LABEL_FPS, Signals, read_shard_signals, shard_engine, shard_paths
from ..corpus.pitch_shift import pitch_shift


@dataclass(frozen=True)
class Clip:
    audio: np.ndarray  # (N,) int16 16 kHz: half the memory of float32 for a 30-hour corpus
    labels: np.ndarray  # (T60, K) float32 at LABEL_FPS
    aux: np.ndarray  # (T60, 1 + P) float16: closure probability, phone posteriors
    engine: str = ""  # of its shard: "espeak", "kokoro", "real" (unlabelled human speech)...


BILABIALS = ("P", "B", "M")


def phone_ids_at_frames(
    phones, n_frames: int, phone_set: tuple[str, ...] = TEACHER_PHONES, fps: float = FRAME_RATE
) -> np.ndarray:
    """Phone-class id of each frame (time j / fps s) of Phone intervals; SIL (0) outside them
    (and throughout unlabelled speech)."""
    if not phones:
        return np.zeros(n_frames, np.int8)
    index = {p: i for i, p in enumerate(phone_set)}
    starts = np.array([p.start_s for p in phones])
    times = np.arange(n_frames) / fps
    which = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(phones) - 1)
    ids = np.array([index.get(p.label, 0) for p in phones], np.int8)[which]
    ids[times >= phones[-1].end_s] = 0
    return ids


def aux_targets(signals: Signals) -> np.ndarray:
    """(T60, 1 + P): the teacher's closure probability and phone posteriors where it labelled the
    shard, else the procedural truth (closed on P/B/M frames, one-hot aligned phones)."""
    if signals.teacher is not None:
        return signals.teacher.astype(np.float16)
    phones = [
        Phone(float(s), float(e), str(label))
        for label, s, e in zip(
            signals.phone_labels, signals.phone_starts_s, signals.phone_ends_s, strict=True
        )
    ]
    ids = phone_ids_at_frames(phones, len(signals.weights), fps=LABEL_FPS)
    aux = np.zeros((len(ids), 1 + len(TEACHER_PHONES)), np.float16)
    aux[:, 0] = np.isin(ids, [TEACHER_PHONES.index(p) for p in BILABIALS])
    aux[np.arange(len(ids)), 1 + ids] = 1.0
    return aux


def load_clips(corpus_dir: Path, limit: int = 0) -> list[Clip]:
    """Every utterance of one corpus folder (e.g. data/corpus/train), at most `limit` if > 0."""
    clips = []
    for path in shard_paths(Path(corpus_dir)):
        for signals in read_shard_signals(path):
            clips.append(
                Clip(signals.audio, signals.weights, aux_targets(signals), shard_engine(path))
            )
            if limit and len(clips) >= limit:
                return clips
    if not clips:
        raise CorpusError(f"{corpus_dir}: the corpus holds no utterances.")
    return clips


class ClipSampler:
    """Draws training clips: uniformly over all clips, except that a set share of the draws
    comes from each engine named in `engine_shares` (where the corpus has its clips).

    Without shares, a corpus of many short clips (the unlabelled real words) drowns one of few
    long ones (Kokoro's continuous sentences) however much speech each holds."""

    def __init__(self, clips: list[Clip], engine_shares: tuple[tuple[str, float], ...] = ()):
        if not clips:
            raise CorpusError("No training clips to draw from.")
        engines = np.array([clip.engine for clip in clips])
        shares = {name: share for name, share in engine_shares if np.any(engines == name)}
        if sum(shares.values()) > 1 or min(shares.values(), default=0) < 0:
            raise CorpusError(f"Engine shares {engine_shares} must be >= 0 and sum to <= 1.")
        rest = np.flatnonzero(~np.isin(engines, list(shares)))
        groups = [(np.flatnonzero(engines == name), share) for name, share in shares.items()]
        if len(rest):
            groups.append((rest, 1 - sum(shares.values())))
        self.clips = clips
        self._groups = [members for members, _ in groups]
        weights = np.array([share for _, share in groups])
        self._probabilities = weights / weights.sum()

    def draw(self, rng: np.random.Generator) -> Clip:
        group = self._groups[0]
        if len(self._groups) > 1:  # one group draws as a plain list always did (same seeds)
            group = self._groups[int(rng.choice(len(self._groups), p=self._probabilities))]
        return self.clips[int(group[rng.integers(len(group))])]


def labels_at_frames(
    labels_60: np.ndarray, first: int, count: int, step: float = 1.0
) -> np.ndarray:
    """Labels (T60, K) linearly interpolated at the 100 fps frames first + step * k for k in
    0..count-1 (step > 1: the clip played faster), (count, K)."""
    frames = first + step * np.arange(count)
    position = np.clip(frames / FRAME_RATE * LABEL_FPS, 0, len(labels_60) - 1)
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(labels_60) - 1)
    frac = (position - lower)[:, None].astype(np.float32)
    return (1 - frac) * labels_60[lower] + frac * labels_60[upper]


def _slice_padded(audio: np.ndarray, start: int, length: int) -> np.ndarray:
    """audio[start:start+length] as float32 with zeros outside the clip (start may be negative)."""
    out = np.zeros(length, np.float32)
    lo, hi = max(0, start), min(len(audio), start + length)
    if hi > lo:
        out[lo - start : hi - start] = audio[lo:hi] / np.float32(32767)
    return out


SPEED_GRID = 40  # speeds are fractions with denominators up to this: short polyphase filters


def speed_crop(audio: np.ndarray, start: int, length: int, speed: float) -> np.ndarray:
    """length samples of the clip (int16 (N,)) from sample `start`, played `speed` times as
    fast: tempo, pitch and formants together (Kaldi-style). speed must be a ratio of two small
    integers (SPEED_GRID) so that resampling is exact."""
    from scipy.signal import resample_poly

    ratio = Fraction(speed).limit_denominator(SPEED_GRID)
    source = _slice_padded(audio, start, int(np.ceil(length * speed)) + 1)
    played = resample_poly(source, ratio.denominator, ratio.numerator)
    return np.pad(played, (0, max(0, length - len(played))))[:length].astype(np.float32)


def augment_rows(audio: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Augment a random share of the batch's rows in place (labels follow the clean signal).

    Another row of the batch serves as the quiet second voice and babble source.
    """
    for b in range(len(audio)):
        if rng.random() < share and np.abs(audio[b]).max() > 0:
            other = audio[(b + 1) % len(audio)].copy()
            audio[b] = augment(audio[b], rng, other_audio=other)[0]
    return audio


def vary_levels(
    audio: np.ndarray, rows: np.ndarray, level_db: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """Move each chosen row's level by a uniform dB in level_db, in place (a row that would clip
    is scaled down whole). People record at any level; the teacher's log-mel input barely
    notices, a student's raw-waveform input does (reports/training_log.md)."""
    for b in np.flatnonzero(rows):
        audio[b] = gain(audio[b], float(rng.uniform(*level_db)))
    return audio


def shift_pitches(
    audio: np.ndarray,
    rows: np.ndarray,
    share: float,
    semitones: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """Move the pitch and formants of a share of the chosen rows by a uniform number of
    semitones in `semitones` (either sign), duration and timing kept, in place: a higher or
    lower voice saying the same thing at the same time (labels unchanged)."""
    for b in np.flatnonzero(rows):
        if rng.random() < share:
            amount = float(rng.uniform(*semitones)) * (1 if rng.random() < 0.5 else -1)
            audio[b] = pitch_shift(audio[b], amount)
    return audio


def quiet_crop(
    length: int, rng: np.random.Generator, dbfs: tuple[float, float] = (-80.0, -35.0)
) -> np.ndarray:
    """Digital silence or white/pink/brown noise at a level in dbfs: what lies between lines."""
    kind = int(rng.integers(4))
    if kind == 0:
        return np.zeros(length, np.float32)
    if kind == 3:
        noise = pink_noise(length, rng)
    else:
        noise = rng.standard_normal(length)
    if kind == 2:
        noise = np.cumsum(noise)
        noise -= np.linspace(noise[0], noise[-1], length)  # brown, no drift
    level = 10 ** (rng.uniform(*dbfs) / 20)
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12) * level).astype(np.float32)


def student_batch(
    sampler: ClipSampler,
    config: StudentConfig,
    n_frames: int,
    batch: int,
    rng: np.random.Generator,
    quiet_share: float = 0.2,
    quiet_dbfs: tuple[float, float] = (-80.0, -35.0),
    speed_share: float = 0.0,
    speed_range: tuple[float, float] = (0.8, 1.25),
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Audio (B, HOP*(T-1) + window) whose fully-conv outputs are frames j0..j0+T-1, weight
    targets (B, T, K), closure/phone targets (B, T, 1 + P) and which rows are quiet (B,).

    A quiet_share of the rows is quiet (silence, room tone) with the rest pose (all zeros, no
    closure, phone SIL) as target: a face between lines rests with closed lips, and the corpus
    alone never taught it. A speed_share of the speech rows plays faster or slower (a speed
    log-uniform in speed_range), the labels read at the same speed: higher and lower voices
    with shorter and longer vocal tracts, faster and slower talkers, from one voice."""
    length = HOP * (n_frames - 1) + config.window_samples
    audio, targets, aux = np.zeros((batch, length), np.float32), [], []
    quiet = np.zeros(batch, bool)
    for b in range(batch):
        if rng.random() < quiet_share:
            quiet[b] = True
            audio[b] = quiet_crop(length, rng, quiet_dbfs)
            targets.append(np.zeros((n_frames, sampler.clips[0].labels.shape[1]), np.float32))
            aux.append(np.zeros((n_frames, sampler.clips[0].aux.shape[1]), np.float32))
            aux[-1][:, 1] = 1.0  # SIL
            continue
        clip = sampler.draw(rng)
        speed = 1.0
        if speed_share and rng.random() < speed_share:
            speed = float(np.exp(rng.uniform(*np.log(speed_range))))
            speed = float(Fraction(speed).limit_denominator(SPEED_GRID))
        clip_frames = int(np.ceil(len(clip.audio) / HOP))
        first = int(rng.integers(max(1, clip_frames - int(n_frames * speed) + 1)))
        start = HOP * first - round(config.past_samples * speed)
        if speed == 1.0:
            audio[b] = _slice_padded(clip.audio, start, length)
        else:
            audio[b] = speed_crop(clip.audio, start, length, speed)
        targets.append(labels_at_frames(clip.labels, first, n_frames, speed))
        aux.append(labels_at_frames(clip.aux, first, n_frames, speed))
    return audio, np.stack(targets), np.stack(aux).astype(np.float32), quiet
