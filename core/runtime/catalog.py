"""Which file a model name means, and the models already loaded in this process.

A name ending in `.npz` is a path (relative to `base`, by default the working folder); any
other name is a shipped model, `assets/models/<name>.npz`. The add-on, the command line, the
batch workers and `core.api.load_model` all resolve names here; those that load one model many
times keep it in a `ModelCache` (`core.api.cached_model`).
"""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ModelFileError

MODELS_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"
SHIPPED = ("teacher", "s0", "s_tiny", "s_lowlat")  # the family `make train` ships, teacher first


def shipped_models() -> list[str]:
    """Names of the model files shipped in assets/models."""
    return sorted(path.stem for path in MODELS_DIR.glob("*.npz"))


def is_model_path(name_or_path: str | Path) -> bool:
    """Whether this names a model file by path (it ends in .npz) rather than a shipped model."""
    return str(name_or_path).endswith(".npz")


def resolve_model(name_or_path: str | Path, base: Path = Path(".")) -> Path:
    """A shipped model name (e.g. "s_tiny") or a .npz path (relative to `base`) -> the absolute
    path of its file; ModelFileError with a sentence when there is none."""
    if is_model_path(name_or_path):
        path = (Path(base) / name_or_path).resolve()
        if not path.is_file():
            raise ModelFileError(f"{name_or_path}: no such model file.")
        return path
    path = MODELS_DIR / f"{name_or_path}.npz"
    if not path.is_file():
        names = ", ".join(shipped_models()) or "none installed"
        raise ModelFileError(f"No shipped model named {str(name_or_path)!r} (available: {names}).")
    return path.resolve()


class ModelCache:
    """Loaded models keyed by file path and modification time: a file is read again only when
    it changed (then its older version is dropped). Safe to share between threads."""

    def __init__(self, load: Callable[[Path], Any]):
        self._load = load
        self._models: dict[tuple[str, int], Any] = {}
        self._lock = threading.Lock()
        self.loads = 0  # files read so far

    def get(self, name_or_path: str | Path, base: Path = Path(".")):
        """The loaded model for a name or path (see resolve_model)."""
        path = resolve_model(name_or_path, base)
        key = (str(path), path.stat().st_mtime_ns)
        with self._lock:
            if key not in self._models:
                self._models = {k: m for k, m in self._models.items() if k[0] != key[0]}
                self._models[key] = self._load(path)
                self.loads += 1
            return self._models[key]
