"""The dialogue text of a take: the operator's `text`, else the panel's field, else (when the
panel says so) the `.txt` beside the audio file, as Rhubarb Lip Sync's Blender add-on does.

Only the text crosses into the core (`core.api.predict_file_with_text`); an empty text means
the model alone.
"""

import os

import bpy

from ..core.errors import LipSyncError
from . import compat


def audio_path(scene: bpy.types.Scene, strip_name: str, filepath: str) -> str:
    """The file a take's audio comes from ('' for a packed sound or an unknown strip)."""
    if filepath:
        return bpy.path.abspath(filepath)
    strip = compat.find_sound_strip(scene, strip_name) if strip_name else None
    sound = getattr(strip, "sound", None)
    if sound is None or sound.packed_file is not None or not sound.filepath:
        return ""
    return bpy.path.abspath(sound.filepath, library=sound.library)


def text_file_beside(path: str) -> str:
    """`line.txt` beside `line.wav` when it exists ('' otherwise)."""
    if not path:
        return ""
    candidate = os.path.splitext(path)[0] + ".txt"
    return candidate if os.path.isfile(candidate) else ""


def read_text_file(path: str) -> str:
    """A dialogue text file's contents (UTF-8, a byte-order mark allowed)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as error:
        name = os.path.basename(path)
        raise LipSyncError(f"Cannot read the dialogue text {name} ({error}).") from None


def take_text(settings, text_argument: str | None, path: str) -> str:
    """The text for a take: the argument when given, else the panel's field, else the .txt
    beside the audio when the panel's option is on."""
    if text_argument is not None:
        return text_argument
    if settings.dialogue_text.strip():
        return settings.dialogue_text
    beside = text_file_beside(path) if settings.use_text_file else ""
    return read_text_file(beside) if beside else ""
