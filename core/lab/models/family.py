"""The model family's configs: the shipped students and their ablations, by name."""

from dataclasses import replace

from ...runtime.configs import TEACHER_PHONES, ConvLayer, LogMelConfig, StudentConfig


def _raw_layers(widths: tuple[int, int, int, int]) -> tuple[ConvLayer, ...]:
    # Strides 10*4*4 = 160 samples; receptive field 512 + 320 = 832 samples (52 ms).
    c1, c2, c3, c4 = widths
    return (
        ConvLayer(c1, 32, 10),
        ConvLayer(c2, 9, 4),
        ConvLayer(c3, 11, 4),
        ConvLayer(c4, 3, 1),
    )


PHONE_AWARE = {"closure_head": True, "phones": TEACHER_PHONES}  # the shipped students' outputs
S0 = StudentConfig("s0", _raw_layers((48, 96, 192, 192)), bottleneck=16, hidden=128, **PHONE_AWARE)
# S-tiny and S-lowlat hear 40 log-mel bands through 64-channel convs and a 24-channel
# bottleneck; the raw-waveform pair with S0's features (the paper's hybrid KD) are ablations.
# What each choice measured: reports/training_log.md.
LOW_LATENCY = {"past_ms": 448, "future_ms": 64}  # S-lowlat's window: 64 ms of future audio
S_TINY = StudentConfig(
    "s_tiny",
    (ConvLayer(64, 3, 1), ConvLayer(64, 3, 1)),
    bottleneck=24,
    hidden=40,
    input_kind="logmel",
    logmel=LogMelConfig(n_mels=40),
    **PHONE_AWARE,
)
S_LOWLAT = replace(S_TINY, name="s_lowlat", hidden=32, **LOW_LATENCY)
# S-tiny at twice the width (139 k parameters), grown from S-tiny's trained weights
# (core.lab.distill.widen): it passes the ship check but takes 1.4x S-tiny's time, its head's
# matmul twice as long, about 900x real time on this project's machines, under the 1,000x floor
# (reports/training_log.md).
S_TINY_WIDE = replace(
    S_TINY,
    name="s_tiny_wide",
    layers=(ConvLayer(96, 3, 1), ConvLayer(96, 3, 1)),
    bottleneck=32,
    hidden=64,
)
# S-tiny with a second, frame-wise hidden layer of 96 units after its fully-connected one (about
# a tenth more multiply-adds), grown from S-tiny's trained weights (core.lab.distill.widen).
S_TINY_DEEP = replace(S_TINY, name="s_tiny_deep", hidden2=96)
# S-tiny hearing 416 ms either side (the head reads 77 frames, not 45; about 1.5x its
# multiply-adds), grown from S-tiny's weights: does a longer window pay (reports/window_ceiling.md)?
S_TINY_LONG = replace(S_TINY, name="s_tiny_long", past_ms=416, future_ms=416)
S_TINY_RAW = StudentConfig(
    "s_tiny_raw", _raw_layers((12, 24, 48, 48)), bottleneck=8, hidden=32, **PHONE_AWARE
)
S_LOWLAT_RAW = replace(S_TINY_RAW, name="s_lowlat_raw", **LOW_LATENCY)
S_TINY_MFCC = replace(S_TINY, name="s_tiny_mfcc", input_kind="mfcc")
