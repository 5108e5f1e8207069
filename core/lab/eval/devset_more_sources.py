"""The dev set's second batch of recordings: narrow-band, radio, telephone and conversation.

Added on 2026-12-07 so that the report half can see speech the first batch lacks (docs/devset.md):

- Debian `codec2-examples` (LGPL-2.1): 8 kHz reference recordings of the Codec 2 project, read
  sentences (most of them Harvard sentences) and amateur-radio "overs" (call signs in the
  phonetic alphabet, counting, one operator talking freely for almost two minutes);
- PyPI `pyannote.audio` (MIT): its sample, a telephone call between two women (spontaneous,
  narrow-band), with a segment transcript (`sample.stm`);
- PyPI `praatio` (MIT): two example sentences with word TextGrids.

Transcripts come from the packages where they have them; the Codec 2 recordings ship none, so
their texts were written for this project (docs/devset.md says how). Evaluation only.
"""

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .devset_registry import Package, deb_members, fetch
from .devset_sources import RawClip

CODEC2 = Package(
    "codec2-examples",
    "1.0.5-1",
    "codec2-examples_1.0.5-1_all.deb",
    "7af8cd128f269a1d8116993c9d2bd7d4d452fc17da46a09899aaca2b9bd993d4",
    "debian",
)
PYANNOTE = Package(
    "pyannote.audio",
    "4.0.7",
    "pyannote_audio-4.0.7.tar.gz",
    "3a903dfb5ca711d134cc2522561c9158b186836f5d62e8a57c46c6648e8a8229",
    "pypi",
)
PRAATIO = Package(
    "praatio",
    "6.2.2",
    "praatio-6.2.2.tar.gz",
    "ed8fdee6121bdae142817879ed9a50cc8334e72c03c110162e21ed8160180d2a",
    "pypi",
)
SILERO = Package(
    "silero-vad",
    "6.2.3",
    "silero_vad-6.2.3.tar.gz",
    "d7a23b09202be4953915cb9173089bb307eed0418a9bd4794d9ec5af07fa1996",
    "pypi",
)
PACKAGES = (CODEC2, PYANNOTE, PRAATIO, SILERO)

LICENCE_CODEC2 = "LGPL-2.1 (Codec 2, Debian codec2-examples copyright)"
LICENCE_PYANNOTE = "MIT (shipped in pyannote.audio 4.0.7)"
LICENCE_PRAATIO = "MIT (praatio 6.2.2 examples)"
LICENCE_SILERO = "shipped in silero-vad 6.2.3 (MIT); recording rights with its makers, eval only"

_C2 = "usr/share/codec2/"
_RAW_RATE = 8000  # Codec 2's .raw files: headerless 8 kHz signed 16-bit little-endian
# Segments of the recordings that ship no transcript, with the texts written for them:
# [member, start s, end s (null: to the end), clip id, speaker group, sex, text]. Codec 2's
# hts.raw holds four voices, two sentences (6 s) each; silero-vad holds a lecture and a
# broadcast news report with several speakers (sex per segment: docs/devset.md).
_TRANSCRIPTS = json.loads((Path(__file__).with_name("devset_transcripts.json")).read_text())
CODEC2_CLIPS = _TRANSCRIPTS["codec2-examples"]
SILERO_CLIPS = _TRANSCRIPTS["silero-vad"]
_PYANNOTE = "pyannote_audio-4.0.7/src/pyannote/audio/sample/"
_PRAATIO = "praatio-6.2.2/examples/files/"
# (stem, text of its word tier: bobby_words.TextGrid, mary.TextGrid)
PRAATIO_CLIPS = (("bobby", "bobby ripped the ledger"), ("mary", "mary rolled the barrel"))


def _pcm16(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def _read_audio(data: bytes) -> tuple[np.ndarray, int]:
    import soundfile

    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, int(rate)


def codec2_clips(deb: Path) -> Iterator[RawClip]:
    """The Codec 2 recordings with their transcripts (8 kHz)."""
    members = deb_members(deb, {_C2 + clip[0] for clip in CODEC2_CLIPS})
    for member, start_s, end_s, clip_id, speaker, sex, text in CODEC2_CLIPS:
        data = members[_C2 + member]
        samples, rate = (_pcm16(data), _RAW_RATE) if member.endswith(".raw") else _read_audio(data)
        stop = None if end_s is None else int(end_s * rate)
        yield RawClip(
            clip_id,
            samples[int(start_s * rate) : stop],
            rate,
            text,
            f"Debian codec2-examples {CODEC2.version}: /{_C2}{member}"
            + (f" {start_s:g}-{end_s:g} s" if end_s is not None else ""),
            speaker,
            sex,
            LICENCE_CODEC2,
        )


def _tar_members(path: Path, names: set[str]) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        return {name: archive.extractfile(name).read() for name in sorted(names)}


def pyannote_clips(sdist: Path) -> Iterator[RawClip]:
    """The pyannote sample call, one clip per transcript segment (`sample.stm`)."""
    members = _tar_members(sdist, {_PYANNOTE + "sample.wav", _PYANNOTE + "sample.stm"})
    samples, rate = _read_audio(members[_PYANNOTE + "sample.wav"])
    for number, line in enumerate(members[_PYANNOTE + "sample.stm"].decode().splitlines()):
        fields = line.split()
        if len(fields) < 6:
            continue
        name, start_s, end_s, text = fields[2], float(fields[3]), float(fields[4]), fields[5:]
        yield RawClip(
            f"pyannote-sample-{number:02d}",
            samples[int(start_s * rate) : int(end_s * rate)],
            rate,
            " ".join(text),
            f"pyannote.audio {PYANNOTE.version} sdist: src/pyannote/audio/sample/sample.wav "
            f"{start_s:g}-{end_s:g} s ({name})",
            "pyannote-sample-call",
            "F",
            LICENCE_PYANNOTE,
        )


def praatio_clips(sdist: Path) -> Iterator[RawClip]:
    """praatio's two example sentences (texts as in their word TextGrids)."""
    members = _tar_members(sdist, {_PRAATIO + f"{stem}.wav" for stem, _ in PRAATIO_CLIPS})
    for stem, text in PRAATIO_CLIPS:
        samples, rate = _read_audio(members[_PRAATIO + f"{stem}.wav"])
        yield RawClip(
            f"praatio-{stem}",
            samples,
            rate,
            text,
            f"praatio {PRAATIO.version} sdist: examples/files/{stem}.wav",
            "praatio-examples",
            "M",
            LICENCE_PRAATIO,
        )


def silero_clips(sdist: Path) -> Iterator[RawClip]:
    """Segments of silero-vad's two test recordings, with their transcripts."""
    root = "silero_vad-6.2.3/"
    members = _tar_members(sdist, {root + clip[0] for clip in SILERO_CLIPS})
    for member, start_s, end_s, clip_id, speaker, sex, text in SILERO_CLIPS:
        samples, rate = _read_audio(members[root + member])
        yield RawClip(
            clip_id,
            samples[int(start_s * rate) : int(end_s * rate)],
            rate,
            text,
            f"silero-vad {SILERO.version} sdist: {member} {start_s:g}-{end_s:g} s",
            speaker,
            sex,
            LICENCE_SILERO,
        )


def iter_more_clips(sdist_dir: Path, deb_dir: Path) -> Iterator[RawClip]:
    """Every recording of the second batch, in a fixed order."""
    yield from codec2_clips(fetch(CODEC2, deb_dir))
    yield from pyannote_clips(fetch(PYANNOTE, sdist_dir))
    yield from praatio_clips(fetch(PRAATIO, sdist_dir))
    yield from silero_clips(fetch(SILERO, sdist_dir))
