"""Evaluation metrics on curves, pure numpy: MSE and jitter. The closure metrics (PBM accuracy,
false closures, onsets, durations, per phone) follow the one closure rule in core.phones.closures.

Inputs are frames at a fixed rate (frame t at time t / fps s).

Definitions:
- MSE: mean over frames and channels of (predicted - reference)^2 in weight units, over the
  common length of the two curves at the same fps.
- Jitter: mean absolute second difference |x[t+1] - 2 x[t] + x[t-1]| over frames (and channels),
  in units per frame^2 at the evaluation fps; for weights and for the lip gap (mm / frame^2).
"""

import numpy as np


def mse(predicted: np.ndarray, reference: np.ndarray) -> float:
    """Mean squared error of weights (T, K) against reference (T', K) over the common frames."""
    predicted = np.asarray(predicted, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if predicted.shape[1:] != reference.shape[1:]:
        raise ValueError(f"shapes {predicted.shape} and {reference.shape} differ in channels")
    frames = min(len(predicted), len(reference))
    if frames == 0:
        raise ValueError("mse needs at least one common frame")
    return float(np.mean((predicted[:frames] - reference[:frames]) ** 2))


def jitter(curves: np.ndarray) -> float:
    """Mean absolute frame-to-frame acceleration of curves (T,) or (T, K), units per frame^2."""
    curves = np.asarray(curves, dtype=np.float64)
    if len(curves) < 3:
        return float("nan")
    return float(np.mean(np.abs(curves[2:] - 2.0 * curves[1:-1] + curves[:-2])))
