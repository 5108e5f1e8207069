"""The command line and report of a study that sets students' lip gap against the teacher's:
`prog [MODEL.npz ...] [--teacher T] [--devset D] [--corpus C] [--out reports/NAME.md]`."""

import argparse
from collections.abc import Callable
from pathlib import Path

from ...runtime.catalog import MODELS_DIR


def run_study(
    argv: list[str] | None,
    name: str,
    doc: str | None,
    title: str,
    columns: tuple[str, ...],
    measure: Callable[[list[Path], Path, Path, Path], list[str]],
    students: tuple[str, ...],
) -> int:
    """Parse argv, measure the students (default: the shipped ones named) against the teacher
    and write reports/<name>.md: the title, the module docstring after its first paragraph,
    then the table of `measure`'s rows under `columns`."""
    parser = argparse.ArgumentParser(prog=f"python -m core.lab.studies.{name}")
    shipped = [MODELS_DIR / f"{n}.npz" for n in students]
    parser.add_argument("students", nargs="*", type=Path, default=shipped)
    parser.add_argument("--teacher", type=Path, default=MODELS_DIR / "teacher.npz")
    parser.add_argument("--devset", type=Path, default=Path("data/devset"))
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--out", type=Path, default=Path("reports") / f"{name}.md")
    args = parser.parse_args(argv)
    rows = measure(args.students, args.teacher, args.devset, args.corpus)
    text = [
        f"# {title}",
        "",
        (doc or "").split("\n\n", 1)[1].strip(),
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *rows,
    ]
    args.out.write_text("\n".join(text) + "\n")
    print("\n".join(rows))
    return 0
