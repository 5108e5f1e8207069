"""The models the add-on offers: shipped .npz files (name, size, latency) plus a custom file.

Loaded models are cached per file path and modification time, so a second Generate with the
same model does not read the file again and a replaced file is picked up. `core.api` (the
numpy runtime) is imported on first use, so registering the add-on stays light.
"""

import os
from pathlib import Path

CUSTOM = "CUSTOM"
_cache: dict[tuple[str, float], object] = {}  # (path, mtime) -> core.api.Model
_enum_items: list[tuple[str, str, str]] = []  # Blender needs the strings kept alive


def load(name_or_path: str):
    """A loaded core.api.Model by shipped name or .npz path, cached while the file is unchanged."""
    from ..core import api

    path = (
        Path(name_or_path)
        if name_or_path.endswith(".npz")
        else api.MODELS_DIR / (name_or_path + ".npz")
    )
    key = (str(path.resolve()), path.stat().st_mtime if path.is_file() else 0.0)
    model = _cache.get(key)
    if model is None:
        model = api.load_model(path if path.is_file() else name_or_path)
        _cache[key] = model
    return model


def describe(model) -> str:
    """One line for a core.api.Model: size on disk and future context (latency)."""
    from ..core import api

    info = api.model_info(model)
    latency = "whole clip" if info.future_ms == float("inf") else f"{info.future_ms:.0f} ms"
    return f"{info.file_size / 1024:.0f} KB, {info.parameters:,} parameters, latency {latency}"


def enum_items(_self=None, _context=None) -> list[tuple[str, str, str]]:
    """EnumProperty items: every shipped model with size and latency, then 'Custom file...'."""
    from ..core import api

    items = []
    for name in api.shipped_models():
        try:
            detail = describe(load(name))
        except Exception as error:  # a broken file must not break the panel
            detail = f"cannot load: {error}"
        items.append((name, name, detail))
    items.append((CUSTOM, "Custom file...", "A model .npz file picked from disk"))
    _enum_items[:] = items
    return _enum_items


def resolve(choice: str, custom_path: str) -> str:
    """The name or path to load for an enum choice ('CUSTOM' -> the custom file path)."""
    if choice == CUSTOM:
        return os.path.abspath(custom_path) if custom_path else ""
    return choice
