"""Error classes of the core, each carrying a sentence an animator can act on."""


class LipSyncError(Exception):
    """Base class: the message is shown to the user as it is, without a traceback."""


class AudioError(LipSyncError):
    """The audio could not be read or is unusable (missing, corrupt, silent, too long...)."""


class ModelFileError(LipSyncError):
    """A model file is missing, malformed, or does not match what the runtime expects."""


class RigError(LipSyncError):
    """A mesh, its shape keys or a channel mapping cannot take the animation."""


class CorpusError(LipSyncError):
    """A speech engine, aligner or corpus shard is missing or inconsistent."""
