"""Whisper tiny.en's audio encoder in numpy: the frozen front end of the teacher.

Read top-down as OpenAI Whisper's audio.py + model.py: log-mel, conv stem, sinusoidal positions,
4 pre-LN transformer blocks, final layer norm. Weights come from
assets/encoders/whisper_tiny_en_encoder.npz (float16, extracted by
tools/setup/extract_whisper_encoder.py from CTranslate2's conversion; see assets/CREDITS.md).

Frame timing: 16 kHz samples (N,) give T = ceil(N / 320) frames at 50 fps. Log-mel frame i is
the 400-sample Hann window centred on sample 160 i (10 ms steps, as Whisper's centred STFT);
encoder frame j is centred on log-mel frame 2 j, i.e. on time 20 ms x j (sample 320 j). Its conv
stem sees samples 320 j - 520 .. 320 j + 520; attention then sees its whole window.

Every window is 10 s (500 frames) and every frame has >= 0.5 s of its window after it: a clip
of up to 9.5 s is zero-padded to one window; a longer clip gets the fewest 10 s windows that
overlap by >= 1 s, evenly spread from its start to 0.5 s of zero padding past its end, each seam
in the middle of an overlap. Why (measured): reports/training_log.md, "Whisper encoder windows".
"""

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from .conv import conv1d, torch_weight_to_2d
from .logmel import hann_window

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160  # samples per log-mel frame (10 ms)
N_MELS = 80
SAMPLES_PER_FRAME = 2 * HOP  # one encoder frame per 20 ms
FRAME_RATE = SAMPLE_RATE // SAMPLES_PER_FRAME  # 50 fps
WIDTH = 384
N_LAYERS = 4
MAX_FRAMES = 1500  # positional encodings: 30 s
WINDOW_FRAMES = 500  # every window is 10 s: shorter clips are zero-padded to it ...
OVERLAP_FRAMES = 50  # ... longer ones cut into windows overlapping by 1 s, seams mid-overlap
WHISPER_ENCODER_PATH = (
    Path(__file__).resolve().parents[2] / "assets" / "encoders" / "whisper_tiny_en_encoder.npz"
)
FORMAT = "whisper-encoder"
MAX_FILE_BYTES = 64 << 20


# --- log-mel (Whisper's audio.py) ------------------------------------------------------------
def _hz_to_slaney_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz (3 mel per 200 Hz), logarithmic above."""
    log_region = hz >= 1000.0
    mel = hz * 3.0 / 200.0
    mel[log_region] = 15.0 + 27.0 * np.log(hz[log_region] / 1000.0) / np.log(6.4)
    return mel


def _slaney_mel_to_hz(mel: np.ndarray) -> np.ndarray:
    log_region = mel >= 15.0
    hz = mel * 200.0 / 3.0
    hz[log_region] = 1000.0 * np.exp((mel[log_region] - 15.0) * np.log(6.4) / 27.0)
    return hz


def mel_filters(n_mels: int = N_MELS, n_fft: int = N_FFT) -> np.ndarray:
    """Whisper's filterbank (n_mels, n_fft // 2 + 1): librosa's default, Slaney mel scale and
    area normalisation."""
    bins_hz = np.arange(n_fft // 2 + 1) * SAMPLE_RATE / n_fft
    edges_mel = np.linspace(0.0, _hz_to_slaney_mel(np.array([SAMPLE_RATE / 2.0]))[0], n_mels + 2)
    edges_hz = _slaney_mel_to_hz(edges_mel)
    lower, centre, upper = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising = (bins_hz - lower) / (centre - lower)
    falling = (upper - bins_hz) / (upper - centre)
    triangles = np.maximum(0.0, np.minimum(rising, falling))
    return (triangles * (2.0 / (upper - lower))).astype(np.float32)


def log_mel(samples: np.ndarray) -> np.ndarray:
    """Whisper's log-mel frames (2 ceil(N / 320), 80) of 16 kHz samples (N,); frame i centres
    on sample 160 i. Equal to Whisper's log_mel_spectrogram(audio, padding=30 s) there."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    n_frames = 2 * math.ceil(len(samples) / SAMPLES_PER_FRAME)
    if n_frames == 0:
        return np.zeros((0, N_MELS), np.float32)
    half = N_FFT // 2  # torch.stft(center=True) reflects 200 samples at the start
    padded = np.zeros(HOP * (n_frames - 1) + N_FFT, np.float32)  # zeros after the end
    if len(samples) > half:
        padded[:half] = samples[half:0:-1]
    padded[half : half + len(samples)] = samples
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]  # (2T, 400)
    window = hann_window(N_FFT)
    spectrum = np.fft.rfft(frames * window, axis=1)  # (2T, 201) complex64
    power = spectrum.real**2 + spectrum.imag**2
    mel = np.log10(np.maximum(power @ mel_filters().T, 1e-10))  # (2T, 80)
    return (np.maximum(mel, mel.max() - 8.0) + 4.0) / 4.0


# --- the encoder (Whisper's model.py) ----------------------------------------------------------
def _gelu(x: np.ndarray, rows: int = 64) -> np.ndarray:
    """Exact (erf) GELU of x (T, C), in place, `rows` at a time (the temporaries stay in cache):
    x Phi(x) = relu(x) - |x| (1 - erf(|x| / sqrt 2)) / 2, erf by Abramowitz & Stegun 7.1.26
    (|error| < 1.5e-7)."""
    for start in range(0, len(x), rows):
        part = x[start : start + rows]
        magnitude = np.abs(part)
        t = magnitude * np.float32(0.3275911 / math.sqrt(2))
        t += 1.0
        np.reciprocal(t, out=t)
        tail = t * np.float32(1.061405429)  # Horner: tail = t (a1 + t (a2 + ... + t a5))
        for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
            tail += coefficient
            tail *= t
        gauss = magnitude * magnitude
        gauss *= -0.5
        np.exp(gauss, out=gauss)  # exp(-(|x| / sqrt 2)^2)
        tail *= gauss
        tail *= magnitude
        tail *= 0.5
        np.maximum(part, 0.0, out=part)
        part -= tail
    return x


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis, eps 1e-5."""
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred * (gamma / np.sqrt(variance + 1e-5)) + beta


def _conv3(x: np.ndarray, weight_2d: np.ndarray, bias: np.ndarray, stride: int) -> np.ndarray:
    """Conv1d, kernel 3, padding 1: x (L, C_in) -> (ceil(L / stride), C_out)."""
    return conv1d(np.pad(x, ((1, 1), (0, 0))), weight_2d, bias, 3, stride)


@dataclass(frozen=True)
class _Block:
    attn_ln: tuple[np.ndarray, np.ndarray]
    qkv: tuple[np.ndarray, np.ndarray]  # (384, 1152) with the query part scaled by 1/8, (1152,)
    out: tuple[np.ndarray, np.ndarray]
    mlp_ln: tuple[np.ndarray, np.ndarray]
    mlp_in: tuple[np.ndarray, np.ndarray]
    mlp_out: tuple[np.ndarray, np.ndarray]

    def __call__(self, x: np.ndarray, n_heads: int) -> np.ndarray:
        """One pre-LN residual block on x (T, 384)."""
        n_frames, width = x.shape
        qkv = layer_norm(x, *self.attn_ln) @ self.qkv[0] + self.qkv[1]  # (T, 1152)
        q, k, v = qkv.reshape(n_frames, 3, n_heads, width // n_heads).transpose(1, 2, 0, 3)
        scores = q @ k.transpose(0, 2, 1)  # (H, T, T), q already scaled by 1 / sqrt(64)
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        heads = scores @ v  # (H, T, 64), softmax normalised after the product (fewer divisions)
        heads /= scores.sum(axis=-1, keepdims=True)
        heads = heads.transpose(1, 0, 2).reshape(n_frames, width)  # (T, 384)
        x = x + heads @ self.out[0] + self.out[1]
        hidden = _gelu(layer_norm(x, *self.mlp_ln) @ self.mlp_in[0] + self.mlp_in[1])  # (T, 1536)
        return x + hidden @ self.mlp_out[0] + self.mlp_out[1]


def _linear(w: dict, name: str, scale: np.ndarray | None = None) -> tuple:
    """A CTranslate2 linear layer (out, in) as (weight (in, out), bias), rows scaled by scale."""
    weight, bias = w[name + "/weight"], w[name + "/bias"]
    if scale is not None:
        weight, bias = weight * scale[:, None], bias * scale
    return np.ascontiguousarray(weight.T), bias


def _conv(w: dict, name: str) -> tuple:
    """A Conv1d (out, in, 3) as (taps stacked (3 in, out), bias), for `_conv3`."""
    return torch_weight_to_2d(w[name + "/weight"]), w[name + "/bias"]


class WhisperEncoder:
    """Whisper tiny.en's encoder; `encode` maps 16 kHz audio to (T, 384) frames at 50 fps."""

    def __init__(self, weights: dict[str, np.ndarray], n_heads: int):
        w = {name: np.asarray(array, np.float32) for name, array in weights.items()}
        self.n_heads = n_heads
        self.conv1 = _conv(w, "conv1")  # (240, 384)
        self.conv2 = _conv(w, "conv2")  # (1152, 384)
        self.positions = w["position_encodings/encodings"]  # (1500, 384)
        qkv_scale = np.ones(3 * WIDTH, np.float32)  # softmax(q k^T / sqrt(64)): folded into q
        qkv_scale[:WIDTH] = 1.0 / math.sqrt(WIDTH // n_heads)
        self.blocks = [
            _Block(
                attn_ln=(
                    w[f"layer_{i}/self_attention/layer_norm/gamma"],
                    w[f"layer_{i}/self_attention/layer_norm/beta"],
                ),
                qkv=_linear(w, f"layer_{i}/self_attention/linear_0", qkv_scale),
                out=_linear(w, f"layer_{i}/self_attention/linear_1"),
                mlp_ln=(w[f"layer_{i}/ffn/layer_norm/gamma"], w[f"layer_{i}/ffn/layer_norm/beta"]),
                mlp_in=_linear(w, f"layer_{i}/ffn/linear_0"),
                mlp_out=_linear(w, f"layer_{i}/ffn/linear_1"),
            )
            for i in range(N_LAYERS)
        ]
        self.ln_post = (w["layer_norm/gamma"], w["layer_norm/beta"])

    def encode_mel(self, mel: np.ndarray, layers: tuple[int, ...] = (N_LAYERS,)) -> list:
        """One window: log-mel (2T, 80), T <= 1500 -> [(T, 384)] per requested layer (0 = conv
        stem + positions, 1..3 = after that block, 4 = final output after the last layer norm)."""
        x = _gelu(_conv3(mel, *self.conv1, stride=1))  # (2T, 384)
        x = _gelu(_conv3(x, *self.conv2, stride=2))  # (T, 384)
        if len(x) > MAX_FRAMES:
            raise ValueError(f"a window holds at most {MAX_FRAMES} frames, got {len(x)}")
        x += self.positions[: len(x)]
        outputs = {0: x}
        for i, block in enumerate(self.blocks[: max(layers)], start=1):
            x = block(x, self.n_heads)
            outputs[i] = x
        if N_LAYERS in layers:
            outputs[N_LAYERS] = layer_norm(x, *self.ln_post)
        return [outputs[i] for i in layers]

    def encode_layers(self, samples: np.ndarray, layers: tuple[int, ...]) -> list[np.ndarray]:
        """16 kHz mono samples (N,) -> [(ceil(N / 320), 384) float32] for each layer in `layers`
        (indices as in `encode_mel`), in 10 s windows by the rule of the module docstring."""
        if not layers or min(layers) < 0 or max(layers) > N_LAYERS:
            raise ValueError(f"layers must be indices in 0..{N_LAYERS}, got {layers}")
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        n_frames = math.ceil(len(samples) / SAMPLES_PER_FRAME)
        spans = windows(n_frames)
        n_padded = max([start + WINDOW_FRAMES for start, _, _ in spans], default=0)
        padding = n_padded * SAMPLES_PER_FRAME - len(samples)
        mel = log_mel(np.pad(samples, (0, padding)))  # (2 n_padded, 80), one clamp for all
        outputs = [np.zeros((n_frames, WIDTH), np.float32) for _ in layers]
        for start, keep_start, keep_stop in spans:
            window = self.encode_mel(mel[2 * start : 2 * (start + WINDOW_FRAMES)], layers)
            for out, frames in zip(outputs, window, strict=True):
                out[keep_start:keep_stop] = frames[keep_start - start : keep_stop - start]
        return outputs

    def encode(self, samples: np.ndarray) -> np.ndarray:
        """16 kHz mono samples (N,) -> encoder output (ceil(N / 320), 384) float32 at 50 fps;
        frame j is centred on time 20 ms x j."""
        return self.encode_layers(samples, (N_LAYERS,))[0]


def windows(
    n_frames: int, window: int = WINDOW_FRAMES, overlap: int = OVERLAP_FRAMES
) -> list[tuple[int, int, int]]:
    """The windows [start, start + window) that cover n_frames frames and overlap / 2 more (zero
    padding: every frame has >= 0.5 s of window after it), each with the frames it contributes
    [keep_start, keep_stop): one window from 0 if that fits, else the fewest windows that
    overlap by >= overlap frames, evenly spread, each seam in the middle of an overlap."""
    n_covered = n_frames + overlap // 2
    if n_covered <= window:
        return [(0, 0, n_frames)] if n_frames else []
    n_windows = math.ceil((n_covered - window) / (window - overlap)) + 1
    starts = [round(i * (n_covered - window) / (n_windows - 1)) for i in range(n_windows)]
    seams = [(a + window + b) // 2 for a, b in zip(starts, starts[1:], strict=False)]
    keeps = [0, *seams, n_frames]
    return [(start, keeps[i], keeps[i + 1]) for i, start in enumerate(starts)]


def load_whisper_encoder(path: Path = WHISPER_ENCODER_PATH) -> WhisperEncoder:
    """Read and check an encoder file written by tools/setup/extract_whisper_encoder.py."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"The Whisper encoder file {path} is missing; reinstall the add-on.")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ModelFileError(f"{path.name} is too large to be a Whisper encoder file.")
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["__meta__"][()]))
            if meta["format"] != FORMAT or meta["sample_rate"] != SAMPLE_RATE:
                raise ModelFileError(f"{path.name} is not a 16 kHz Whisper encoder file.")
            shapes = {name: tuple(shape) for name, shape in meta["shapes"].items()}
            if shapes != expected_shapes():
                raise ModelFileError(f"{path.name} does not hold Whisper tiny's encoder layers.")
            weights = {name: archive[name] for name in shapes}
            n_heads = int(meta["num_heads"])
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        message = f"{path.name} is not a readable Whisper encoder file ({error})."
        raise ModelFileError(message) from error
    if any(w.shape != shapes[n] or w.dtype.kind != "f" for n, w in weights.items()):
        raise ModelFileError(f"{path.name} holds malformed Whisper encoder weights.")
    if n_heads <= 0 or WIDTH % n_heads:
        raise ModelFileError(f"{path.name} declares {n_heads} attention heads for width {WIDTH}.")
    return WhisperEncoder(weights, n_heads)


def expected_shapes() -> dict[str, tuple[int, ...]]:
    """The array names and shapes of Whisper tiny's encoder (CTranslate2 names)."""
    shapes = {
        "conv1/weight": (WIDTH, N_MELS, 3),
        "conv1/bias": (WIDTH,),
        "conv2/weight": (WIDTH, WIDTH, 3),
        "conv2/bias": (WIDTH,),
        "position_encodings/encodings": (MAX_FRAMES, WIDTH),
        "layer_norm/gamma": (WIDTH,),
        "layer_norm/beta": (WIDTH,),
    }
    for i in range(N_LAYERS):
        for part, n_out, n_in in (
            ("self_attention/linear_0", 3 * WIDTH, WIDTH),
            ("self_attention/linear_1", WIDTH, WIDTH),
            ("ffn/linear_0", 4 * WIDTH, WIDTH),
            ("ffn/linear_1", WIDTH, 4 * WIDTH),
        ):
            shapes[f"layer_{i}/{part}/weight"] = (n_out, n_in)
            shapes[f"layer_{i}/{part}/bias"] = (n_out,)
        for norm in ("self_attention/layer_norm", "ffn/layer_norm"):
            shapes[f"layer_{i}/{norm}/gamma"] = (WIDTH,)
            shapes[f"layer_{i}/{norm}/beta"] = (WIDTH,)
    return shapes
