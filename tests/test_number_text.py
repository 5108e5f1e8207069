"""Curves as CSV text: the vectorised formatter writes exactly what Python's `%.6f` writes."""

import numpy as np
import pytest

from core.animation import Animation
from core.export.csv_text import csv_rows
from core.export.curves import write_csv


def _python(table: np.ndarray, decimals: int = 6) -> str:
    """The obviously-correct slow version."""
    return "".join(",".join(f"{v:.{decimals}f}" for v in row) + "\n" for row in table)


def test_random_weights_and_times_format_as_python_does():
    rng = np.random.default_rng(0)
    table = rng.random((3000, 30))
    table[:, 0] = np.arange(3000) / (30000 / 1001)
    assert csv_rows(table) == _python(table)


@pytest.mark.parametrize("decimals", [0, 1, 3, 6])
def test_signs_halves_and_carries_format_as_python_does(decimals):
    rng = np.random.default_rng(1)
    table = rng.uniform(-2000, 2000, (2000, 7))
    table[::3] = np.round(table[::3], decimals + 1)  # many values on a decimal half
    table[1::4] = np.round(table[1::4] * 10**decimals) / 10**decimals + 0.5 / 10**decimals
    specials = [
        0.0,
        -0.0,
        1e-9,
        -1e-9,
        0.0078125,
        0.5,
        0.9999995,
        0.9999994999,
        -3.0000005,
        2.5e-6,
        1.5e-6,
        0.1234565,
        999999.9999995,
        123456.789,
    ]
    table[:2] = np.array(specials).reshape(2, 7)
    assert csv_rows(table, decimals) == _python(table, decimals)


def test_non_finite_and_huge_values_still_format_as_python_does():
    table = np.array([[np.nan, 1.0], [np.inf, -np.inf], [3e15, -2.0]])
    assert csv_rows(table) == _python(table)


def test_a_written_csv_is_the_header_and_python_formatted_rows(tmp_path):
    weights = np.random.default_rng(2).random((20001, 3)).astype(np.float32)  # > one step
    animation = Animation(24.0, ("jawOpen", "mouthClose", "mouthFunnel"), weights)
    path = tmp_path / "take.csv"
    write_csv(path, animation)
    table = np.column_stack([animation.times_s(), weights.astype(np.float64)])
    assert path.read_text() == "time,jawOpen,mouthClose,mouthFunnel\n" + _python(table)
