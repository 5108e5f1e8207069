"""Closure rate of a built corpus: `python -m core.lab.studies.closure_rate data/corpus`.

For every utterance the demo head's lip gap is measured on the stored 60 fps label curves
(`core.demohead.head.lip_gap`, closed at or below `core.demohead.head.CLOSED_GAP_M`) and scored
against the
utterance's phone intervals with `core.phones.closures.count_closures`: the share of P/B/M
intervals in which the lips close (target 100 %), and the share of T/D/K/G/N/S intervals whose
middle half wrongly shows closed lips (target 0; the strict any-frame count is given too).
Results are grouped per split, engine, voice and language; clean and augmented utterances are
counted apart (augmented copies keep the clean labels, time-stretched by speed perturbation).

Shards are streamed one at a time and only their label arrays are read (never the audio), so
the whole ~5 GB corpus needs a few hundred MB of memory at most. Writes a Markdown report.
"""

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...demohead.head import is_closed, lip_gap
from ...errors import CorpusError
from ...phones.closures import ClosureCounts, count_closures
from ...phones.phone_set import BILABIALS, Phone, base_label
from ...rig.arkit import LOWER_FACE
from ..corpus.dataset import LABEL_FPS, list_shards, open_shard

SPLITS = ("train", "heldout", "lang")
_EXAMPLES_KEPT = 20  # failures listed in the report for inspection (at least this many)


@dataclass(frozen=True)
class LabelledUtterance:
    """The label side of one stored utterance: curves and phones, no audio."""

    utt_id: str
    split: str
    engine: str
    voice: str
    language: str
    augmented: bool
    weights: np.ndarray  # (T, K) float32 at LABEL_FPS over core.rig.arkit.LOWER_FACE
    phones: tuple[Phone, ...]


def corpus_shards(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(split, shard path) of every shard under the corpus's split folders, in a stable order."""
    corpus_dir = Path(corpus_dir)
    shards = [(split, path) for split in SPLITS for path in list_shards(corpus_dir / split)]
    if not shards:
        raise CorpusError(f"{corpus_dir}: no corpus shards in {'/, '.join(SPLITS)}/.")
    return shards


def read_shard_labels(path: Path, split: str) -> Iterator[LabelledUtterance]:
    """Yield the utterances of one shard with their curves and phones (the audio is not read)."""
    with open_shard(path) as data:
        try:
            weights = data["weights"].astype(np.float32)  # (sum T, K)
            frame_offsets, phone_offsets = data["frame_offsets"], data["phone_offsets"]
            starts, ends = data["phone_start_s"], data["phone_end_s"]
            labels = data["phone_label"]
            meta = {k: data[k] for k in ("utt_id", "engine", "voice", "language", "augmentation")}
        except KeyError as error:
            raise CorpusError(f"{path}: corpus shard lacks the array {error}.") from None
    if weights.shape[1:] != (len(LOWER_FACE),):
        raise CorpusError(f"{path}: curves of shape {weights.shape}, expected (T, 29).")
    for i in range(len(frame_offsets) - 1):
        p0, p1 = phone_offsets[i], phone_offsets[i + 1]
        phones = tuple(
            Phone(float(s), float(e), str(lab))
            for s, e, lab in zip(starts[p0:p1], ends[p0:p1], labels[p0:p1], strict=True)
        )
        yield LabelledUtterance(
            utt_id=str(meta["utt_id"][i]),
            split=split,
            engine=str(meta["engine"][i]),
            voice=str(meta["voice"][i]),
            language=str(meta["language"][i]),
            augmented=bool(str(meta["augmentation"][i])),
            weights=weights[frame_offsets[i] : frame_offsets[i + 1]],
            phones=phones,
        )


def missed_bilabials(phones: tuple[Phone, ...], closed: np.ndarray) -> list[Phone]:
    """The P/B/M phones of an utterance whose interval shows no closed frame (closed: (T,))."""
    return [
        p
        for p in phones
        if base_label(p.label) in BILABIALS
        and count_closures([p], closed, LABEL_FPS).bilabials_closed == 0
    ]


def wrong_closures(phones: tuple[Phone, ...], closed: np.ndarray) -> list[Phone]:
    """The T/D/K/G/N/S phones whose middle half shows closed lips (closed: (T,) bool)."""
    return [p for p in phones if count_closures([p], closed, LABEL_FPS).open_closed_middle]


Group = tuple[str, str, str, str]  # split, engine, voice, language


@dataclass
class CorpusClosure:
    """Closure counts per (split, engine, voice, language) and clean/augmented."""

    counts: dict[tuple[Group, bool], ClosureCounts] = field(
        default_factory=lambda: defaultdict(ClosureCounts)
    )
    utterances: dict[tuple[Group, bool], int] = field(default_factory=lambda: defaultdict(int))
    hours: dict[tuple[Group, bool], float] = field(default_factory=lambda: defaultdict(float))
    misses: list[tuple[str, Phone]] = field(default_factory=list)  # first few (utt_id, phone)
    wrong: list[tuple[str, Phone]] = field(default_factory=list)  # first few wrong closures
    shards: int = 0

    def add(self, utterance: LabelledUtterance) -> None:
        """Score one utterance and add it to its group."""
        closed = is_closed(lip_gap(utterance.weights, LOWER_FACE))  # (T,) bool
        key = (
            (utterance.split, utterance.engine, utterance.voice, utterance.language),
            utterance.augmented,
        )
        counts = count_closures(utterance.phones, closed, LABEL_FPS)
        self.counts[key] = self.counts[key] + counts
        self.utterances[key] += 1
        self.hours[key] += len(utterance.weights) / LABEL_FPS / 3600.0
        if counts.bilabials_closed < counts.bilabials and len(self.misses) < _EXAMPLES_KEPT:
            self.misses += [
                (utterance.utt_id, p) for p in missed_bilabials(utterance.phones, closed)
            ]
        if counts.open_closed_middle and len(self.wrong) < _EXAMPLES_KEPT:
            self.wrong += [(utterance.utt_id, p) for p in wrong_closures(utterance.phones, closed)]

    def total(self, english: bool | None = None, augmented: bool | None = None) -> ClosureCounts:
        """Summed counts, optionally only English (or only other languages), clean or augmented."""
        total = ClosureCounts()
        for (group, is_augmented), counts in self.counts.items():
            if english is not None and (group[3] == "en") != english:
                continue
            if augmented is not None and is_augmented != augmented:
                continue
            total = total + counts
        return total


def measure(corpus_dir: Path, progress: bool = True) -> CorpusClosure:
    """Stream every shard of a corpus folder and count closures."""
    shards = corpus_shards(corpus_dir)
    result = CorpusClosure()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(shards), desc="closure rate", unit="shard", file=sys.stderr)
    for split, path in shards:
        for utterance in read_shard_labels(path, split):
            result.add(utterance)
        result.shards += 1
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return result


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.2f} % ({part})" if whole else "–"


def _row(name: str, counts: ClosureCounts, utterances: int, hours: float) -> str:
    return (
        f"| {name} | {utterances} | {hours:.3f} | {counts.bilabials} | "
        f"{_pct(counts.bilabials_closed, counts.bilabials)} | {counts.open_phones} | "
        f"{_pct(counts.open_closed_middle, counts.open_phones)} | "
        f"{_pct(counts.open_closed_any, counts.open_phones)} |"
    )


_HEADER = (
    "| {what} | utterances | hours | P/B/M | P/B/M closed | T/D/K/G/N/S | "
    "wrongly closed (middle half) | wrongly closed (any frame) |\n"
    "|---|---|---|---|---|---|---|---|"
)


def report_markdown(result: CorpusClosure, corpus_dir: Path, elapsed_s: float) -> str:
    """The Markdown report: totals, then one row per split/engine/voice/language."""
    lines = [
        "# Lip closure on the corpus labels",
        "",
        f"Corpus `{corpus_dir}`: {result.shards} shards, every utterance (clean and augmented), "
        f"measured in {elapsed_s:.0f} s by `python -m core.lab.studies.closure_rate {corpus_dir}`.",
        "",
        "The demo head's midline lip gap (`core.demohead.head.lip_gap`) "
        "on the stored 60 fps curves; "
        "closed at or below 1 mm (`core.demohead.head.CLOSED_GAP_M`). "
        "A P/B/M interval counts as closed "
        "when at least one of its frames is closed; a T/D/K/G/N/S interval counts as wrongly "
        "closed when a frame of its middle half is closed (its first and last quarter belong "
        "to the transitions from and to the neighbours; the strict any-frame share is given too). "
        "Definitions: `core/phones/closures.py`.",
        "",
        "## Totals",
        "",
        _HEADER.format(what="part"),
    ]
    parts = (
        ("English, clean", True, False),
        ("English, augmented copies", True, True),
        ("English, all", True, None),
        ("other languages, all", False, None),
        ("everything", None, None),
    )
    for name, english, augmented in parts:
        keys = [
            k
            for k in result.counts
            if (english is None or (k[0][3] == "en") == english)
            and (augmented is None or k[1] == augmented)
        ]
        if keys:
            lines.append(
                _row(
                    name,
                    result.total(english, augmented),
                    sum(result.utterances[k] for k in keys),
                    sum(result.hours[k] for k in keys),
                )
            )
    by_engine: dict[str, list] = defaultdict(list)
    for key in result.counts:
        by_engine[f"{key[0][1]} ({key[0][3]})" if key[0][3] != "en" else key[0][1]].append(key)
    lines += ["", "## Per engine", "", _HEADER.format(what="engine")]
    for engine, keys in sorted(by_engine.items()):
        counts = ClosureCounts()
        for key in keys:
            counts = counts + result.counts[key]
        lines.append(
            _row(
                engine,
                counts,
                sum(result.utterances[k] for k in keys),
                sum(result.hours[k] for k in keys),
            )
        )
    groups: dict[Group, list] = defaultdict(list)
    for key in result.counts:
        groups[key[0]].append(key)
    lines += [
        "",
        "## Per voice (clean and augmented together)",
        "",
        _HEADER.format(what="split / engine / voice / language"),
    ]
    for group, keys in sorted(groups.items()):
        counts = ClosureCounts()
        for key in keys:
            counts = counts + result.counts[key]
        lines.append(
            _row(
                " / ".join(group),
                counts,
                sum(result.utterances[k] for k in keys),
                sum(result.hours[k] for k in keys),
            )
        )
    lines += _examples(
        "P/B/M intervals that did not close", result.misses, "None: every P/B/M interval closes."
    )
    lines += _examples("T/D/K/G/N/S intervals closed in their middle half", result.wrong, "None.")
    return "\n".join(lines) + "\n"


def _examples(title: str, examples: list[tuple[str, Phone]], none: str) -> list[str]:
    lines = ["", f"## {title} (the first ones found)", ""]
    if not examples:
        return [*lines, none]
    lines += ["| utterance | phone | start s | end s | length ms |", "|---|---|---|---|---|"]
    for utt_id, phone in examples:
        lines.append(
            f"| {utt_id} | {phone.label} | {phone.start_s:.3f} | {phone.end_s:.3f} "
            f"| {1000 * (phone.end_s - phone.start_s):.0f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line: measure a corpus folder and write (and print) the report."""
    parser = argparse.ArgumentParser(
        prog="python -m core.lab.studies.closure_rate", description=__doc__
    )
    parser.add_argument("corpus", type=Path, help="corpus folder (with train/, heldout/, lang/)")
    parser.add_argument("--out", type=Path, help="Markdown report to write (default: print only)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = measure(args.corpus, progress=not args.no_progress)
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    text = report_markdown(result, args.corpus, time.perf_counter() - started)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
