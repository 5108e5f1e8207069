"""Check core's imports: no module-level circle, no import up the layers, nothing shipped leaning
on what the zip leaves out. Every import counts: module level, inside functions and under
`if TYPE_CHECKING`. Exit 1 when any check fails (CI runs it through tests/test_import_graph.py).

    python -m tools.import_graph [--edges]
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

# Areas from the bottom up: an area imports only its own layer's areas or lower ones, never
# an area above it. Inside one layer the areas do not import each other in a circle.
LAYERS = (
    ("errors", "animation"),
    ("audio", "rig"),
    ("phones", "demohead"),
    ("runtime", "corrections"),
    ("transcript", "mouthshapes", "wholescene"),
    ("api",),
    ("export",),
    ("batch", "engines", "cli"),
    ("lab",),
)
LAYER_OF = {area: level for level, areas in enumerate(LAYERS) for area in areas}


def module_name(path: Path) -> str:
    """'core/lab/corpus/build.py' -> 'core.lab.corpus.build'; a package's __init__ is itself."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def area(module: str) -> str:
    """'core.lab.corpus.build' -> 'lab', 'core.rig.seal' -> 'rig', 'core' -> 'core'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> set[str]:
    """The core modules a file imports, wherever the import statement stands."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "core"}
        elif isinstance(node, ast.ImportFrom):
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
    return {name for name in found if name != me and name != "core"}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root), on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child), on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def shipped(path: Path) -> bool:
    """Whether the extension zip holds this file (the manifest's exclude patterns)."""
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    rel = "/" + path.relative_to(ROOT).as_posix()
    for pattern in manifest.get("build", {}).get("paths_exclude_pattern", []):
        if pattern.startswith("/") and pattern.endswith("/"):
            left_out = rel.startswith(pattern)
        elif pattern.startswith("/"):
            left_out = rel == pattern
        elif pattern.endswith("/"):
            left_out = f"/{pattern}" in rel
        else:
            left_out = fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern)
        if left_out:
            return False
    return True


def problems(edges: dict[str, set[str]], files: dict[str, Path]) -> list[str]:
    """Every failed check, one line each."""
    found = [f"circle: {' <-> '.join(c)}" for c in cycles(edges)]
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            a, b = area(source), area(target)
            if a not in LAYER_OF or b not in LAYER_OF:
                found.append(f"no layer for {a if a not in LAYER_OF else b}: {source} -> {target}")
            elif LAYER_OF[b] > LAYER_OF[a]:
                found.append(f"import up the layers: {source} -> {target}")
            if target in files and shipped(files[source]) and not shipped(files[target]):
                found.append(f"shipped module imports one the zip leaves out: {source} -> {target}")
    area_edges = defaultdict(set)
    for source, targets in edges.items():
        area_edges[area(source)] |= {area(t) for t in targets if area(t) != area(source)}
    found += [f"circle of areas: {' <-> '.join(c)}" for c in cycles(area_edges)]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edges", action="store_true", help="print the edges between areas")
    args = parser.parse_args(argv)
    files = {module_name(p): p for p in sorted(CORE.rglob("*.py"))}
    edges = {name: imports_of(path) for name, path in files.items()}
    if args.edges:
        area_edges = defaultdict(set)
        for source, targets in edges.items():
            area_edges[area(source)] |= {area(t) for t in targets if area(t) != area(source)}
        for level, areas in enumerate(LAYERS):
            for name in areas:
                print(f"{level} {name} -> {', '.join(sorted(area_edges[name])) or '-'}")
    found = problems(edges, files)
    n_edges = sum(map(len, edges.values()))
    print(f"{len(files)} modules, {n_edges} import edges: {len(found) or 'no'} problems")
    for line in found:
        print(f"  {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
