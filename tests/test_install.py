"""`pip install .` gives a working `tiny-lipsync` command from any folder (#17 item 1).

A throwaway venv, no downloads: the build uses this environment's setuptools and the venv
borrows its numpy and soundfile through a .pth file (pip's --no-index --no-build-isolation
--no-deps), so the test needs no network and still installs the real package from a copy of
the tracked sources.
"""

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "__init__.py", "core", "assets")


def _run(command: list, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300, **kwargs
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """bin/ of a fresh venv with the package installed from a copy of the sources."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], work)
    purelib = _run(
        [
            venv / "bin" / "python",
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        work,
    )
    Path(purelib.stdout.strip(), "_borrowed.pth").write_text(sysconfig.get_paths()["purelib"])
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "install",
            "-q",
            "--no-index",
            "--no-build-isolation",
            "--no-deps",
            "--no-cache-dir",
            source,
        ],
        work,
    )
    shutil.rmtree(source)  # the installed package must not need the sources
    return venv / "bin"


def test_tiny_lipsync_predict_works_from_any_folder_and_equals_the_checkouts_cli(
    installed, tmp_path
):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ROOT / "assets" / "sample_speech.wav", elsewhere / "line.wav")
    _run(
        [
            installed / "tiny-lipsync",
            "predict",
            "line.wav",
            "--model",
            "s_tiny",
            "--fps",
            "30",
            "--out",
            "line.csv",
        ],
        elsewhere,
    )
    _run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "predict",
            elsewhere / "line.wav",
            "--model",
            "s_tiny",
            "--fps",
            "30",
            "--out",
            tmp_path / "checkout.csv",
        ],
        ROOT,
    )
    assert (elsewhere / "line.csv").read_bytes() == (tmp_path / "checkout.csv").read_bytes()


def test_the_installed_commands_and_the_package_name(installed, tmp_path):
    from core.runtime.modelfile import read_model_file

    info = _run([installed / "tiny-lipsync", "info", "s_tiny"], tmp_path)
    shipped = read_model_file(ROOT / "assets" / "models" / "s_tiny.npz").parameters
    assert f"parameters: {shipped}" in info.stdout  # the shipped model, from the installed assets
    for command in ("predict", "batch", "info"):
        usage = _run([installed / "tiny-lipsync", command, "--help"], tmp_path)
        assert usage.stdout.startswith(f"usage: tiny-lipsync {command}")
    python = installed / "python"
    _run([python, "-c", "from tiny_lipsync.core import api; print(api.shipped_models())"], tmp_path)
    transcript = (
        "from tiny_lipsync.core.phones import animator; "
        "from tiny_lipsync.core.transcript import lexicon, line; "
        "assert len(lexicon.load_lexicon()) > 100000"
    )
    _run([python, "-c", transcript], tmp_path)  # transcript mode's code and lexicon installed
    clash = subprocess.run([python, "-c", "import core"], cwd=tmp_path, capture_output=True)
    assert clash.returncode != 0  # no top-level `core` in anyone's environment
    addon = subprocess.run(
        [python, "-c", "import tiny_lipsync.addon"], cwd=tmp_path, capture_output=True
    )
    assert addon.returncode != 0  # the Blender shell stays out of the package
