"""Architecture rules of DESIGN.md section 2, checked on the source and on a fresh interpreter."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core"
BLENDER_MODULES = {"bpy", "bmesh", "mathutils", "aud", "addon", "bl_ext", "bpy_extras"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_never_imports_blender_modules():
    offenders = {
        str(path.relative_to(CORE)): sorted(_imported_roots(path) & BLENDER_MODULES)
        for path in CORE.rglob("*.py")
        if _imported_roots(path) & BLENDER_MODULES
    }
    assert offenders == {}


def test_core_uses_relative_imports_for_itself():
    offenders = [
        str(path.relative_to(CORE))
        for path in CORE.rglob("*.py")
        if "core" in _imported_roots(path)
    ]
    assert offenders == []


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=CORE.parent, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_importing_core_and_its_runtime_does_not_import_torch():
    product = (
        "api",
        "animation",
        "audio",
        "demohead",
        "export",
        "phones",
        "rig",
        "runtime",
        "corrections",
        "mouthshapes",
        "wholescene",
    )
    runtime_modules = ["core"] + [f"core.{name}" for name in (*product, "transcript")]
    for module in runtime_modules:
        loaded = _modules_after_import(module)
        assert "torch" not in loaded, f"importing {module} imports torch"
        assert not loaded & BLENDER_MODULES, f"importing {module} imports Blender modules"
