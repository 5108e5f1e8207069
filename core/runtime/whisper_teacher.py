"""Numpy Whisper teacher: the pretrained encoder, then the trained conv head, 100 fps out.

One model file holds both halves: encoder weights under `encoder.` (core.runtime.
whisper_encoder's names) and head weights under `head.` (core.lab.models.teacher_head's state_dict
names). `encoder_features` is the one place that turns audio into the head's input, shared by
the training feature cache and this runtime, so both see exactly the same features.
"""

import math
from pathlib import Path

import numpy as np

from ..rig.seal import finish_pose
from .configs import FRAMES_PER_TOKEN, WhisperTeacherConfig
from .conv import conv1d, torch_weight_to_2d
from .student import sigmoid
from .whisper_encoder import (
    SAMPLES_PER_FRAME,
    WHISPER_ENCODER_PATH,
    WINDOW_FRAMES,
    WhisperEncoder,
    layer_norm,
    load_whisper_encoder,
    log_mel,
)
from .whisper_encoder import expected_shapes as encoder_shapes

# The standalone encoder that training caches features with
# (tools/setup/extract_whisper_encoder.py).
DEFAULT_ENCODER = WHISPER_ENCODER_PATH


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (the head's torch module uses approximate='tanh')."""
    return 0.5 * x * (1.0 + np.tanh(np.float32(math.sqrt(2.0 / math.pi)) * (x + 0.044715 * x**3)))


def load_encoder(path: str | Path = DEFAULT_ENCODER) -> WhisperEncoder:
    """The frozen Whisper encoder from its standalone file."""
    return load_whisper_encoder(path)


# A clip that fits one window is zero-padded to its length + TAIL_FRAMES, and to at least
# MIN_WINDOW_FRAMES: per-frame centred cosine to Whisper's own 30 s regime 0.955 at >= 5 s
# against 0.876 unpadded (core/runtime/whisper_encoder.py), at about 1.1x the cost of the
# unpadded clip for the corpus's 3-8 s utterances instead of 1.8x for a full 10 s window.
MIN_WINDOW_FRAMES = 250  # 5 s
TAIL_FRAMES = 25  # 0.5 s: the last frames of a window suffer most


def encoder_layers(
    encoder: WhisperEncoder, samples: np.ndarray, layers: tuple[int, ...]
) -> list[np.ndarray]:
    """Encoder outputs [(ceil(N / 320), 384)] per layer; long clips by the encoder's 10 s rule."""
    samples = np.asarray(samples, np.float32).reshape(-1)
    n_frames = -(-len(samples) // SAMPLES_PER_FRAME)
    if n_frames + TAIL_FRAMES > WINDOW_FRAMES:
        return encoder.encode_layers(samples, layers)
    window = max(MIN_WINDOW_FRAMES, n_frames + TAIL_FRAMES)
    mel = log_mel(np.pad(samples, (0, window * SAMPLES_PER_FRAME - len(samples))))
    return [x[:n_frames] for x in encoder.encode_mel(mel, layers)]


def encoder_features(
    encoder: WhisperEncoder, samples: np.ndarray, layers: tuple[int, ...]
) -> np.ndarray:
    """The head's input (ceil(N / 320), 384 * len(layers)): each encoder layer's output
    normalised per frame (inner layers are an un-normalised residual stream of another scale),
    then concatenated."""
    outputs = encoder_layers(encoder, samples, layers)
    normalised = []
    for x in outputs:
        centred = x - x.mean(axis=1, keepdims=True)
        normalised.append(centred / np.sqrt((centred**2).mean(axis=1, keepdims=True) + 1e-5))
    return np.concatenate(normalised, axis=1).astype(np.float32)


def head_shapes(config: WhisperTeacherConfig) -> dict[str, tuple[int, ...]]:
    """Name -> shape of the head's weights (TeacherHead state_dict names)."""
    f, w, k = config.feature_width, config.head_width, config.head_kernel
    shapes = {
        "norm_in.weight": (f,),
        "norm_in.bias": (f,),
        "proj.weight": (w, f),
        "proj.bias": (w,),
    }
    for i in range(config.head_blocks):
        p = f"blocks.{i}."
        shapes |= {
            p + "norm.weight": (w,),
            p + "norm.bias": (w,),
            p + "mix.weight": (w, w),
            p + "conv.weight": (w, w, k),
            p + "conv.bias": (w,),
            p + "mix.bias": (w,),
        }
    out = FRAMES_PER_TOKEN * config.outputs_per_frame
    return shapes | {
        "norm_out.weight": (w,),
        "norm_out.bias": (w,),
        "out.weight": (out, w),
        "out.bias": (out,),
    }


def expected_shapes(config: WhisperTeacherConfig) -> dict[str, tuple[int, ...]]:
    """Every weight a Whisper teacher model file holds: `encoder.*` and `head.*`."""
    encoder = {f"encoder.{n}": s for n, s in encoder_shapes().items()}
    return encoder | {f"head.{n}": s for n, s in head_shapes(config).items()}


class NumpyTeacherHead:
    """TeacherHead's forward pass in numpy."""

    def __init__(self, config: WhisperTeacherConfig, weights: dict[str, np.ndarray]):
        self.config = config
        self.w = {n: np.asarray(v, np.float32) for n, v in weights.items()}
        for name in [n for n in self.w if n.endswith(".weight") and self.w[n].ndim == 2]:
            self.w[name + "_t"] = np.ascontiguousarray(self.w[name].T)
        for i in range(config.head_blocks):
            name = f"blocks.{i}.conv.weight"
            self.w[name + "_2d"] = torch_weight_to_2d(self.w[name])

    def __call__(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features (L, F) -> weights (2L, K), phone logits (2L, P), closure logits (2L,)."""
        c, w = self.config, self.w
        x = layer_norm(features, w["norm_in.weight"], w["norm_in.bias"])
        x = gelu(x @ w["proj.weight_t"] + w["proj.bias"])
        pad = np.zeros((c.head_kernel // 2, c.head_width), np.float32)
        for i in range(c.head_blocks):
            p = f"blocks.{i}."
            hidden = np.concatenate(
                [pad, layer_norm(x, w[p + "norm.weight"], w[p + "norm.bias"]), pad]
            )
            hidden = conv1d(hidden, w[p + "conv.weight_2d"], w[p + "conv.bias"], c.head_kernel, 1)
            x = x + gelu(hidden) @ w[p + "mix.weight_t"] + w[p + "mix.bias"]
        out = layer_norm(x, w["norm_out.weight"], w["norm_out.bias"]) @ w["out.weight_t"]
        frames = (out + w["out.bias"]).reshape(FRAMES_PER_TOKEN * len(x), c.outputs_per_frame)
        k, n_phones = len(c.channels), len(c.phones)
        return sigmoid(frames[:, :k]), frames[:, k : k + n_phones], frames[:, k + n_phones]


class NumpyWhisperTeacher:
    """Audio -> 100 fps ARKit weights (and phone and closure outputs) in numpy."""

    def __init__(self, config: WhisperTeacherConfig, weights: dict[str, np.ndarray]):
        self.config = config
        part = {"encoder.": {}, "head.": {}}
        for name, value in weights.items():
            prefix = name[: name.index(".") + 1]
            part[prefix][name[len(prefix) :]] = value
        self.encoder = WhisperEncoder(part["encoder."], config.encoder.n_heads)
        self.head = NumpyTeacherHead(config, part["head."])

    def outputs(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weights (T, K), phone logits (T, P), closure logits (T,), T = ceil(N / 160)."""
        n_frames = -(-len(samples) // 160)
        features = encoder_features(self.encoder, samples, self.config.feature_layers)
        weights, phones, closure = self.head(features)
        return weights[:n_frames], phones[:n_frames], closure[:n_frames]

    def frames(self, samples: np.ndarray) -> np.ndarray:
        """100 fps weights (ceil(N / 160), K) of a clip (N,), sealed where a closure is likely."""
        return self.frames_and_phones(samples)[0]

    def frames_and_phones(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`frames` and the phone logits (T, P) of the same pass (transcript mode needs both)."""
        weights, phones, closure = self.outputs(samples)
        sealed = finish_pose(weights, sigmoid(closure), phones, self.config)
        return sealed.astype(np.float32), phones
