"""Shared fixtures: a small synthetic corpus and random-weight models written as files."""

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def synthetic_corpus(tmp_path_factory) -> Path:
    from core.lab.distill.synthetic import make_synthetic_corpus

    return make_synthetic_corpus(
        tmp_path_factory.mktemp("corpus"), 16, seed=1, duration_s=(1.0, 2.0)
    )


@pytest.fixture(scope="session")
def speechlike() -> np.ndarray:
    """3.3 s of synthetic 16 kHz audio whose content changes every 60-200 ms."""
    from core.lab.distill.synthetic import synthetic_utterance

    return synthetic_utterance("x", np.random.default_rng(5), 3.3).audio
