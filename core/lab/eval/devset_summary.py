"""The dev set's summary: minutes, speakers, P/B/M counts, licences, and an alignment check."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...phones.phone_set import BILABIALS, SILENCE, Phone
from ..corpus.onsets import matched_onsets
from .devset_clip import DevClip


def bilabial_counts(phones: Sequence[Phone]) -> dict[str, int]:
    """Number of P, B and M phones."""
    return {label: sum(p.label == label for p in phones) for label in ("P", "B", "M")}


def onset_differences_ms(phones: Sequence[Phone], reference: Sequence[Phone]) -> np.ndarray:
    """Onset differences (ms) of phones matched by label sequence (silences left out), (2, n):
    row 0 all matched phones, row 1 a mask of bilabials."""
    pairs = matched_onsets(list(reference), list(phones))
    diffs = [(ours - theirs) * 1000.0 for _, theirs, ours in pairs]
    bilabial = [label in BILABIALS for label, _, _ in pairs]
    return np.array([diffs, bilabial], dtype=np.float64).reshape(2, -1)


def _alignment_check(clips: Sequence[DevClip]) -> list[str]:
    lines = [
        "| clip | reference | matched phones | onset MAE | ≤20 ms | ≤40 ms | P/B/M onset MAE |",
        "|---|---|---|---|---|---|---|",
    ]
    for clip in clips:
        if not clip.reference_phones:
            continue
        diffs = onset_differences_ms(clip.phones, clip.reference_phones)
        d, bil = np.abs(diffs[0]), diffs[1] > 0
        kind = "HTS labels" if clip.clip_id.startswith("arctic") else "upstream pocketsphinx"
        pbm = f"{d[bil].mean():.1f} ms ({bil.sum()})" if bil.any() else "–"
        total = sum(p.label != SILENCE for p in clip.reference_phones)
        lines.append(
            f"| {clip.clip_id} | {kind} | {d.size}/{total} | {d.mean():.1f} ms | "
            f"{(d <= 20).mean():.0%} | {(d <= 40).mean():.0%} | {pbm} |"
        )
    return lines


def write_summary(path: Path, clips: Sequence[DevClip]) -> None:
    """Write the dev set's Markdown summary."""
    total_s = sum(c.duration_s for c in clips)
    counts = bilabial_counts([p for c in clips for p in c.phones])
    speakers: dict[str, list] = {}
    for clip in clips:
        row = speakers.setdefault(
            clip.speaker,
            [clip.sex, 0, 0.0, {"P": 0, "B": 0, "M": 0}, clip.licence, clip.source.split(": ")[0]],
        )
        row[0] = "+".join(sorted(set(row[0].split("+")) | {clip.sex}))  # "F+M": both speak
        row[1] += 1
        row[2] += clip.duration_s
        for label, n in bilabial_counts(clip.phones).items():
            row[3][label] += n
    n_f = sum(1 for row in speakers.values() if "F" in row[0])
    n_m = sum(1 for row in speakers.values() if "M" in row[0])
    lines = [
        "# Real-speech dev set (evaluation only, never training)",
        "",
        f"- **{len(clips)} clips, {total_s / 60:.2f} minutes ({total_s:.1f} s)**, 16 kHz mono.",
        f"- **{len(speakers)} speaker groups** ({n_f} with female, {n_m} with male voices); the "
        "pocketsphinx test recordings do not name their speakers, so each recording group "
        "counts once (some may share a speaker).",
        f"- **P/B/M phones: {counts['P']} / {counts['B']} / {counts['M']}** "
        f"({sum(counts.values())} in all), from pocketsphinx 5.1.1 forced alignment (silver "
        "labels).",
        "",
        "| speaker group | sex | clips | seconds | P/B/M | licence | package |",
        "|---|---|---|---|---|---|---|",
    ]
    for speaker, (sex, n, seconds, pbm, licence, package) in speakers.items():
        lines.append(
            f"| {speaker} | {sex} | {n} | {seconds:.1f} | {pbm['P']}/{pbm['B']}/{pbm['M']} | "
            f"{licence} | {package} |"
        )
    lines += [
        "",
        "## Alignment check",
        "",
        "Our alignment against the independent timings that ship with two sources (phones "
        "matched by label sequence; silences left out).",
        "",
        *_alignment_check(clips),
        "",
        "Sources, licences and the fetch commands: docs/devset.md.",
    ]
    path.write_text("\n".join(lines) + "\n")
