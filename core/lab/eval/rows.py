"""One line of the evaluation table: a model or reference on one set, with its metrics."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    eval_set: str
    system: str
    smoothing: bool | None  # None: not a model (oracle, Rhubarb)
    metrics: dict[str, float]
    parameters: int | None = None
    file_size: int | None = None
    future_ms: float | None = None  # model future context + smoothing offset; inf: whole clip
    kind: str = "oracle"  # "oracle", "rhubarb" or the model's config class name
