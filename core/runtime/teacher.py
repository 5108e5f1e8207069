"""Numpy teacher forward: log-mel, conv stem, ALiBi transformer, chunked for long clips."""

import math

import numpy as np

from .configs import FRAME_RATE, HOP, TeacherConfig
from .conv import conv1d, torch_weight_to_2d
from .logmel import log_mel
from .student import sigmoid


def expected_shapes(config: TeacherConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of every weight a teacher model file must hold (torch state_dict names)."""
    d, m, s, k = config.d_model, config.logmel.n_mels, config.stem_stride, len(config.channels)
    shapes = {
        "stem1.weight": (d, m, 3),
        "stem1.bias": (d,),
        "stem2.weight": (d, d, s),
        "stem2.bias": (d,),
    }
    for i in range(config.n_layers):
        p = f"blocks.{i}."
        shapes |= {
            p + "norm1.weight": (d,),
            p + "norm1.bias": (d,),
            p + "qkv.weight": (3 * d, d),
            p + "qkv.bias": (3 * d,),
            p + "proj.weight": (d, d),
            p + "proj.bias": (d,),
            p + "norm2.weight": (d,),
            p + "norm2.bias": (d,),
            p + "fc1.weight": (config.ffn, d),
            p + "fc1.bias": (config.ffn,),
            p + "fc2.weight": (d, config.ffn),
            p + "fc2.bias": (d,),
        }
    shapes |= {
        "norm.weight": (d,),
        "norm.bias": (d,),
        "head.weight": (s * k, d),
        "head.bias": (s * k,),
    }
    return shapes


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (as torch's approximate='tanh')."""
    return 0.5 * x * (1.0 + np.tanh(np.float32(math.sqrt(2.0 / math.pi)) * (x + 0.044715 * x**3)))


def layer_norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis, eps 1e-5."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * gain + bias


def chunk_plan(n_tokens: int, config: TeacherConfig) -> list[tuple[int, int, int, int]]:
    """Token chunks (start, stop) with context, and the output frame slice (s, e) kept of each."""
    token_rate = FRAME_RATE / config.stem_stride
    chunk = max(1, round(config.chunk_s * token_rate))
    context = round(config.context_s * token_rate)
    if n_tokens <= chunk + 2 * context:
        return [(0, n_tokens, 0, n_tokens * config.stem_stride)]
    plan, s = [], config.stem_stride
    for first in range(0, n_tokens, chunk):
        last = min(n_tokens, first + chunk)
        start, stop = max(0, first - context), min(n_tokens, last + context)
        plan.append((start, stop, (first - start) * s, (last - start) * s))
    return plan


class NumpyTeacher:
    """The teacher's forward pass with weights as float32 numpy arrays."""

    def __init__(self, config: TeacherConfig, weights: dict[str, np.ndarray]):
        self.config = config
        self.w = {name: np.asarray(value, np.float32) for name, value in weights.items()}
        for name in ("stem1", "stem2"):
            self.w[name + ".weight_2d"] = torch_weight_to_2d(self.w[name + ".weight"])
        for name in [
            n
            for n in self.w
            if n.endswith(("qkv.weight", "proj.weight", "fc1.weight", "fc2.weight", "head.weight"))
        ]:
            self.w[name + "_t"] = np.ascontiguousarray(self.w[name].T)
        h = np.arange(config.n_heads)
        self.slopes = (2.0 ** (-8.0 * (h + 1) / config.n_heads)).astype(np.float32)

    def tokens(self, samples: np.ndarray) -> tuple[np.ndarray, int]:
        """Samples (N,) -> stem tokens (L, D) and the frame count."""
        c, w = self.config, self.w
        n_frames = math.ceil(len(samples) / HOP)
        n_tokens = math.ceil(n_frames / c.stem_stride)
        half = c.logmel.n_fft // 2
        right = max(0, HOP * (n_tokens * c.stem_stride - 1) + half - len(samples))
        padded = np.concatenate(
            [np.zeros(half, np.float32), samples.astype(np.float32), np.zeros(right, np.float32)]
        )
        mel = log_mel(padded, c.logmel)  # (S*L, M)
        mel = np.concatenate(
            [np.zeros((1, mel.shape[1]), np.float32), mel, np.zeros((1, mel.shape[1]), np.float32)]
        )  # padding=1
        x = gelu(conv1d(mel, w["stem1.weight_2d"], w["stem1.bias"], 3, 1))
        x = gelu(conv1d(x, w["stem2.weight_2d"], w["stem2.bias"], c.stem_stride, c.stem_stride))
        return x.astype(np.float32), n_frames

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Tokens (L, D) -> weights (S*L, K)."""
        c, w = self.config, self.w
        length, width = x.shape
        positions = np.arange(length, dtype=np.float32)
        distance = np.abs(positions[None, :] - positions[:, None])  # (L, L)
        head_width = width // c.n_heads
        for i in range(c.n_layers):
            p = f"blocks.{i}."
            qkv = (
                layer_norm(x, w[p + "norm1.weight"], w[p + "norm1.bias"]) @ w[p + "qkv.weight_t"]
                + w[p + "qkv.bias"]
            )
            q, k, v = (
                qkv[:, j * width : (j + 1) * width]
                .reshape(length, c.n_heads, head_width)
                .transpose(1, 0, 2)
                for j in range(3)
            )  # (H, L, D/H) each
            scores = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(head_width))  # (H, L, L)
            scores -= self.slopes[:, None, None] * distance
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(1, 0, 2).reshape(length, width)
            x = x + attended @ w[p + "proj.weight_t"] + w[p + "proj.bias"]
            hidden = layer_norm(x, w[p + "norm2.weight"], w[p + "norm2.bias"])
            hidden = gelu(hidden @ w[p + "fc1.weight_t"] + w[p + "fc1.bias"])
            x = x + hidden @ w[p + "fc2.weight_t"] + w[p + "fc2.bias"]
        out = layer_norm(x, w["norm.weight"], w["norm.bias"]) @ w["head.weight_t"] + w["head.bias"]
        return sigmoid(out.reshape(length * c.stem_stride, len(c.channels)))

    def frames(self, samples: np.ndarray) -> np.ndarray:
        """100 fps weights (ceil(N / HOP), K) of a clip (N,), chunked when long."""
        tokens, n_frames = self.tokens(samples)
        pieces = [
            self.encode(tokens[a:b])[s:e] for a, b, s, e in chunk_plan(len(tokens), self.config)
        ]
        return np.concatenate(pieces)[:n_frames].astype(np.float32)
