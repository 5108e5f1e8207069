"""A student config small enough to train for a few steps in a test."""

from core.runtime.configs import TEACHER_PHONES, ConvLayer, StudentConfig

PHONE_AWARE = {"closure_head": True, "phones": TEACHER_PHONES}
STUDENT_TINY = StudentConfig(
    "student_tiny",
    (ConvLayer(4, 32, 10), ConvLayer(6, 9, 4), ConvLayer(8, 11, 4), ConvLayer(8, 3, 1)),
    bottleneck=4,
    hidden=8,
    past_ms=64,
    future_ms=28,
    **PHONE_AWARE,
)
