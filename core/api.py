"""The public API shared by the add-on, the CLI and users' scripts (numpy only, no torch).

model = load_model("s_tiny")                      # shipped name or a path to a .npz
model = cached_model("s_tiny")                    # the same, read once per file version
animation = predict(model, samples, 48000, fps=24)
animation = predict_file(model, "line.wav", fps=24, progress=print)
stream = open_stream(model, fps=60); stream.push(block) ... stream.finish()

Students run clips longer than LONG_CLIP_S block by block through the streaming runtime, so memory
stays bounded however long the audio is (the result equals one-shot inference within 1e-5).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .animation import Animation
from .audio.blocks import AudioBlocks, array_blocks, file_blocks
from .audio.prepare import SAMPLE_RATE, DcRemover, prepare_samples
from .errors import LipSyncError
from .runtime.catalog import MODELS_DIR, ModelCache, resolve_model, shipped_models
from .runtime.configs import AnyConfig, StudentConfig
from .runtime.modelfile import ModelFile, read_model_file
from .runtime.smoothing import DELTA_S, resample_frames, scene_frame_count
from .runtime.stream import StudentStream
from .runtime.student import build_stages, student_frames
from .runtime.whisper_teacher import NumpyWhisperTeacher

LONG_CLIP_S = 60.0  # students run longer clips in blocks (bounded memory)
Progress = Callable[[float, str], None]  # (fraction done, what is running); may raise to cancel


@dataclass(frozen=True)
class ModelInfo:
    name: str
    parameters: int
    file_size: int  # bytes
    future_ms: float  # future audio one 100 fps frame needs (inf: the whole clip)
    past_ms: float
    channels: tuple[str, ...]
    card: str


class Model:
    """A loaded model: numpy weights plus its forward pass at 100 fps."""

    def __init__(self, model_file: ModelFile):
        self.file = model_file
        self.config: AnyConfig = model_file.config
        self._stages, self._teacher = None, None
        if isinstance(self.config, StudentConfig):
            self._stages = build_stages(self.config, model_file.weights)
        else:
            self._teacher = NumpyWhisperTeacher(self.config, model_file.weights)

    @property
    def name(self) -> str:
        return self.file.name

    def frames(self, samples_16k: np.ndarray) -> np.ndarray:
        """Raw model frames (ceil(N / 160), K) at 100 fps for 16 kHz samples (N,)."""
        if self._teacher is not None:
            return self._teacher.frames(samples_16k)
        return student_frames(self.config, self._stages, samples_16k)

    @property
    def has_phones(self) -> bool:
        """Whether the model also gives phone posteriors (the Whisper teacher: transcript mode)."""
        return isinstance(self._teacher, NumpyWhisperTeacher)

    def frames_and_phones(self, samples_16k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`frames` (T, K) and phone logits (T, P) over `config.phones` from one pass."""
        if not self.has_phones:
            raise LipSyncError(f"{self.name} has no phone outputs; the teacher aligns text.")
        return self._teacher.frames_and_phones(samples_16k)


def load_model(name_or_path: str | Path) -> Model:
    """Load a shipped model by name (e.g. "s_tiny") or a model file by path."""
    return Model(read_model_file(resolve_model(name_or_path)))


MODEL_CACHE = ModelCache(load_model)  # one per process: the add-on's, a batch worker's


def cached_model(name_or_path: str | Path, base: Path = Path(".")) -> Model:
    """`load_model` read once per file version in this process (a changed file is read again);
    a relative .npz path is taken from `base`."""
    return MODEL_CACHE.get(name_or_path, base)


def predict(
    model: Model,
    samples: np.ndarray,
    sample_rate: int,
    fps: float,
    smoothing: bool = True,
    progress: Progress | None = None,
    source: str = "audio",
) -> Animation:
    """Weights at the scene rate for a clip (N,) or (N, C) at any sample rate.

    `progress(fraction, text)` is called between blocks of work; an exception it raises (a
    cancel) stops the work and propagates. `source` names the audio in error messages.
    """
    if _is_long_student(model, len(samples), sample_rate):
        blocks = array_blocks(samples, sample_rate, source)
        return _predict_blocks(model, blocks, fps, smoothing, progress)
    samples_16k = prepare_samples(samples, sample_rate, source)
    return _predict_whole(model, samples_16k, fps, smoothing, progress)


def predict_file(
    model: Model,
    audio: str | Path | AudioBlocks,
    fps: float,
    smoothing: bool = True,
    progress: Progress | None = None,
) -> Animation:
    """Like `predict` for an audio file (a path, or one already opened with `open_audio`); a long
    file is never held in memory whole when the model is a student."""
    audio = audio if isinstance(audio, AudioBlocks) else open_audio(audio)
    if _is_long_student(model, audio.n_samples, audio.sample_rate):
        return _predict_blocks(model, audio, fps, smoothing, progress)
    return _predict_whole(model, _whole_16k(audio), fps, smoothing, progress)


def predict_with_text(
    model: Model,
    samples: np.ndarray,
    sample_rate: int,
    fps: float,
    text: str,
    smoothing: bool = True,
    progress: Progress | None = None,
    source: str = "audio",
    aligner: Model | None = None,
):
    """Transcript mode: a core.transcript.line.TextTake (animation, alignment, one-line message)
    from a clip and its dialogue text. The text's phones are aligned with `aligner` (default:
    the shipped teacher; `model` itself when it is the teacher) and animated by the procedural
    animator; `model` animates what the text does not cover. Empty text: `model` alone."""
    samples_16k = prepare_samples(samples, sample_rate, source)
    return _text_take(model, samples_16k, fps, text, smoothing, progress, aligner)


def predict_file_with_text(
    model: Model,
    audio: str | Path | AudioBlocks,
    fps: float,
    text: str,
    smoothing: bool = True,
    progress: Progress | None = None,
    aligner: Model | None = None,
):
    """`predict_with_text` for an audio file (a path or opened audio); the clip is read whole."""
    audio = audio if isinstance(audio, AudioBlocks) else open_audio(audio)
    return _text_take(model, _whole_16k(audio), fps, text, smoothing, progress, aligner)


def open_audio(path: str | Path) -> AudioBlocks:
    """Open and validate an audio file (one pass in blocks); AudioError says what is wrong."""
    return file_blocks(path)


def _whole_16k(audio: AudioBlocks) -> np.ndarray:
    """The opened (so validated) clip whole at 16 kHz mono, DC removed: the numbers
    `prepare_samples` gives, without checking the samples a second time."""
    return np.concatenate(list(audio.blocks_16k()))


def _predict_whole(
    model: Model, samples_16k: np.ndarray, fps: float, smoothing: bool, progress: Progress | None
) -> Animation:
    """The model over the whole 16 kHz clip (N,) at once, resampled to the scene rate."""
    _report(progress, 0.0, f"Running {model.name}")
    weights = resample_frames(model.frames(samples_16k), len(samples_16k), fps, smoothing)
    _report(progress, 1.0, f"Ran {model.name}")
    return Animation(float(fps), model.config.channels, weights)


def _text_take(
    model: Model,
    samples_16k: np.ndarray,
    fps: float,
    text: str,
    smoothing: bool,
    progress: Progress | None,
    aligner: Model | None,
):
    """Transcript mode on a prepared 16 kHz clip (see predict_with_text)."""
    from .transcript.line import text_take

    if aligner is None:
        aligner = model if model.has_phones else cached_model("teacher")
    return text_take(model, aligner, samples_16k, fps, text, smoothing, progress)


def _is_long_student(model: Model, n_samples: int, sample_rate: int) -> bool:
    is_student = isinstance(model.config, StudentConfig)
    return is_student and sample_rate is not None and n_samples > LONG_CLIP_S * sample_rate


def _predict_blocks(
    model: Model, audio: AudioBlocks, fps: float, smoothing: bool, progress: Progress | None
) -> Animation:
    """Stream the clip's 16 kHz blocks (DC already removed) through the student; bounded memory."""
    stream = _student_stream(model, fps, smoothing)
    done, total = 0, audio.n_samples_16k
    # One array filled in place: a list of per-block pieces joined at the end would hold the
    # hour's frames twice and leave the heap fragmented for what Blender allocates next.
    weights = np.empty((scene_frame_count(total, fps), len(model.config.channels)), np.float32)
    filled = 0
    _report(progress, 0.0, f"Running {model.name}")
    for block in audio.blocks_16k():
        filled = _put(weights, filled, stream.push(block))
        done += len(block)
        _report(progress, min(done / total, 1.0), f"Running {model.name}")
    filled = _put(weights, filled, stream.finish())
    assert filled == len(weights), (filled, len(weights))  # the stream releases every frame
    return Animation(float(fps), model.config.channels, weights)


def _put(out: np.ndarray, filled: int, frames: np.ndarray) -> int:
    """Copy `frames` (m, K) into `out` from row `filled`; the new fill count."""
    out[filled : filled + len(frames)] = frames
    return filled + len(frames)


def _report(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(fraction, text)


class AudioStream:
    """Streaming inference on 16 kHz mono audio: the same numbers as `predict` on the whole clip
    (the same causal DC removal, then the student's stream)."""

    def __init__(self, stream: StudentStream):
        self._stream = stream
        self._dc = DcRemover(SAMPLE_RATE)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add 16 kHz mono samples (n,); return newly finished scene frames (m, K)."""
        return self._stream.push(self._dc.push(np.asarray(samples, np.float32).reshape(-1)))

    def finish(self) -> np.ndarray:
        """End of audio: the remaining scene frames (m, K)."""
        return self._stream.finish()


def _student_stream(model: Model, fps: float, smoothing: bool) -> StudentStream:
    if not isinstance(model.config, StudentConfig):
        raise LipSyncError(
            f"{model.name} sees the whole clip at once and cannot stream; pick a student model."
        )
    return StudentStream(model.config, model._stages, fps, smoothing, DELTA_S)


def open_stream(model: Model, fps: float, smoothing: bool = True) -> AudioStream:
    """Streaming inference: push 16 kHz float32 blocks, get scene frames (m, K) back."""
    return AudioStream(_student_stream(model, fps, smoothing))


def model_info(model: Model) -> ModelInfo:
    """Name, size, context and card of a loaded model."""
    config = model.config
    return ModelInfo(
        model.name,
        model.file.parameters,
        model.file.file_size,
        float(config.future_ms),
        float(config.past_ms),
        config.channels,
        model.file.card,
    )


__all__ = [
    "MODELS_DIR",
    "AudioStream",
    "Model",
    "ModelInfo",
    "SAMPLE_RATE",
    "cached_model",
    "load_model",
    "model_info",
    "open_audio",
    "open_stream",
    "predict",
    "predict_file",
    "predict_file_with_text",
    "predict_with_text",
    "resolve_model",
    "shipped_models",
]
