"""Strided 1-D convolution in numpy, time-major: (L, C_in) -> (L_out, C_out) by im2col + matmul."""

import numpy as np


def conv1d(x: np.ndarray, weight_2d: np.ndarray, bias: np.ndarray, kernel: int, stride: int):
    """Valid convolution of x (L, C_in) with weight_2d (C_in * kernel, C_out) -> (L_out, C_out).

    weight_2d is the torch weight (C_out, C_in, kernel) reshaped to (C_out, C_in * kernel) and
    transposed, so column c_in * kernel + k multiplies x[t * stride + k, c_in].
    """
    length, channels_in = x.shape
    n_out = (length - kernel) // stride + 1
    if n_out <= 0:
        return np.zeros((0, weight_2d.shape[1]), dtype=np.float32)
    if kernel == 1:
        columns = x[: (n_out - 1) * stride + 1 : stride]  # (L_out, C_in)
    else:
        # view (L - k + 1, C_in, k) -> every stride-th row -> copy as (L_out, C_in * k)
        windows = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=0)[::stride][:n_out]
        columns = windows.reshape(n_out, channels_in * kernel)
    out = columns @ weight_2d  # (L_out, C_out)
    out += bias
    return out


def torch_weight_to_2d(weight: np.ndarray) -> np.ndarray:
    """Torch Conv1d weight (C_out, C_in, k) -> contiguous float32 (C_in * k, C_out)."""
    c_out = weight.shape[0]
    return np.ascontiguousarray(weight.reshape(c_out, -1).T, dtype=np.float32)
