"""What the zip ships (#18 item 2): training, corpus and evaluation code left out as whole
folders, and every Python module it holds imports inside Blender, so nothing shipped leans on
code that is not there."""

import importlib
import sys
import zipfile

from conftest import ADDON_MODULE

LEFT_OUT = ("core/corpus/", "core/distill/", "core/eval/", "core/models/", "tests/", "tools/")


def _python_files(extension_zip) -> list[str]:
    with zipfile.ZipFile(extension_zip) as archive:
        return sorted(name for name in archive.namelist() if name.endswith(".py"))


def test_the_zip_leaves_out_training_and_evaluation_by_whole_folders(extension_zip):
    files = _python_files(extension_zip)
    assert [name for name in files if name.startswith(LEFT_OUT)] == []
    for shipped in ("__init__.py", "core/api.py", "core/runtime/configs.py",
                    "core/labels/animator.py", "core/lip_closure.py", "core/phone_set.py",
                    "core/transcript/take.py", "addon/job_operator.py"):  # fmt: skip
        assert shipped in files, shipped


def test_every_module_the_zip_ships_imports_in_blender(installed_extension, extension_zip):
    modules = [
        ".".join([ADDON_MODULE, *name.removesuffix(".py").split("/")]).removesuffix(".__init__")
        for name in _python_files(extension_zip)
    ]
    assert len(modules) > 60
    for module in modules:
        importlib.import_module(module)  # an ImportError names the module that cannot load
    left_out = tuple(f"{ADDON_MODULE}.{folder[:-1].replace('/', '.')}" for folder in LEFT_OUT)
    assert [name for name in sys.modules if name.startswith(left_out)] == []
