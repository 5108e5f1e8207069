"""Cached model predictions, so that `make eval` reruns only what changed (and resumes).

One file per model, smoothing setting and utterance, in a folder (`make eval`:
`build/eval_cache/predictions/`):
`<model key>/<smooth|raw>/<item id>-<audio hash>.npz` holding the weights (T, K) at EVAL_FPS and
the compute seconds they took. The model key hashes the model file and the inference code: the
source of every `core` module loaded once each model has run on a short clip (outside eval/,
distill/, corpus/ and batch/). A retrained model or a changed runtime therefore never reuses old
predictions, while edits elsewhere in `core` keep them; a half-written file is never read
(write, then rename).
"""

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

from ...animation import Animation
from ...audio.prepare import SAMPLE_RATE
from .scoring import EVAL_FPS, EvalItem, Predictor


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


NOT_INFERENCE = ("eval", "distill", "corpus", "batch")


def inference_code_digest() -> str:
    """Hash of the source of the loaded `core` modules that may turn audio into weights."""
    package = __name__.rsplit(".", 2)[0]  # "core" (or "bl_ext....core" inside Blender)
    sources = sorted(
        Path(module.__file__)
        for name, module in list(sys.modules.items())
        if name.startswith(package + ".")
        and getattr(module, "__file__", None)
        and name[len(package) + 1 :].split(".")[0] not in NOT_INFERENCE
    )
    return _digest(b"".join(p.read_bytes() for p in sources))


class PredictionCache:
    """Model predictions on evaluation items, computed once per model file and item."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._paths: dict[int, Path] = {}  # id(model) -> its file, see `add`
        self._keys: dict[int, str] = {}
        self._code_digest: str | None = None  # taken at the first prediction
        self.computed = 0  # predictions run in this process (the rest came from the cache)

    def add(self, model, path: Path) -> None:
        """Register a loaded model with the file it was loaded from (and run it once on 0.1 s
        of silence, so that every module its inference needs is loaded before the hash)."""
        from ...api import predict

        predict(model, np.zeros(SAMPLE_RATE // 10, dtype=np.float32), SAMPLE_RATE, EVAL_FPS)
        self._paths[id(model)] = Path(path)

    def key(self, model) -> str:
        """The cache key of a registered model: its file's stem and bytes, the inference code."""
        if id(model) not in self._keys:
            if self._code_digest is None:
                self._code_digest = inference_code_digest()
            path = self._paths[id(model)]
            data = path.read_bytes() + self._code_digest.encode()
            self._keys[id(model)] = f"{path.stem}-{_digest(data)}"
        return self._keys[id(model)]

    def path(self, model, item: EvalItem, smoothing: bool) -> Path:
        """Where one prediction is kept."""
        audio_key = _digest(np.ascontiguousarray(item.audio, dtype=np.float32).tobytes())
        name = f"{item.item_id.replace('/', '_')}-{audio_key}.npz"
        return self.folder / self.key(model) / ("smooth" if smoothing else "raw") / name

    def predict(self, model, item: EvalItem, smoothing: bool) -> tuple[Animation, float]:
        """The model's animation of the item at EVAL_FPS and the compute seconds it took."""
        if id(model) not in self._paths:  # not registered: no file to key it by, never cached
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
    from ...api import predict

    started = time.perf_counter()
    animation = predict(model, item.audio, SAMPLE_RATE, EVAL_FPS, smoothing)
    return animation, time.perf_counter() - started
