"""Strided 1-D convolution in numpy, time-major: (L, C_in) -> (L_out, C_out) by im2col + matmul.

The columns are taken k-major: output t reads the rows x[t*stride : t*stride + kernel] in their
memory order, one contiguous run of kernel * C_in numbers, so gathering them is a copy of runs
instead of a strided gather. They are gathered a block of outputs at a time into one reused
buffer that stays in the CPU cache: a student's head reads 45 frames per output, and copying the
whole clip's columns at once wrote and read back 35 MB (figures in reports/training_log.md).
"""

import numpy as np

COLUMN_BLOCK_BYTES = 1 << 20  # one block's columns: fits a laptop core's L2 cache


def conv1d(x: np.ndarray, weight_2d: np.ndarray, bias: np.ndarray, kernel: int, stride: int):
    """Valid convolution of x (L, C_in) with weight_2d (kernel * C_in, C_out) -> (L_out, C_out).

    weight_2d is the torch weight (C_out, C_in, kernel) as torch_weight_to_2d lays it out: row
    k * C_in + c_in multiplies x[t * stride + k, c_in].
    """
    length, channels_in = x.shape
    n_out = (length - kernel) // stride + 1
    if n_out <= 0:
        return np.zeros((0, weight_2d.shape[1]), dtype=np.float32)
    x = np.ascontiguousarray(x)
    item = x.itemsize  # not x.strides: a length-1 axis (x[:, None]) may have any stride
    row = kernel * channels_in
    columns = np.lib.stride_tricks.as_strided(
        x, shape=(n_out, row), strides=(stride * channels_in * item, item), writeable=False
    )  # row t = x[t*stride : t*stride + kernel].ravel(), a view into x
    out = np.empty((n_out, weight_2d.shape[1]), np.result_type(x, weight_2d))
    block = max(1, COLUMN_BLOCK_BYTES // (row * item))
    # copied first: numpy's matmul takes a slow path on rows that overlap in memory
    buffer = np.empty((min(block, n_out), row), x.dtype)
    for start in range(0, n_out, block):
        rows = buffer[: min(block, n_out - start)]
        rows[...] = columns[start : start + len(rows)]
        np.matmul(rows, weight_2d, out=out[start : start + len(rows)])
    out += bias
    return out


def torch_weight_to_2d(weight: np.ndarray) -> np.ndarray:
    """Torch Conv1d weight (C_out, C_in, k) -> contiguous float32 (k * C_in, C_out), k-major."""
    c_out = weight.shape[0]
    return np.ascontiguousarray(weight.transpose(2, 1, 0).reshape(-1, c_out), dtype=np.float32)
