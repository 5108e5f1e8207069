"""The docs cannot drift: every command and path README.md and docs/*.md show exists, every
control of the panel is in the animator's guide, and every operator and property has a tooltip.

Read from the text of the docs, the Makefile, `core.cli`'s argument parser and the add-on's
source (parsed, not imported: no Blender here):
- `make TARGET` -> a Makefile target; `python -m core.cli ...` / `tiny-lipsync ...` -> parsed by
  the real parser (subcommand, flags, required arguments); `python -m MODULE --flag` -> the
  module's file exists and names the flag; a lone `--flag` -> a flag of core.cli or of a module
  the same doc runs; `pip install '.[extra]'` -> an extra of pyproject.toml;
  `bpy.ops.lipsync.NAME(arg=...)` -> an operator with those properties;
- repository paths in code spans (`core/...`, `assets/...`, globs too) and relative links
  (anchors included) -> exist;
- the panel's controls (addon/panel.py, the preferences' draw) -> in bold in docs/animators.md.
"""

import ast
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
GUIDE = REPO / "docs" / "animators.md"
# Paths under these are made by the targets (make demo, make extension...), not kept in git.
GENERATED = ("build", "demo", "data", "runs", ".venv", ".venv-blender42", ".venv-blender52")
REPO_ROOTS = tuple(
    p.name for p in REPO.iterdir() if not p.name.startswith(".") and p.name not in GENERATED
)
CLI_PROGRAMS = re.compile(
    r"(?:\S*python\S*\s+-m\s+core\.cli|(?<![\w'\"/.-])tiny-lipsync)(?![\w\[.-])"
)
MODULE_RUN = re.compile(r"(?:python\S*|torchrun\b.*?)\s+-m\s+([\w.*]+)")


@dataclass(frozen=True)
class Snippet:
    """A piece of a doc shown as code: a fenced block's line or an inline span."""

    doc: Path
    text: str
    fenced: bool
    before: str = ""  # the prose just before an inline span

    def __str__(self) -> str:
        return f"{self.doc.relative_to(REPO)}: {self.text!r}"


def snippets(doc: Path) -> list[Snippet]:
    """Fenced code lines (backslash continuations joined, `#` comments cut) and inline spans."""
    text = doc.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"(^|\s)#.*$", "", line).strip()
            if line:
                found.append(Snippet(doc, line, True))
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.S | re.M)
    for match in re.finditer(r"`([^`\n]+)`", prose):
        before = prose[max(0, match.start() - 80) : match.start()]
        found.append(Snippet(doc, match.group(1).strip(), False, before))
    return found


ALL = [s for doc in DOCS for s in snippets(doc)]


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z0-9_.-]+)\s*:(?!=)", text, flags=re.M))


def test_make_commands_name_makefile_targets():
    targets = make_targets()
    wrong = []
    for snippet in ALL:
        for match in re.finditer(r"(?:^|[;&|]\s*)make((?:\s+[\w.=/-]+)+)", snippet.text):
            words = [w for w in match.group(1).split() if "=" not in w and not w.startswith("-")]
            wrong += [f"{snippet}: no target '{w}'" for w in words if w not in targets]
    assert wrong == []


def cli_commands() -> list[tuple[Snippet, list[str]]]:
    """(snippet, argv) for every `python -m core.cli ...` / `tiny-lipsync ...` with a command."""
    found = []
    for snippet in ALL:
        match = CLI_PROGRAMS.search(snippet.text)
        if match is None:
            continue
        argv = shlex.split(snippet.text[match.end() :])
        if argv:
            found.append((snippet, argv))
    return found


def test_cli_commands_parse_with_the_real_parser():
    """A command shown in full (a code block) parses; a mention in the text (`tiny-lipsync
    batch`, `predict|info|batch`, `export-onnx ...`) names real subcommands."""
    commands = cli_commands()
    assert len(commands) >= 5  # README, pipeline and the guides run the CLI
    parser = build_parser()
    subcommands = next(a.choices for a in parser._actions if getattr(a, "choices", None))
    wrong = []
    for snippet, argv in commands:
        if not snippet.fenced or "..." in argv:
            wrong += [
                f"{snippet}: no subcommand {c}" for c in argv[0].split("|") if c not in subcommands
            ]
            continue
        try:
            parser.parse_args(argv)
        except SystemExit:
            wrong.append(f"{snippet}: does not parse (its usage line is above)")
    assert wrong == []


def cli_flags() -> set[str]:
    """Every option string of core.cli's subcommands."""
    parser = build_parser()
    flags = set()
    for action in parser._actions:
        for sub in getattr(action, "choices", None) or {}:
            flags |= {o for a in action.choices[sub]._actions for o in a.option_strings}
    return flags


def module_file(module: str) -> Path | None:
    """The repository file `python -m module` runs, or None when it is not in the repository."""
    path = REPO.joinpath(*module.removesuffix(".*").split("."))
    if module.endswith(".*"):  # a group of modules: its package
        return path / "__init__.py" if (path / "__init__.py").is_file() else None
    for candidate in (path.with_suffix(".py"), path / "__main__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_python_m_modules_exist_and_take_their_flags():
    wrong, seen = [], 0
    for snippet in ALL:
        for match in MODULE_RUN.finditer(snippet.text):
            module = match.group(1)
            if module == "core.cli" or module.split(".")[0] not in REPO_ROOTS:
                continue  # the CLI: parsed above; pytest, pip and others are not ours
            seen += 1
            source = module_file(module)
            if source is None:
                wrong.append(f"{snippet}: no module {module}")
                continue
            text = source.read_text(encoding="utf-8")
            flags = re.findall(r"\s(--[a-z][\w-]*)", snippet.text[match.end() :])
            wrong += [f"{snippet}: {module} has no {f}" for f in flags if f'"{f}"' not in text]
    assert seen >= 5 and wrong == []


def test_lone_flags_belong_to_a_command_of_the_same_doc():
    known = cli_flags()
    wrong = []
    for doc in DOCS:
        modules = {m.group(1) for s in snippets(doc) for m in MODULE_RUN.finditer(s.text)} - {
            "core.cli"
        }
        sources = "".join(
            f.read_text(encoding="utf-8") for f in map(module_file, modules) if f is not None
        )
        shown = {f for s in snippets(doc) if s.fenced for f in re.findall(r"--[a-z][\w-]*", s.text)}
        for snippet in snippets(doc):
            match = re.match(r"(--[a-z][\w-]*)", snippet.text)
            if snippet.fenced or match is None:
                continue
            flag = match.group(1)
            if flag not in known | shown and f'"{flag}"' not in sources:
                wrong.append(f"{snippet}: no command of this doc takes {flag}")
    assert wrong == []


def test_pip_extras_exist():
    extras = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    wrong = []
    for snippet in ALL:
        for match in re.finditer(r"pip install\s+'[^'\[]*\[([\w,]+)\]'", snippet.text):
            wrong += [f"{snippet}: no extra '{e}'" for e in match.group(1).split(",")]
            wrong = [w for w in wrong if w.rsplit("'", 2)[-2] not in extras]
    assert wrong == []


def doc_paths(snippet: Snippet) -> list[str]:
    """Repository paths a snippet shows: words whose first part is a top-level entry (not
    where the text just named another repository: `(github.com/x/y, `docs/z.md`)`)."""
    if re.search(r"github\.com/[\w.-]+/[\w.-]+[^)`]*$", snippet.before):
        return []
    paths = []
    for word in re.split(r"[\s,;()=\"']+", snippet.text):
        word = word.rstrip(".:")
        if "://" in word or not re.fullmatch(r"[\w./*<>-]+", word):
            continue
        first = word.split("/")[0]
        if first in REPO_ROOTS and ("/" in word or "." in first):
            paths.append(word)
    return paths


def test_repository_paths_exist():
    wrong, seen = [], 0
    for snippet in ALL:
        for path in doc_paths(snippet):
            seen += 1
            pattern = re.sub(r"<[^>]*>", "*", path)
            if not list(REPO.glob(pattern)):
                wrong.append(f"{snippet}: {path} does not exist")
    assert seen >= 30 and wrong == []


def test_the_zip_named_in_the_docs_has_the_manifest_version():
    version = tomllib.loads((REPO / "blender_manifest.toml").read_text())["version"]
    named = {m for s in ALL for m in re.findall(r"build/tiny_lipsync-([\w.<>-]+)\.zip", s.text)}
    assert named and named <= {version, "<version>"}


def heading_anchors(doc: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    text = re.sub(r"^```.*?^```", "", doc.read_text(encoding="utf-8"), flags=re.S | re.M)
    headings = re.findall(r"^#+\s+(.+?)\s*$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_links_and_anchors_resolve():
    wrong, seen = [], 0
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            seen += 1
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                wrong.append(f"{doc.name}: link to {target}: no such file")
            elif anchor and file.suffix == ".md" and anchor not in heading_anchors(file):
                wrong.append(f"{doc.name}: link to {target}: no such heading")
    assert seen >= 20 and wrong == []


# --- the add-on's source, parsed ----------------------------------------------------------------

ADDON = {
    path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in (REPO / "addon").glob("*.py")
}
PROPERTY = re.compile(r"\w+Property$")


def addon_classes() -> dict[str, ast.ClassDef]:
    return {
        node.name: node
        for tree in ADDON.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    }


def _constant(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def class_properties(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> dict[str, ast.Call]:
    """Property name -> its `*Property(...)` call, the class's own and its bases'."""
    found = {}
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            found.update(class_properties(classes[base.id], classes))
    for node in cls.body:
        if (  # Blender properties are annotations: `name: StringProperty(...)`
            isinstance(node, ast.AnnAssign)
            and isinstance(node.annotation, ast.Call)
            and PROPERTY.search(ast.unparse(node.annotation.func))
        ):
            found[node.target.id] = node.annotation
    return found


def class_attribute(cls: ast.ClassDef, name: str):
    return next(
        (
            _constant(node.value)
            for node in cls.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        ),
        None,
    )


def operators() -> dict[str, ast.ClassDef]:
    """bl_idname -> class, for the add-on's operators."""
    return {
        idname: cls
        for cls in addon_classes().values()
        if (idname := class_attribute(cls, "bl_idname")) and str(idname).startswith("lipsync.")
    }


def test_every_operator_and_property_has_a_tooltip():
    classes = addon_classes()
    missing = [
        f"operator {idname}"
        for idname, cls in operators().items()
        if not ast.get_docstring(cls) and not class_attribute(cls, "bl_description")
    ]
    for cls in classes.values():
        for name, call in class_properties(cls, {}).items():  # each class's own
            description = _keyword(call, "description")
            if description is None or _constant(description) == "":
                missing.append(f"{cls.name}.{name}")
    assert missing == [], "give these a description= (or a docstring) in the user's words"


def _label_of(call: ast.Call, prop_class: ast.ClassDef, classes) -> str | None:
    name = _constant(call.args[1]) if len(call.args) > 1 else None
    properties = class_properties(prop_class, classes)
    if name not in properties:
        return None
    text = _constant(_keyword(call, "text"))
    return text or _constant(_keyword(properties[name], "name")) or name


def _loop_labels(tree: ast.AST, name: str) -> list[str]:
    """The string values a `for (..., name) in ((...), ...)` loop gives `name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
            names = [getattr(e, "id", None) for e in node.target.elts]
            if name in names and isinstance(node.iter, ast.Tuple):
                i = names.index(name)
                return [_constant(item.elts[i]) for item in node.iter.elts]
    return []


def panel_controls() -> list[str]:
    """The labels of every control the panel and the preferences draw."""
    classes = addon_classes()
    owners = {  # the variable a draw method's .prop() reads -> its property class
        "settings": classes["LIPSYNC_PG_settings"],
        "item": classes["LIPSYNC_PG_route"],
        "self": classes["LIPSYNC_AP_preferences"],
    }
    labels_by_idname = {
        idname: str(class_attribute(cls, "bl_label")) for idname, cls in operators().items()
    }
    labels = []
    for module in ("panel", "preferences"):
        tree = ADDON[module]
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            if module == "panel" and class_attribute(cls, "bl_label"):
                labels.append(class_attribute(cls, "bl_label"))
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            method = getattr(call.func, "attr", "")
            if method in ("prop", "prop_search") and isinstance(call.args[0], ast.Name):
                owner = owners.get(call.args[0].id)
                label = _label_of(call, owner, classes) if owner else None
                assert label, (
                    f"addon/{module}.py: a control the test cannot read: {ast.unparse(call)}"
                )
                labels.append(label)
            elif method == "operator":
                text = _keyword(call, "text")
                if isinstance(text, ast.Name):
                    labels += _loop_labels(tree, text.id)
                else:
                    labels.append(_constant(text) or labels_by_idname[_constant(call.args[0])])
            elif method == "label" and isinstance(_constant(_keyword(call, "text")), str):
                labels.append(_constant(_keyword(call, "text")).rstrip(":"))
    return labels


def test_every_panel_control_is_in_the_animators_guide():
    labels = panel_controls()
    assert {"Generate Lip Sync", "Sound Strip", "Lip-Close Bias", "glTF", "Gain"} <= set(labels)
    guide = GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^#+\s+(.+?)\s*$", guide, flags=re.M)
    missing = [x for x in labels if f"**{x}**" not in guide and x not in headings]
    assert missing == [], "document these controls in docs/animators.md (as **Label**)"


def test_report_lines_point_to_sections_of_the_guide():
    tree = ADDON["guide"]
    sections = [
        _constant(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(_constant(node.value), str)
    ]
    sections = [s for s in sections if not s.endswith(".md")]
    headings = set(re.findall(r"^#+\s+(.+?)\s*$", GUIDE.read_text(encoding="utf-8"), flags=re.M))
    assert len(sections) >= 4 and set(sections) <= headings


def test_script_examples_call_real_operators_with_real_arguments():
    ops, classes = operators(), addon_classes()
    wrong, seen = [], 0
    for snippet in ALL:
        for match in re.finditer(r"bpy\.ops\.(lipsync\.\w+)\(([^()]*)\)", snippet.text):
            seen += 1
            idname, args = match.groups()
            if idname not in ops:
                wrong.append(f"{snippet}: no operator {idname}")
                continue
            known = class_properties(ops[idname], classes)
            for name in re.findall(r"(\w+)\s*=", args):
                if name not in known:
                    wrong.append(f"{snippet}: {idname} has no argument {name}")
    for block in re.findall(r"^```\n(import bpy\n.*?)^```", GUIDE.read_text(), flags=re.S | re.M):
        for call in (n for n in ast.walk(ast.parse(block)) if isinstance(n, ast.Call)):
            idname = ast.unparse(call.func).removeprefix("bpy.ops.")
            if idname.startswith("lipsync."):
                seen += 1
                known = class_properties(ops[idname], classes) if idname in ops else {}
                wrong += [
                    f"{GUIDE.name}: {idname}({k.arg}=)" for k in call.keywords if k.arg not in known
                ]
    assert seen >= 5 and wrong == []


def test_the_manifest_links_the_guide():
    manifest = tomllib.loads((REPO / "blender_manifest.toml").read_text())
    assert manifest["website"].startswith("https://")
    assert manifest["website"].endswith("/" + GUIDE.relative_to(REPO).as_posix())


def test_readme_leads_with_what_it_is_the_picture_install_and_use():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150
    first_screen = "\n".join(lines[:42])
    picture = re.search(r"!\[[^\]]*\]\(([^)]+\.png)\)", first_screen)
    assert picture and (REPO / picture.group(1)).stat().st_size < 400_000
    install = first_screen.split("## Install in Blender")[1].split("##")[0]
    use = first_screen.split("## Use it in 60 seconds")[1]
    assert re.findall(r"^(\d)\. ", install, flags=re.M) == ["1", "2", "3"]
    assert re.findall(r"^(\d)\. ", use, flags=re.M) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_doc_is_linked_from_the_readme(doc):
    if doc.name == "README.md":
        return
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"docs/{doc.name}" in readme
