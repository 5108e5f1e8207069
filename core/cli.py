"""Command line for pipelines: `tiny-lipsync predict|info|batch|export-onnx` once the package is
installed (`pip install .`), `python -m core.cli ...` from a checkout.

Exit codes: 0 success, 1 a batch with failed lines (the others written), 2 bad input or a
missing optional package (one line on stderr naming what to install, no output file left
behind).

`predict` runs BLAS on one thread (unless OPENBLAS_NUM_THREADS & co. say otherwise), as every
Dask worker of `batch` does: the students are too small to gain from more threads, and BLAS
sums in a thread-dependent order, so this way a file gives the same bytes both ways.
"""

import argparse
import importlib.util
import os
import sys
from dataclasses import asdict
from pathlib import Path

from .animation import parse_fps
from .errors import LipSyncError

EXIT_OK = 0
EXIT_BAD_INPUT = 2
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# command -> (the package extra it needs, the packages of that extra it imports)
EXTRAS = {
    "batch": ("batch", ("distributed", "dask", "tqdm")),
    "export-onnx": ("engines", ("onnx",)),
}
CORE_PACKAGES = ("numpy", "soundfile")  # installed with the package itself
FROM_CHECKOUT = "from a checkout: pip install -r requirements/dev.txt"
PROG = "python -m core.cli" if __package__ == "core" else "tiny-lipsync"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see `{PROG} --help`)\n")


def _positive_fps(text: str) -> float:
    try:
        return parse_fps(text)
    except LipSyncError as error:
        raise argparse.ArgumentTypeError(str(error).rstrip(".")) from None


def _predict(args: argparse.Namespace) -> int:
    from .api import load_model, open_audio
    from .export.curves import check_output_path
    from .export.lipsync_file import write_lipsync

    out = check_output_path(args.out)
    text = _dialogue_text(args)
    visemes = _viseme_set(args)
    audio = open_audio(args.audio)  # validated in one pass; long files are never held whole
    model = load_model(args.model)
    animation, message = write_lipsync(
        audio, args.audio, out, model, args.fps, not args.no_smooth, text, visemes, args.min_hold
    )
    if message:
        print(f"text: {message}", file=sys.stderr)
    print(f"{animation.frame_count} frames x {len(animation.channel_names)} channels -> {out}")
    return EXIT_OK


def _dialogue_text(args: argparse.Namespace) -> str:
    """The --text line, or the contents of --text-file ('' for neither)."""
    if args.text_file is None:
        return args.text or ""
    try:
        return Path(args.text_file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LipSyncError(f"{args.text_file}: cannot read the dialogue text ({error}).") from None


def _viseme_set(args: argparse.Namespace):
    """The --visemes set (None without the option)."""
    if not args.visemes:
        return None
    from .mouthshapes.shape_sets import viseme_set

    return viseme_set(args.visemes)


def _min_hold(text: str) -> int:
    try:
        frames = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--min-hold must be whole frames, not '{text}'") from None
    if frames < 1:
        raise argparse.ArgumentTypeError(f"--min-hold must be at least 1 frame, not {frames}")
    return frames


def _add_viseme_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--visemes",
        metavar="SET",
        help="also write a viseme column (2D mouths): rhubarb (A-X), oculus (15 visemes) or "
        "a viseme set .json; the closed shape on every sealed p/b/m",
    )
    parser.add_argument(
        "--min-hold",
        type=_min_hold,
        default=2,
        metavar="FRAMES",
        help="with --visemes: no shape held for fewer frames (default: 2)",
    )


def _info(args: argparse.Namespace) -> int:
    from .api import load_model, model_info

    for key, value in asdict(model_info(load_model(args.model))).items():
        if isinstance(value, list | tuple) and len(value) > 8:
            value = f"{len(value)} items: {', '.join(map(str, value[:4]))}, ..."
        text = str(value)
        print(f"{key}:" + ("\n  " + text.replace("\n", "\n  ") if "\n" in text else f" {text}"))
    return EXIT_OK


def _batch(args: argparse.Namespace) -> int:
    from .batch.runner import run_batch

    return run_batch(
        args.input,
        args.out,
        args.model,
        args.fps,
        args.format,
        args.scheduler,
        args.workers,
        smoothing=not args.no_smooth,
        visemes=args.visemes or "",
        min_hold=args.min_hold,
    )


def _export_onnx(args: argparse.Namespace) -> int:
    from .engines.export import SIZE_TARGET_BYTES, onnx_model, save_onnx

    out = Path(args.out)
    if out.suffix.lower() != ".onnx":
        raise LipSyncError(f"{out}: the output file must end in .onnx.")
    model = onnx_model(args.model, streaming=args.streaming, stored_dft=args.stored_dft)
    try:
        size = save_onnx(model, out)
    except OSError as error:
        raise LipSyncError(f"{out}: cannot write the ONNX file ({error}).") from None
    form = "streaming graph (one 10 ms hop a call)" if args.streaming else "clip graph"
    print(f"{args.model}: {form}, {size / 1e6:.2f} MB -> {out}")
    if size > SIZE_TARGET_BYTES:
        print(f"note: over the {SIZE_TARGET_BYTES / 1e6:g} MB budget; S-tiny and S-lowlat fit it")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its subcommands (predict, info, batch, export-onnx)."""
    parser = _Parser(prog=PROG, description="Tiny Lip Sync from the command line.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    predict = commands.add_parser("predict", help="audio -> ARKit curves as CSV or JSON")
    predict.add_argument("audio", help="WAV, FLAC or OGG file, any sample rate and channels")
    predict.add_argument("--model", required=True, help="bundled model name or .npz path")
    predict.add_argument("--fps", type=_positive_fps, required=True, help="frames per second")
    predict.add_argument("--out", required=True, help="output file, .csv or .json")
    predict.add_argument("--no-smooth", action="store_true", help="turn ensemble smoothing off")
    dialogue = predict.add_mutually_exclusive_group()
    dialogue.add_argument(
        "--text",
        help="the line's dialogue text: exact p/b/m closures where "
        "it matches the audio (the teacher aligns it)",
    )
    dialogue.add_argument("--text-file", help="a UTF-8 text file holding the dialogue text")
    _add_viseme_options(predict)
    predict.set_defaults(run=_predict)

    info = commands.add_parser("info", help="describe a model file")
    info.add_argument("model", help="bundled model name or .npz path")
    info.set_defaults(run=_info)

    batch = commands.add_parser(
        "batch",
        help="many audio files -> curve files on a Dask cluster (exit 1 if some lines failed)",
    )
    batch.add_argument("input", type=Path, help="folder searched for audio, or a manifest .csv")
    batch.add_argument("--out", type=Path, required=True, help="output folder (and its report)")
    batch.add_argument("--model", help="bundled model name or .npz path (manifest: default)")
    batch.add_argument("--fps", type=_positive_fps, default=30.0, help="default: 30")
    batch.add_argument("--format", choices=("csv", "json"), default="csv")
    batch.add_argument("--scheduler", help="tcp://host:8786 of a running Dask scheduler")
    batch.add_argument("--workers", type=int, default=None, help="default: one per core")
    batch.add_argument("--no-smooth", action="store_true", help="turn ensemble smoothing off")
    _add_viseme_options(batch)
    batch.set_defaults(run=_batch)

    export_onnx = commands.add_parser(
        "export-onnx", help="a student -> an ONNX graph for game engines (docs/engines.md)"
    )
    export_onnx.add_argument("--model", required=True, help="student name or .npz path")
    export_onnx.add_argument("--out", required=True, help="output file, .onnx")
    export_onnx.add_argument(
        "--streaming", action="store_true", help="one 10 ms hop and a state per call"
    )
    export_onnx.add_argument(
        "--stored-dft",
        action="store_true",
        help="keep the DFT kernel as weights (+1 MB) for runtimes that cannot fold Range/Mod",
    )
    export_onnx.set_defaults(run=_export_onnx)
    return parser


def missing_package_line(error: ModuleNotFoundError, command: str) -> str | None:
    """The one line for a third-party package that is not installed, or None (our own bug)."""
    package = (error.name or "").split(".")[0]
    if not package or package == __package__.split(".")[0] or package in ("core", "addon"):
        return None
    if package in CORE_PACKAGES:
        return (
            f"error: Tiny Lip Sync needs the Python package '{package}', which is not "
            f"installed: pip install tiny-lipsync ({FROM_CHECKOUT})"
        )
    extra = EXTRAS.get(command, ("", ()))[0]
    install = f"pip install 'tiny-lipsync[{extra}]'" if extra else f"pip install {package}"
    return (
        f"error: `{command}` needs the Python package '{package}', which is not installed: "
        f"{install} ({FROM_CHECKOUT})"
    )


def _installed(package: str) -> bool:
    if package in sys.modules:
        return sys.modules[package] is not None
    return importlib.util.find_spec(package) is not None


def _check_extra(command: str) -> None:
    """Raise ModuleNotFoundError before any work when a package the command needs is missing."""
    for package in EXTRAS.get(command, ("", ()))[1]:
        if not _installed(package):
            raise ModuleNotFoundError(f"No module named '{package}'", name=package)


def main(argv: list[str] | None = None) -> int:
    """Parse, dispatch, and turn the core's errors (and a missing optional package) into one
    line and exit code 2."""
    args = build_parser().parse_args(argv)
    if args.command == "predict" and "numpy" not in sys.modules:  # read when numpy loads
        for name in _BLAS_THREADS:
            os.environ.setdefault(name, "1")
    try:
        _check_extra(args.command)
        return args.run(args)
    except LipSyncError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ModuleNotFoundError as error:
        line = missing_package_line(error, args.command)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `tiny-lipsync info s_tiny | head`: the reader left, no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
