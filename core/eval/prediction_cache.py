"""Cached model predictions, so that `make eval` reruns only what changed (and resumes).

One file per model, smoothing setting and utterance, in a folder (`make eval`:
`build/eval_cache/predictions/`):
`<model key>/<smooth|raw>/<item id>-<audio hash>.npz` holding the weights (T, K) at EVAL_FPS and
the compute seconds they took. The model key hashes the model file and the code that could run
at inference (every module of `core/` outside eval/, distill/, corpus/ and batch/), so a
retrained model or a changed runtime never reuses old predictions; a half-written file is never
read (write, then rename).
"""

import hashlib
import time
from pathlib import Path

import numpy as np

from ..animation import Animation
from ..audio import SAMPLE_RATE
from .scoring import EVAL_FPS, EvalItem, Predictor

CORE = Path(__file__).resolve().parents[1]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


NOT_INFERENCE = ("eval", "distill", "corpus", "batch")


def inference_code_digest() -> str:
    """Hash of the core's source files that may turn a model file and audio into weights."""
    sources = [p for p in sorted(CORE.rglob("*.py"))
               if p.relative_to(CORE).parts[0] not in NOT_INFERENCE]  # fmt: skip
    return _digest(b"".join(p.read_bytes() for p in sources))


def model_key(path: Path, code_digest: str | None = None) -> str:
    """The cache key of a model file: its stem, its bytes and the inference code."""
    code = code_digest or inference_code_digest()
    return f"{Path(path).stem}-{_digest(Path(path).read_bytes() + code.encode())}"


class PredictionCache:
    """Model predictions on evaluation items, computed once per model file and item."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.keys: dict[int, str] = {}  # id(model) -> model key, see `add`
        self._code_digest = inference_code_digest()
        self.computed = 0  # predictions run in this process (the rest came from the cache)

    def add(self, model, path: Path) -> None:
        """Register a loaded model with the file it was loaded from."""
        self.keys[id(model)] = model_key(path, self._code_digest)

    def path(self, model, item: EvalItem, smoothing: bool) -> Path:
        """Where one prediction is kept."""
        audio_key = _digest(np.ascontiguousarray(item.audio, dtype=np.float32).tobytes())
        name = f"{item.item_id.replace('/', '_')}-{audio_key}.npz"
        return self.folder / self.keys[id(model)] / ("smooth" if smoothing else "raw") / name

    def predict(self, model, item: EvalItem, smoothing: bool) -> tuple[Animation, float]:
        """The model's animation of the item at EVAL_FPS and the compute seconds it took."""
        if id(model) not in self.keys:  # not registered: no file to key it by, never cached
            return _timed_predict(model, item, smoothing)
        path = self.path(model, item, smoothing)
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                weights, compute_s = data["weights"], float(data["compute_s"])
            return Animation(EVAL_FPS, model.config.channels, weights), compute_s
        animation, compute_s = _timed_predict(model, item, smoothing)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as handle:
            np.savez(handle, weights=animation.weights.astype(np.float32), compute_s=compute_s)
        partial.replace(path)
        self.computed += 1
        return animation, compute_s

    def predictor(self, model, smoothing: bool, compute_s: list[float] | None = None) -> Predictor:
        """A score_set predictor; appends each item's compute seconds to `compute_s`."""

        def run(item: EvalItem) -> Animation:
            animation, seconds = self.predict(model, item, smoothing)
            if compute_s is not None:
                compute_s.append(seconds)
            return animation

        return run


def _timed_predict(model, item: EvalItem, smoothing: bool) -> tuple[Animation, float]:
    from ..api import predict

    started = time.perf_counter()
    animation = predict(model, item.audio, SAMPLE_RATE, EVAL_FPS, smoothing)
    return animation, time.perf_counter() - started
