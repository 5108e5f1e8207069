"""Sections of the animator's guide (docs/animators.md, the manifest's website) that report lines
point to, so a message can say where the fix is explained. tests/test_docs.py checks that each
is a heading of the guide."""

GUIDE = "docs/animators.md"
MAPPING = "Mapping to your own rig"
DIALOGUE = "Dialogue text"
NOT_CLOSING = "When the mouth does not close"
LONG_TAKES = "Long takes and key tolerance"
ERRORS = "Error messages"
SECTIONS = (MAPPING, DIALOGUE, NOT_CLOSING, LONG_TAKES, ERRORS)


def see(section: str) -> str:
    """The words a report line ends with to point at a section of the guide."""
    return f"(guide: '{section}')"
