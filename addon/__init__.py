"""The Blender shell of Tiny Lip Sync: registers operators and panels, module by module, and
adds the menu entries a module lists in MENUS ((menu, draw function) pairs)."""

import bpy

from . import (
    demo_head,
    ops_closures,
    ops_compare,
    ops_export,
    ops_generate,
    ops_generate_all,
    ops_mapping,
    panel,
    panel_scene,
    preferences,
    properties,
    strip_casting,
    take_store,
)

# Registered in this order, unregistered in reverse.
_MODULES = (
    preferences,
    properties,
    strip_casting,
    take_store,
    demo_head,
    ops_generate,
    ops_generate_all,
    ops_closures,
    ops_compare,
    ops_mapping,
    ops_export,
    panel,
    panel_scene,
)


def _classes() -> list[type]:
    return [cls for module in _MODULES for cls in module.CLASSES]


def _menus() -> list[tuple]:
    return [entry for module in _MODULES for entry in getattr(module, "MENUS", ())]


def register() -> None:
    for cls in _classes():
        bpy.utils.register_class(cls)
    for menu, draw in _menus():
        menu.append(draw)


def unregister() -> None:
    for menu, draw in reversed(_menus()):
        menu.remove(draw)
    for cls in reversed(_classes()):
        bpy.utils.unregister_class(cls)
