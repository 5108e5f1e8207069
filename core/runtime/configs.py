"""Frozen model configs, torch-free: the training code and the numpy runtime both read them.

Time grid shared by every model: predictions are made at FRAME_RATE = 100 fps (one frame every
HOP = 160 samples at 16 kHz, frame j at time j / 100 s). 60 fps is not a whole number of
samples (16000 / 60 = 266.67), so the runtime interpolates the 100 fps frames linearly to 60 fps
or any scene rate (see core.runtime.smoothing).
"""

from dataclasses import asdict, dataclass, field, fields

from ..audio.prepare import SAMPLE_RATE
from ..rig.arkit import LOWER_FACE
from ..rig.seal import SEAL_RAMP

HOP = 160  # samples between model frames
FRAME_RATE = SAMPLE_RATE / HOP  # 100.0 frames per second


@dataclass(frozen=True)
class LogMelConfig:
    """Log-mel front end: frame i covers samples [HOP*i, HOP*i + n_fft) of its (padded) input."""

    n_fft: int = 512  # 32 ms Hann window, also the frame length
    n_mels: int = 64
    f_min_hz: float = 40.0
    f_max_hz: float = 7600.0
    floor: float = 1e-5  # log(max(power, floor))


@dataclass(frozen=True)
class ConvLayer:
    """One 1-D convolution followed by ReLU: channels out, kernel size and stride in samples."""

    channels: int
    kernel: int
    stride: int


def _check_ramps(config: "StudentConfig | WhisperTeacherConfig") -> None:
    """A seal or part ramp rises from a probability >= 0 (core.rig.seal)."""
    for name in ("seal_ramp", "part_ramp"):
        ramp = getattr(config, name)
        if ramp is not None and not (len(ramp) == 2 and 0.0 <= ramp[0] < ramp[1]):
            raise ValueError(f"{name} must rise from >= 0, got {ramp}")


def _ramps_from_dict(data: dict) -> None:
    """The ramps of a config dict as tuples of floats (JSON gives lists), defaults when absent."""
    data["seal_ramp"] = tuple(float(x) for x in data.get("seal_ramp", SEAL_RAMP))
    part = data.get("part_ramp")
    data["part_ramp"] = None if part is None else tuple(float(x) for x in part)


@dataclass(frozen=True)
class StudentConfig:
    """Conv + fully-connected student on a waveform window [t - past_ms, t + future_ms).

    input_kind "raw": the convs read the 16 kHz waveform; their strides multiply to HOP.
    input_kind "logmel"/"mfcc": the convs read 100 fps log-mel (or MFCC) frames with stride 1.
    The fully-connected head reads the whole window's features (bottleneck channels x frames);
    run over a whole clip it is a convolution whose kernel spans the window.
    """

    name: str
    layers: tuple[ConvLayer, ...]
    bottleneck: int  # 1x1 conv width before flattening the window
    hidden: int  # width of the hidden fully-connected layer
    hidden2: int = 0  # width of a second, frame-wise hidden layer after it (0: none)
    past_ms: float = 256.0
    future_ms: float = 256.0
    input_kind: str = "raw"  # "raw" | "logmel" | "mfcc"
    logmel: LogMelConfig = field(default_factory=LogMelConfig)
    n_mfcc: int = 20
    channels: tuple[str, ...] = LOWER_FACE
    # Phone-aware outputs beside the weights (same 1x1 output layer, a few hundred parameters):
    # a pressed-lip closure logit, which seals the pose at run time (core.rig.seal, per frame, so
    # streaming stays exact), and phone-class logits, a training-only objective.
    closure_head: bool = False
    phones: tuple[str, ...] = ()
    seal_ramp: tuple[float, float] = SEAL_RAMP  # closure probability: seal starts, seal is full
    part_ramp: tuple[float, float] | None = None  # speech probability: lips part (None: off)

    def __post_init__(self) -> None:
        _check_ramps(self)
        if self.part_ramp is not None and "SIL" not in self.phones:
            raise ValueError("part_ramp needs a phone head with a SIL class")
        if not (isinstance(self.hidden2, int) and self.hidden2 >= 0):
            raise ValueError(f"hidden2 must be a whole number >= 0, got {self.hidden2}")
        if self.input_kind not in ("raw", "logmel", "mfcc"):
            raise ValueError(f"unknown input_kind {self.input_kind!r}")
        if self.input_kind == "raw" and self.total_stride != HOP:
            raise ValueError(f"raw-input strides multiply to {self.total_stride}, need {HOP}")
        if self.input_kind != "raw" and self.total_stride != 1:
            raise ValueError("feature-input students use stride-1 convolutions")
        for ms in (self.past_ms, self.future_ms):
            if (ms * SAMPLE_RATE / 1000) % 1:
                raise ValueError(f"{ms} ms is not a whole number of samples")
        if (self.window_samples - self.receptive_field) % HOP or self.head_frames < 1:
            raise ValueError(
                f"window {self.window_samples} samples minus receptive field "
                f"{self.receptive_field} must be a non-negative multiple of {HOP}"
            )

    @property
    def past_samples(self) -> int:
        return round(self.past_ms * SAMPLE_RATE / 1000)

    @property
    def future_samples(self) -> int:
        return round(self.future_ms * SAMPLE_RATE / 1000)

    @property
    def window_samples(self) -> int:
        return self.past_samples + self.future_samples

    @property
    def total_stride(self) -> int:
        stride = 1
        for layer in self.layers:
            stride *= layer.stride
        return stride

    @property
    def in_channels(self) -> int:
        return {"raw": 1, "logmel": self.logmel.n_mels, "mfcc": self.n_mfcc}[self.input_kind]

    @property
    def receptive_field(self) -> int:
        """Samples one conv-stack output frame sees (front-end frame included)."""
        if self.input_kind == "raw":
            field_samples, jump = 1, 1
        else:
            field_samples, jump = self.logmel.n_fft, HOP
        for layer in self.layers:
            field_samples += (layer.kernel - 1) * jump
            jump *= layer.stride
        return field_samples

    @property
    def head_frames(self) -> int:
        """Feature frames (at 100 fps) inside one window: the head's kernel."""
        return (self.window_samples - self.receptive_field) // HOP + 1

    @property
    def last_hidden(self) -> int:
        """Width of the hidden layer that the output layer reads."""
        return self.hidden2 or self.hidden

    @property
    def n_outputs(self) -> int:
        """Output-layer rows: the weights, then the closure logit, then the phone logits."""
        return len(self.channels) + int(self.closure_head) + len(self.phones)


# The teacher's phone classes: ARPAbet without stress plus silence (core.phones.phone_set.ARPABET,
# spelled out here because the runtime ships without the corpus code; a test keeps them equal).
TEACHER_PHONES: tuple[str, ...] = (
    "SIL",
    "P",
    "B",
    "M",
    "F",
    "V",
    "W",
    "UW",
    "UH",
    "OW",
    "AO",
    "OY",
    "AW",
    "TH",
    "DH",
    "T",
    "D",
    "N",
    "S",
    "Z",
    "L",
    "SH",
    "ZH",
    "CH",
    "JH",
    "R",
    "Y",
    "K",
    "G",
    "NG",
    "HH",
    "IY",
    "IH",
    "EY",
    "EH",
    "AH",
    "ER",
    "AE",
    "AA",
    "AY",
)


@dataclass(frozen=True)
class WhisperEncoderConfig:
    """OpenAI Whisper tiny.en's encoder (fixed by the pretrained weights): 50 tokens a second."""

    n_mels: int = 80
    width: int = 384
    n_layers: int = 4
    n_heads: int = 6
    n_ctx: int = 1500  # positional encodings: 30 s


@dataclass(frozen=True)
class WhisperTeacherConfig:
    """Teacher on real-speech features: the frozen Whisper encoder, then a trained conv head.

    The head reads the outputs of `feature_layers` (1-based encoder layers, concatenated) at 50
    tokens per second and emits FRAMES_PER_TOKEN = 2 frames per token on the 100 fps grid, each
    frame holding the ARKit weights, phone-class logits and a lip-closure logit. It sees the whole
    utterance through the encoder's attention (non-causal, like the paper's teacher).
    """

    name: str = "teacher"
    encoder: WhisperEncoderConfig = field(default_factory=WhisperEncoderConfig)
    feature_layers: tuple[int, ...] = (2, 4)
    head_width: int = 128  # sized to train in well under an hour on two CPU cores
    head_blocks: int = 2
    head_kernel: int = 5
    phones: tuple[str, ...] = TEACHER_PHONES
    channels: tuple[str, ...] = LOWER_FACE
    past_ms: float = float("inf")
    future_ms: float = float("inf")
    seal_ramp: tuple[float, float] = SEAL_RAMP  # as StudentConfig's (core.rig.seal)
    part_ramp: tuple[float, float] | None = None
    # 100 fps frames either side of speech over which silent frames already / still part the
    # lips (core.rig.seal.part_near_speech); 0: off. It reads frames ahead, so the offline
    # teacher has it and the streamed students do not.
    speech_margin: int = 0

    def __post_init__(self) -> None:
        _check_ramps(self)
        if not (isinstance(self.speech_margin, int) and self.speech_margin >= 0):
            raise ValueError(f"speech_margin must be a whole number >= 0, got {self.speech_margin}")
        if not self.feature_layers or not all(
            1 <= i <= self.encoder.n_layers for i in self.feature_layers
        ):
            raise ValueError(f"feature_layers must lie in 1..{self.encoder.n_layers}")
        if self.head_kernel % 2 == 0:
            raise ValueError("head_kernel must be odd (centred convolution)")

    @property
    def feature_width(self) -> int:
        return self.encoder.width * len(self.feature_layers)

    @property
    def outputs_per_frame(self) -> int:
        """Weights, phone logits and the closure logit of one 100 fps frame."""
        return len(self.channels) + len(self.phones) + 1


FRAMES_PER_TOKEN = 2  # Whisper tokens are 20 ms; model frames 10 ms


AnyConfig = StudentConfig | WhisperTeacherConfig


def config_to_dict(config: AnyConfig) -> dict:
    """Plain JSON-able dict with a 'type' tag (floats 'inf' kept as strings)."""
    data = asdict(config)
    for key in ("past_ms", "future_ms"):
        if data[key] == float("inf"):
            data[key] = "inf"
    data["type"] = type(config).__name__
    return data


def config_from_dict(data: dict) -> AnyConfig:
    """Inverse of config_to_dict; raises ValueError/TypeError/KeyError on malformed input."""
    data = dict(data)
    kind = data.pop("type")
    for key in ("past_ms", "future_ms"):
        if data.get(key) == "inf":
            data[key] = float("inf")
    data["channels"] = tuple(str(c) for c in data["channels"])
    if kind == "WhisperTeacherConfig":
        data["encoder"] = WhisperEncoderConfig(**data["encoder"])
        data["feature_layers"] = tuple(int(i) for i in data["feature_layers"])
        data["phones"] = tuple(str(p) for p in data["phones"])
        _ramps_from_dict(data)
        return _construct(WhisperTeacherConfig, data)
    if kind != "StudentConfig":
        raise ValueError(f"unknown config type {kind!r}")
    data["logmel"] = LogMelConfig(**data["logmel"])
    data["layers"] = tuple(ConvLayer(**layer) for layer in data["layers"])
    data["phones"] = tuple(str(p) for p in data.get("phones", ()))
    _ramps_from_dict(data)
    return _construct(StudentConfig, data)


def _construct(cls: type, data: dict) -> AnyConfig:
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"unknown config fields {sorted(unknown)}")
    return cls(**data)
