"""Tiny Lip Sync: the extension's entry point; everything is registered by `addon`.

`addon` is imported inside the functions so that this folder also imports as a plain package
outside Blender (pytest collects from the repository root).
"""


def register() -> None:
    from . import addon

    addon.register()


def unregister() -> None:
    from . import addon

    addon.unregister()
