"""The models the panel offers: every shipped .npz (name, size, latency), then a custom file.
The first item is the menu's default: S-tiny for Model (A), the teacher for Compare's Model B.

Names resolve and models load through the core's one catalogue (`core.runtime.catalog`, cached
per file version in `core.api.cached_model`), so a second Generate with the same model does not
read the file again and a replaced file is picked up. `core.api` (the numpy runtime) is
imported on first use, so registering the add-on stays light.
"""

import os

from ..core.runtime.catalog import shipped_models

CUSTOM = "CUSTOM"
ORDER = ("s_tiny", "s_lowlat", "teacher", "s0")  # Model's menu; other files after, by name
ORDER_B = ("teacher", "s_tiny", "s_lowlat", "s0")  # Model B's: the teacher to compare against
_enum_items: list[tuple[str, str, str]] = []  # Blender needs the strings kept alive
_enum_items_b: list[tuple[str, str, str]] = []


def load(name_or_path: str):
    """The loaded core.api.Model for a shipped name or .npz path (read once per file version)."""
    from ..core import api

    return api.cached_model(name_or_path)


def describe(model) -> str:
    """One line for a core.api.Model: size on disk and future context (latency)."""
    from ..core import api

    info = api.model_info(model)
    latency = "whole clip" if info.future_ms == float("inf") else f"{info.future_ms:.0f} ms"
    return f"{info.file_size / 1024:.0f} KB, {info.parameters:,} parameters, latency {latency}"


def enum_items(_self=None, _context=None) -> list[tuple[str, str, str]]:
    """EnumProperty items: every shipped model with size and latency (S-tiny first, the
    default), then 'Custom file...'."""
    _enum_items[:] = _items(ORDER)
    return _enum_items


def enum_items_b(_self=None, _context=None) -> list[tuple[str, str, str]]:
    """The same items for Compare's Model B, the teacher first (the default)."""
    _enum_items_b[:] = _items(ORDER_B)
    return _enum_items_b


def _items(order: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Items for the shipped models in this order (others after, by name), then a custom file."""
    items = []
    names = sorted(shipped_models(), key=lambda n: (order.index(n) if n in order else 99, n))
    for name in names:
        try:
            detail = describe(load(name))
        except Exception as error:  # a broken file must not break the panel
            detail = f"cannot load: {error}"
        items.append((name, name, detail))
    items.append((CUSTOM, "Custom file...", "A model .npz file picked from disk"))
    return items


def chosen_model(choice: str, custom_path: str) -> str:
    """The name or path to load for an enum choice ('CUSTOM' -> the custom file path)."""
    if choice == CUSTOM:
        return os.path.abspath(custom_path) if custom_path else ""
    return choice
