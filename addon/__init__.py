"""The Blender shell of Tiny Lip Sync: registers operators and panels, module by module."""

import bpy

from . import demo_head

# Registered in this order, unregistered in reverse.
_MODULES = (demo_head,)


def _classes() -> list[type]:
    return [cls for module in _MODULES for cls in module.CLASSES]


def register() -> None:
    for cls in _classes():
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(_classes()):
        bpy.utils.unregister_class(cls)
