"""What the Makefile's targets would run (`make -n`): the demo needs no root (#17 item 8)."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_INSTALLER = "tools/setup/install_engines.sh"


def _dry_run(target: str) -> str:
    """The commands `make <target>` would run if the engine installer had changed."""
    result = subprocess.run(
        ["make", "-n", "-W", ENGINE_INSTALLER, target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("target", ["demo", "setup", "extension"])
def test_the_demo_and_setup_never_run_the_engine_installer(target):
    assert ENGINE_INSTALLER not in _dry_run(target)


@pytest.mark.parametrize("target", ["test", "test-core", "test-blender52", "corpus-small"])
def test_tests_and_corpus_building_install_the_engines(target):
    assert f"bash {ENGINE_INSTALLER}" in _dry_run(target)
