"""The corpus summary: hours per engine/voice/language, phone counts, throughput (summary.md)."""

import json
from collections import Counter, defaultdict
from pathlib import Path

from ...phones.phone_set import BILABIALS, LABIODENTALS, ROUNDED, SILENCE
from .plan import HELDOUT, ShardJob


def load_stats(out: Path, jobs: list[ShardJob]) -> list[dict]:
    """The `.json` stats of every finished shard of the plan."""
    stats = []
    for job in jobs:
        path = Path(out) / job.split / f"{job.name}.json"
        if path.exists():
            stats.append(json.loads(path.read_text(encoding="utf-8")))
    return stats


def _hours(stats: list[dict], augmented: bool | None = None) -> float:
    return (
        sum(
            u["duration_s"]
            for s in stats
            for u in s["utterances"]
            if augmented is None or u["augmented"] == augmented
        )
        / 3600
    )


def _write_manifests(out: Path, stats: list[dict]) -> None:
    by_split: dict[str, list[dict]] = defaultdict(list)
    for s in stats:
        by_split[s["split"]].append(
            {
                "shard": s["job"] + ".npz",
                "engine": s["engine"],
                "voice": s["voice"],
                "language": s["language"],
                "utterances": len(s["utterances"]),
                "hours": _hours([s]),
            }
        )
    for split, shards in by_split.items():
        path = out / split / "manifest.json"
        path.write_text(json.dumps({"shards": shards}, indent=1), encoding="utf-8")


def write_summary(out: Path, jobs: list[ShardJob], run: dict) -> Path:
    """Write `out/summary.md` (and a manifest.json per split) from the shards' stats."""
    out = Path(out)
    stats = load_stats(out, jobs)
    _write_manifests(out, stats)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for s in stats:
        groups[(s["split"], s["engine"], s["voice"], s["language"])].append(s)
    lines = [
        "# Speech corpus summary",
        "",
        f"Plan: {'small' if run['small'] else 'full'}, seed {run['seed']}; "
        f"{len(stats)}/{len(jobs)} shards present.",
        "",
        "| split | engine | voice | language | utterances | clean h | augmented h | "
        "CPU s | audio h per CPU h |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (split, engine, voice, language), group in sorted(groups.items()):
        cpu_s = sum(s["build_s"] for s in group)
        hours = _hours(group)
        lines.append(
            f"| {split} | {engine} | {voice} | {language} | "
            f"{sum(len(s['utterances']) for s in group)} | {_hours(group, False):.3f} | "
            f"{_hours(group, True):.3f} | {cpu_s:.1f} | "
            f"{hours * 3600 / max(cpu_s, 1e-9):.0f} |"
        )
    english = [s for s in stats if s["language"] == "en"]
    voices = {(s["engine"], s["voice"]) for s in english}
    lines += ["", "## Totals", ""]
    for engine in sorted({s["engine"] for s in stats}):
        part = [s for s in english if s["engine"] == engine]
        lines.append(
            f"- English {engine}: {_hours(part, False):.3f} h clean, "
            f"{_hours(part, True):.3f} h augmented copies"
        )
    train_h = _hours([s for s in english if s["split"] == "train"], False)
    lines.append(
        f"- English, all engines: {_hours(english, False):.3f} h clean across "
        f"{len(voices)} voices; train split {train_h:.3f} h"
    )
    for language in sorted({s["language"] for s in stats} - {"en"}):
        part = [s for s in stats if s["language"] == language]
        lines.append(f"- {language}: {_hours(part, False):.3f} h clean")
    phones = Counter(
        p for s in stats for u in s["utterances"] if not u["augmented"] for p in u["phones"]
    )
    lines += [
        "",
        "## Phones (clean utterances)",
        "",
        f"- bilabial intervals (P B M): {sum(phones[p] for p in BILABIALS)} "
        f"(P {phones['P']}, B {phones['B']}, M {phones['M']})",
        f"- labiodental (F V): {sum(phones[p] for p in LABIODENTALS)}; rounded "
        f"({' '.join(sorted(ROUNDED))}): {sum(phones[p] for p in ROUNDED)}; "
        f"silences: {phones[SILENCE]}",
        "- all: " + ", ".join(f"{p} {n}" for p, n in phones.most_common()),
    ]
    failed = [f for s in stats for f in s.get("failed", [])]
    lines += ["", "## Held-out voices (never in train/)", ""]
    lines += [f"- {engine} {voice}" for engine, voice in sorted(HELDOUT)]
    lines += [
        "",
        "## Build",
        "",
        f"- this run: {run['shards']} shards, {run['audio_s'] / 3600:.3f} h of audio in "
        f"{run['wall_s']:.1f} s wall with {run['jobs']} process(es): "
        f"{run['audio_s'] / max(run['wall_s'], 1e-9):.0f} audio hours per wall hour",
        f"- all shards: {_hours(stats):.3f} h of audio in "
        f"{sum(s['build_s'] for s in stats):.1f} CPU s",
        f"- utterances dropped (alignment failed): {len(failed)}",
    ]
    lines += [f"  - {f}" for f in failed[:20]]
    path = out / "summary.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
