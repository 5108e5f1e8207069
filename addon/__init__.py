"""The Blender shell of Tiny Lip Sync: registers operators and panels, module by module."""

import bpy

from . import (
    demo_head,
    ops_compare,
    ops_export,
    ops_generate,
    ops_mapping,
    panel,
    preferences,
    properties,
)

# Registered in this order, unregistered in reverse.
_MODULES = (
    preferences,
    properties,
    demo_head,
    ops_generate,
    ops_compare,
    ops_mapping,
    ops_export,
    panel,
)


def _classes() -> list[type]:
    return [cls for module in _MODULES for cls in module.CLASSES]


def register() -> None:
    for cls in _classes():
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(_classes()):
        bpy.utils.unregister_class(cls)
