"""What the zip ships: the laboratory and the pip-only parts (CLI, batch, engines) left out as
whole folders, and every Python module it holds imports inside Blender, so nothing shipped
leans on code that is not there."""

import importlib
import sys
import zipfile

from conftest import ADDON_MODULE

LEFT_OUT = ("core/lab/", "core/batch/", "core/engines/", "core/cli.py", "tests/", "tools/")


def _python_files(extension_zip) -> list[str]:
    with zipfile.ZipFile(extension_zip) as archive:
        return sorted(name for name in archive.namelist() if name.endswith(".py"))


def test_the_zip_leaves_out_the_laboratory_and_pip_only_parts(extension_zip):
    files = _python_files(extension_zip)
    assert [name for name in files if name.startswith(LEFT_OUT)] == []
    for shipped in (
        "__init__.py",
        "core/api.py",
        "core/runtime/configs.py",
        "core/phones/animator.py",
        "core/phones/closures.py",
        "core/phones/phone_set.py",
        "core/transcript/take.py",
        "addon/job_operator.py",
    ):
        assert shipped in files, shipped


def test_every_module_the_zip_ships_imports_in_blender(installed_extension, extension_zip):
    modules = [
        ".".join([ADDON_MODULE, *name.removesuffix(".py").split("/")]).removesuffix(".__init__")
        for name in _python_files(extension_zip)
    ]
    assert len(modules) > 60
    for module in modules:
        importlib.import_module(module)  # an ImportError names the module that cannot load
    left_out = tuple(
        f"{ADDON_MODULE}.{name.removesuffix('/').removesuffix('.py').replace('/', '.')}"
        for name in LEFT_OUT
    )
    assert [name for name in sys.modules if name.startswith(left_out)] == []
