"""Tiny Lip Sync core: pure Python and numpy, no Blender, no torch at import time."""
