"""Real-Blender harness: build the extension zip with Blender's own builder, install it into an
isolated user directory, enable it, and hand tests a clean scene.

Runs under the bpy wheel of each supported Blender (4.2 LTS floor, 5.2 LTS newest). A missing
bpy fails the collection; it never skips.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Blender reads its user folders when bpy is imported: point them at a throw-away folder first,
# so tests never touch (or depend on) the real user's preferences and extensions.
_USER_DIR = Path(tempfile.mkdtemp(prefix="tiny-lipsync-blender-user-"))
os.environ["BLENDER_USER_RESOURCES"] = str(_USER_DIR)
# The user repository's folder must exist at start-up for `bl_ext.user_default` to import from it.
(_USER_DIR / "extensions" / "user_default").mkdir(parents=True)

import bpy  # noqa: E402
import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EXTENSION_ID = "tiny_lipsync"
REPO_MODULE = "user_default"
ADDON_MODULE = f"bl_ext.{REPO_MODULE}.{EXTENSION_ID}"


def blender_ext_script() -> Path:
    """The extension builder shipped inside this bpy wheel."""
    scripts = Path(bpy.utils.system_resource("SCRIPTS"))
    script = scripts / "addons_core/bl_pkg/cli/blender_ext.py"
    assert script.is_file(), f"Blender's extension builder is missing: {script}"
    return script


def _run_builder(*args: str) -> None:
    command = [sys.executable, str(blender_ext_script()), *args]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, f"blender_ext {args[0]} failed:\n{result.stdout}{result.stderr}"


def build_extension_zip(out_dir: Path) -> Path:
    """Build and validate the extension zip with this Blender's own builder."""
    zip_path = out_dir / f"{EXTENSION_ID}.zip"
    _run_builder("build", "--source-dir", str(REPO), "--output-filepath", str(zip_path))
    _run_builder("validate", str(zip_path))
    return zip_path


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory) -> Path:
    return build_extension_zip(tmp_path_factory.mktemp("zip"))


@pytest.fixture(scope="session")
def installed_extension(extension_zip) -> str:
    """Install the built zip into the isolated user repository and enable it."""
    result = bpy.ops.extensions.package_install_files(
        filepath=str(extension_zip), repo=REPO_MODULE, enable_on_install=True
    )
    assert result == {"FINISHED"}, result
    assert ADDON_MODULE in bpy.context.preferences.addons, "extension did not enable"
    assert str(_USER_DIR) in bpy.utils.user_resource("EXTENSIONS")
    return ADDON_MODULE


@pytest.fixture
def empty_scene(installed_extension) -> bpy.types.Scene:
    """A fresh, empty file with the extension still enabled."""
    bpy.ops.wm.read_homefile(use_empty=True)
    assert ADDON_MODULE in bpy.context.preferences.addons
    return bpy.context.scene


_exit_status = 0


def pytest_sessionfinish(session, exitstatus) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


def pytest_unconfigure(config) -> None:
    """On bpy 4.2, leave without Blender's module teardown, keeping pytest's exit status.

    The bpy 4.2.23 wheel segfaults while freeing itself at interpreter exit once an add-on that
    registers PropertyGroups has been enabled (even after disabling it again; 5.2 does not).
    pytest has printed its whole report by now, so exit with its status instead of crashing.
    """
    if bpy.app.version < (4, 3, 0):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)
