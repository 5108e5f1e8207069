"""The anchor: Rhubarb Lip Sync 1.14.0 run on the dev set and scored with our own metrics.

The build lives outside the repository, in `../shared/tools/rhubarb-1.14.0/` (its README says
how it was built). Rhubarb runs once per clip and mode (pocketSphinx recogniser, without and with
the clip's transcript as `-d`), with `--threads 1`: with more threads its output on clips over
about 5 s changes from run to run. Cues are cached under `build/eval_cache/rhubarb/`, keyed by
the binary's hash, the clip's WAV hash and the transcript's hash, so `make eval` runs Rhubarb
only on what changed. Where the build is missing, `make eval` shows the figures last measured
(with their date) from `reports/rhubarb_measured.json`, which every full measured run rewrites.

Mouth shapes become ARKit weights with the table of the build's README (and its
score_devset.py): A (closed, p/b/m) and X (idle, lips closed but relaxed) are the demo head's
rest pose, whose lips meet; G (f/v) rolls the lower lip in, which also measures as closed.
"""

import hashlib
import json
import math
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...animation import Animation
from ...demohead.head import DemoHead
from ...errors import LipSyncError
from ...runtime.smoothing import scene_frame_count
from .scoring import EVAL_FPS, EvalItem, score_set

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIR = REPO_ROOT.parent / "shared" / "tools" / "rhubarb-1.14.0"
MEASURED_NAME = "rhubarb_measured.json"  # in the report folder (reports/)
VERSION = "1.14.0"
MODES = {"no transcript": False, "with transcript (-d)": True}  # mode -> passes the transcript

CHANNELS = ("jawOpen", "mouthFunnel", "mouthRollLower")
SHAPES = {
    "A": {},
    "X": {},
    "B": {"jawOpen": 0.1},
    "C": {"jawOpen": 0.3},
    "D": {"jawOpen": 0.6},
    "E": {"jawOpen": 0.25, "mouthFunnel": 0.3},
    "F": {"mouthFunnel": 0.4},
    "G": {"mouthRollLower": 0.6},
    "H": {"jawOpen": 0.3},
}


TIMING = ("realtime_factor", "audio_s")


def system_name(mode: str) -> str:
    """The results-table name of Rhubarb in one mode."""
    return f"Rhubarb Lip Sync {VERSION}, {mode}"


@dataclass(frozen=True)
class Rhubarb:
    """A Rhubarb executable (with its res/ folder beside it) and the hash that keys its cache."""

    executable: Path
    digest: str  # first 16 hex digits of the executable's SHA-256
    size_mb: float  # the whole build folder (models included)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def find_rhubarb(folder: Path = DEFAULT_DIR) -> Rhubarb | None:
    """The Rhubarb build in `folder`, or None where there is none (or it cannot run here)."""
    executable = Path(folder) / "rhubarb"
    if not (executable.is_file() and os.access(executable, os.X_OK) and (folder / "res").is_dir()):
        return None
    size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return Rhubarb(executable.resolve(), _sha256(executable.read_bytes()), size / 2**20)


def cue_path(rhubarb: Rhubarb, wav: Path, text: str | None, cache_dir: Path) -> Path:
    """Where the cues of one clip and mode are cached (the key: binary, WAV and transcript)."""
    key = f"{wav.stem}-{_sha256(wav.read_bytes())}"
    if text is not None:
        key += f"-d{_sha256(text.encode())}"
    return cache_dir / f"{VERSION}-{rhubarb.digest}-threads1" / f"{key}.tsv"


def run_cues(rhubarb: Rhubarb, wav: Path, text: str | None, cache_dir: Path) -> Path:
    """Rhubarb's cues (TSV) for one clip, from the cache or by running it once (one thread).

    Writes `<key>.tsv` and `<key>.json` (wall seconds, start-up included) beside it.
    """
    tsv = cue_path(rhubarb, wav, text, cache_dir)
    if tsv.exists():
        return tsv
    tsv.parent.mkdir(parents=True, exist_ok=True)
    partial = tsv.with_suffix(".partial.tsv")
    args = [
        str(rhubarb.executable),
        "-q",
        "--threads",
        "1",
        "-r",
        "pocketSphinx",
        "-f",
        "tsv",
        "-o",
        str(partial),
    ]
    if text is not None:
        text_path = tsv.with_suffix(".txt")
        text_path.write_text(text + "\n")
        args += ["-d", str(text_path)]
    started = time.perf_counter()
    result = subprocess.run([*args, str(wav)], capture_output=True, text=True, check=False)
    wall_s = time.perf_counter() - started
    if result.returncode != 0 or not partial.exists():
        tail = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise LipSyncError(f"Rhubarb failed on {wav.name}: {tail}")
    tsv.with_suffix(".json").write_text(json.dumps({"wall_s": round(wall_s, 3)}) + "\n")
    partial.replace(tsv)
    return tsv


def run_wall_s(tsv: Path) -> float:
    """Wall seconds the run that wrote these cues took (NaN when not recorded)."""
    record = tsv.with_suffix(".json")
    return json.loads(record.read_text())["wall_s"] if record.exists() else float("nan")


def cue_weights(cues_tsv: str, n_frames: int, shapes: dict = SHAPES) -> np.ndarray:
    """Rhubarb TSV cues (start s <TAB> shape) -> weights (n_frames, len(CHANNELS)) at EVAL_FPS.

    Each frame takes the shape of the last cue starting at or before it (rest before the first).
    """
    cues = [line.split("\t") for line in cues_tsv.splitlines() if line.strip()]
    starts = np.array([float(start) for start, _ in cues])  # (C,) seconds
    table = np.array([[shapes[s.strip()].get(c, 0.0) for c in CHANNELS] for _, s in cues])
    cue_ids = np.searchsorted(starts, np.arange(n_frames) / EVAL_FPS, side="right") - 1  # (T,)
    weights = table[np.maximum(cue_ids, 0)].reshape(n_frames, len(CHANNELS))
    return np.where(cue_ids[:, None] >= 0, weights, 0.0)


def rhubarb_predictor(
    rhubarb: Rhubarb, devset_dir: Path, with_transcript: bool, cache_dir: Path
) -> Callable[[EvalItem], Animation]:
    """A score_set predictor: Rhubarb's cues for a dev-set clip (run once, then cached)."""

    def predictor(item: EvalItem) -> Animation:
        wav = Path(devset_dir) / f"{item.item_id}.wav"
        tsv = run_cues(rhubarb, wav, item.text if with_transcript else None, cache_dir)
        n_frames = scene_frame_count(len(item.audio), EVAL_FPS)
        return Animation(EVAL_FPS, CHANNELS, cue_weights(tsv.read_text(), n_frames))

    return predictor


def measure(
    rhubarb: Rhubarb,
    devset_dir: Path,
    sets: dict[str, list[EvalItem]],
    head: DemoHead,
    cache_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Score Rhubarb in both modes on each set: rows {"eval_set", "mode", "metrics"}.

    Speed (`realtime_factor`) is audio seconds over the recorded wall seconds of the runs, one
    process per clip, start-up included.
    """
    rows = []
    for set_name, items in sets.items():
        for mode, with_transcript in MODES.items():
            if progress is not None:
                progress(f"Rhubarb, {mode}, {set_name}")
            predictor = rhubarb_predictor(rhubarb, devset_dir, with_transcript, cache_dir)
            metrics = score_set(predictor, items, head).summary()
            wall_s = sum(
                run_wall_s(
                    cue_path(
                        rhubarb,
                        Path(devset_dir) / f"{item.item_id}.wav",
                        item.text if with_transcript else None,
                        cache_dir,
                    )
                )
                for item in items
            )
            metrics["realtime_factor"] = metrics["audio_s"] / wall_s
            # Over 3 channels, not the models' 29: not comparable (the lip-gap jitter is).
            metrics["jitter_weights"] = float("nan")
            rows.append({"eval_set": set_name, "mode": mode, "metrics": metrics})
    return rows


def read_measured(path: Path) -> dict | None:
    """The last measured Rhubarb figures ({"date", "rows": [...], ...}), or None."""
    return json.loads(Path(path).read_text()) if Path(path).exists() else None


def write_measured(path: Path, rhubarb: Rhubarb, rows: list[dict], date: str) -> dict:
    """Keep a measured run's rows for machines without the build; returns the record.

    The date stays that of the last run that changed a closure figure (timings always vary).
    NaN metrics are stored as null.
    """
    rows = [
        {**r, "metrics": {k: (v if math.isfinite(v) else None) for k, v in r["metrics"].items()}}
        for r in rows
    ]
    previous = read_measured(path)

    def closure(rs: list[dict]) -> str:
        """The rows without their timing fields: what must match for the date to stay."""
        timeless = [
            (r["eval_set"], r["mode"], {k: v for k, v in r["metrics"].items() if k not in TIMING})
            for r in rs
        ]
        return json.dumps(timeless)

    if previous is not None and closure(previous["rows"]) == closure(rows):
        date = previous["date"]
    record = {
        "date": date,
        "version": VERSION,
        "executable_sha256_16": rhubarb.digest,
        "build_mb": round(rhubarb.size_mb, 1),
        "command": "rhubarb -q --threads 1 -r pocketSphinx -f tsv [-d transcript.txt] clip.wav",
        "shapes": SHAPES,
        "rows": rows,
    }
    Path(path).write_text(json.dumps(record, indent=1) + "\n")
    return record
