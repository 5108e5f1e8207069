"""Unlabelled real human speech for the teacher to pseudo-label (the paper's unlabelled audio).

    python -m core.lab.corpus.unlabelled_speech --out data/corpus      # -> data/corpus/unlabelled/

Source: Debian's `tuxpaint-stamps-default` (GPL-2-or-later): about 2.9 h of spoken stamp
descriptions by human readers in a dozen languages (Romanian, Spanish, Russian, French,
Bulgarian, Greek, Belarusian, Catalan, Danish, ...). The English descriptions are left out:
they are in the dev set's report half (core/lab/eval/devset_word_sources.py), evaluation only.

The clips carry no phone timings: their shards hold the audio with empty phone lists and
all-zero weights, and live in their own split, which only the Whisper feature cache and the
teacher's pseudo-labelling read. Shards are grouped by language, about ten minutes each, named
`shard-XXXXX-real-tuxpaint-<language>`; a shard already on disk is skipped (resumable).
"""

import argparse
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ...audio.prepare import SAMPLE_RATE, prepare_samples
from ...errors import CorpusError
from ...rig.arkit import LOWER_FACE
from .dataset import LABEL_FPS, Utterance, list_shards, write_shard

STAMPS_DIR = Path("/usr/share/tuxpaint/stamps")
PACKAGE = "tuxpaint-stamps-default"
LICENCE = "GPL-2.0-or-later (Tux Paint stamps, Debian tuxpaint-stamps-default 2022.06.04-1)"
SPLIT = "unlabelled"
ENGINE = "real"
SHARD_SECONDS = 600.0
_DESCRIPTION = re.compile(r"_desc_([a-z]{2})\.ogg$")  # <stamp>_desc_<language>.ogg; English: no tag


@dataclass(frozen=True)
class SpeechFile:
    path: Path
    language: str
    duration_s: float


def description_files(stamps_dir: Path = STAMPS_DIR) -> list[SpeechFile]:
    """Every non-English spoken description under stamps_dir, sorted by language then path."""
    import soundfile

    if not stamps_dir.is_dir():
        raise CorpusError(
            f"{stamps_dir}: not found; install Debian's {PACKAGE} "
            f"(apt-get install {PACKAGE}) or pass --stamps."
        )
    files = []
    for path in sorted(stamps_dir.rglob("*_desc_*.ogg")):
        match = _DESCRIPTION.search(path.name)
        if match:
            try:
                duration_s = soundfile.info(str(path)).duration
            except RuntimeError as error:  # soundfile's LibsndfileError
                raise CorpusError(f"{path}: unreadable audio ({error}).") from None
            files.append(SpeechFile(path, match.group(1), duration_s))
    if not files:
        raise CorpusError(f"{stamps_dir}: holds no spoken descriptions (*_desc_<language>.ogg).")
    return sorted(files, key=lambda f: (f.language, str(f.path)))


def plan_shards(
    files: list[SpeechFile], shard_seconds: float = SHARD_SECONDS
) -> list[tuple[str, list[SpeechFile]]]:
    """Files grouped into shards of one language and at most about shard_seconds each."""
    shards: list[tuple[str, list[SpeechFile]]] = []
    seconds = 0.0
    for file in files:
        if not shards or shards[-1][1][0].language != file.language or seconds >= shard_seconds:
            shards.append((f"shard-{len(shards):05d}-{ENGINE}-tuxpaint-{file.language}", []))
            seconds = 0.0
        shards[-1][1].append(file)
        seconds += file.duration_s
    return shards


def read_utterances(files: list[SpeechFile], stamps_dir: Path) -> Iterator[Utterance]:
    """Each file as 16 kHz mono audio without labels; unreadable files are a clear error."""
    import soundfile

    for file in files:
        try:
            samples, rate = soundfile.read(str(file.path), dtype="float32")
        except RuntimeError as error:
            raise CorpusError(f"{file.path}: unreadable audio ({error}).") from None
        audio = prepare_samples(samples, rate, str(file.path))
        n_frames = int(np.ceil(len(audio) / SAMPLE_RATE * LABEL_FPS))
        yield Utterance(
            utt_id=str(file.path.relative_to(stamps_dir).with_suffix("")),
            audio=audio,
            weights=np.zeros((n_frames, len(LOWER_FACE)), np.float32),  # no labels: see above
            phones=(),
            text="",
            engine=ENGINE,
            voice=f"tuxpaint-{file.language}",
            language=file.language,
        )


def build(out_dir: Path, stamps_dir: Path = STAMPS_DIR) -> int:
    """Write the missing shards of out_dir/unlabelled; returns how many were written."""
    split_dir = Path(out_dir) / SPLIT
    done = {p.stem for p in list_shards(split_dir)}
    todo = [(n, f) for n, f in plan_shards(description_files(stamps_dir)) if n not in done]
    for name, files in tqdm(todo, desc="unlabelled speech", unit="shard"):
        write_shard(split_dir / f"{name}.npz", list(read_utterances(files, stamps_dir)))
    return len(todo)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m core.lab.corpus.unlabelled_speech", description=__doc__
    )
    parser.add_argument("--out", type=Path, default=Path("data/corpus"))
    parser.add_argument("--stamps", type=Path, default=STAMPS_DIR)
    args = parser.parse_args(argv)
    try:
        made = build(args.out, args.stamps)
    except CorpusError as error:
        parser.exit(1, f"unlabelled speech failed: {error}\n")
    print(f"wrote {made} shards into {args.out / SPLIT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
