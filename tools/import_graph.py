"""Print the import edges between core's areas and the ones that run back up the layers.

An area is a subpackage (`core/lab/corpus/`, ...) or a top-level module (`core/audio/prepare.py`).
An edge
A -> B means some module of A imports B when it is imported (module level, `TYPE_CHECKING`
blocks left out); `--lazy` adds imports inside functions, `--typing` those blocks. An edge is
listed as running back up when B also reaches A (the two areas import each other, directly or
through others), and as leaving the zip when a module the extension ships imports one it does not
(blender_manifest.toml).

    python tools/import_graph.py [--lazy] [--typing] [--modules]
"""

import argparse
import ast
import fnmatch
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"


def module_name(path: Path) -> str:
    """'core/lab/corpus/build.py' -> 'core.lab.corpus.build'; a package's __init__ is the
    package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def area(module: str) -> str:
    """'core.lab.corpus.build' -> 'corpus', 'core.phones.animator' -> 'labels', 'core' -> 'core'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.Module, lazy: bool, typing: bool) -> list[ast.stmt]:
    """The import statements run at import time (with lazy: inside functions too; with typing:
    under `if TYPE_CHECKING`)."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node) and not typing:
            continue
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and not lazy:
            continue
        else:
            todo.extend(ast.iter_child_nodes(node))
    return found


def imports_of(path: Path, lazy: bool, typing: bool) -> set[str]:
    """The core modules a file imports (relative imports resolved; names that are modules kept)."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(), filename=str(path)), lazy, typing):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "core"}
            continue
        if node.level == 0:
            base = node.module or ""
            if base.split(".")[0] != "core":
                continue
        else:
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
            base = f"{base}.{node.module}" if node.module else base
        for alias in node.names:  # `from . import espeak` names a module
            candidate = f"{base}.{alias.name}"
            found.add(candidate if _exists(candidate) else base)
    return {name for name in found if name != me}


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def shipped(path: Path) -> bool:
    """Whether the extension zip holds this file (the manifest's exclude patterns)."""
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    patterns = manifest.get("build", {}).get("paths_exclude_pattern", [])
    rel = "/" + path.relative_to(ROOT).as_posix()
    for pattern in patterns:
        if pattern.startswith("/") and pattern.endswith("/"):
            if rel.startswith(pattern):
                return False
        elif pattern.startswith("/"):
            if rel == pattern:
                return False
        elif pattern.endswith("/"):
            if f"/{pattern}" in rel:
                return False
        elif fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern):
            return False
    return True


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lazy", action="store_true", help="also imports inside functions")
    parser.add_argument("--typing", action="store_true", help="also `if TYPE_CHECKING` imports")
    parser.add_argument("--modules", action="store_true", help="module edges, not area edges")
    args = parser.parse_args()
    files = sorted(CORE.rglob("*.py"))
    by_module = {module_name(path): path for path in files}
    module_edges = {module_name(p): imports_of(p, args.lazy, args.typing) for p in files}
    area_edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in module_edges.items():
        for target in targets:
            if area(source) != area(target) and area(target) != "core":
                area_edges[area(source)].add(area(target))
    print("edges between core's areas (A -> B: A imports B):")
    for source in sorted(area_edges):
        print(f"  {source} -> {', '.join(sorted(area_edges[source]))}")
    back = [
        (a, b)
        for a in sorted(area_edges)
        for b in sorted(area_edges[a])
        if _reaches(area_edges, b, a)
    ]
    print("edges that run back up (the two areas reach each other):")
    for a, b in back:
        detail = sorted(
            f"{s} -> {t}" for s, t in _pairs(module_edges) if (area(s), area(t)) == (a, b)
        )
        print(f"  {a} -> {b}: {'; '.join(detail) if args.modules else len(detail)}")
    if not back:
        print("  none")
    leaving = sorted(
        f"{source} -> {target}"
        for source, target in _pairs(module_edges)
        if shipped(by_module[source]) and target in by_module and not shipped(by_module[target])
    )
    print("shipped modules importing modules the zip leaves out:")
    for edge in leaving or ["none"]:
        print(f"  {edge}")
    return 0


def _pairs(module_edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return [(s, t) for s, targets in module_edges.items() for t in sorted(targets)]


if __name__ == "__main__":
    sys.exit(main())
