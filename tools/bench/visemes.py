"""How well the viseme track follows the phones, and the pose scale it compares against.

    .venv/bin/python -m tools.bench.visemes

For the sample speech (assets/sample_speech.wav, phones from pocketsphinx forced alignment in
tools/demo/sample_phones.txt) and each student and the teacher, at 30 fps: the share of frames
inside a phone whose viseme (minimum hold 2) is that phone's shape in the Rhubarb and Oculus
sets, for several scales of the phone poses (core.mouthshapes.classify.POSE_SCALE), and how many
p/b/m the continuous take seals show the closed shape. Writes reports/visemes.md.
"""

from pathlib import Path

import numpy as np

from core import api
from core.corrections.closure_list import sealed_frames
from core.mouthshapes import classify
from core.mouthshapes.shape_sets import OCULUS, RHUBARB
from core.mouthshapes.track import viseme_track
from core.phones.phone_set import BILABIALS, Phone

REPO = Path(__file__).resolve().parents[2]
SPEECH = REPO / "assets" / "sample_speech.wav"
PHONES = REPO / "tools" / "demo" / "sample_phones.txt"
REPORT = REPO / "reports" / "visemes.md"
FPS = 30
MIN_HOLD = 2
SCALES = (0.5, 0.6, 0.7, 0.8, 1.0)
MODELS = ("s_tiny", "s_lowlat", "teacher")


def read_phones() -> list[Phone]:
    rows = [line.split() for line in PHONES.read_text().splitlines() if line.strip()]
    return [Phone(float(a), float(b), label) for a, b, label in rows]


def truth(phones: list[Phone], vset, frame_count: int) -> np.ndarray:
    """The shape index of the phone at each frame (-1 outside phones the set maps)."""
    shapes = np.full(frame_count, -1)
    for phone in phones:
        shape = vset.shape_of(phone.label)
        if shape is not None:
            first, stop = int(np.ceil(phone.start_s * FPS)), int(np.ceil(phone.end_s * FPS))
            shapes[first:stop] = vset.index(shape)
    return shapes


def closed_on_sealed(track, sealed, vset, phones) -> tuple[int, int]:
    """(p/b/m the take seals, of them showing the closed shape inside)."""
    count = shown = 0
    for phone in phones:
        if phone.label not in BILABIALS:
            continue
        frames = slice(int(np.ceil(phone.start_s * FPS)), int(np.ceil(phone.end_s * FPS)))
        if sealed[frames].any():
            count += 1
            shown += int((track[frames] == vset.index(vset.closed)).any())
    return count, shown


def main() -> None:
    phones = read_phones()
    takes = {m: api.predict_file(api.load_model(m), SPEECH, FPS) for m in MODELS}
    chosen = classify.POSE_SCALE
    rows, seals = [], []
    for scale in SCALES:
        classify.POSE_SCALE = scale
        cells = []
        for name, take in takes.items():
            for vset in (RHUBARB, OCULUS):
                track = viseme_track(take.weights, take.channel_names, FPS, vset, MIN_HOLD)
                want = truth(phones, vset, len(track))
                inside = want >= 0
                cells.append(100.0 * float(np.mean(track[inside] == want[inside])))
                if scale == chosen:
                    sealed = sealed_frames(take.weights, take.channel_names)
                    seals.append((name, vset.name, *closed_on_sealed(track, sealed, vset, phones)))
        rows.append((scale, cells))
    classify.POSE_SCALE = chosen
    header = " | ".join(f"{m} {s}" for m in MODELS for s in ("Rhubarb", "Oculus"))
    lines = [
        "# Visemes: the track against the phones",
        "",
        "`python -m tools.bench.visemes`: the sample speech (6 s, pocketsphinx phones in "
        f"`tools/demo/sample_phones.txt`) at {FPS} fps, minimum hold {MIN_HOLD}, no text. "
        "Share of frames inside a phone whose viseme is that phone's shape, by the scale of the "
        "phone poses the frames are compared with (`core.mouthshapes.classify.POSE_SCALE`, "
        f"{chosen} in use: the best mean). Phones that look alike (T, D, N; K, G) cannot be told "
        "apart from the face, so Oculus's finer set scores lower; with dialogue text the aligned "
        "phones give the shapes instead.",
        "",
        f"| pose scale | {header} | mean |",
        "|---:|" + "---:|" * (len(MODELS) * 2 + 1),
    ]
    for scale, cells in rows:
        values = " | ".join(f"{c:.1f}" for c in cells)
        lines.append(f"| {scale} | {values} | {np.mean(cells):.1f} |")
    lines += [
        "",
        "The closed shape on the sealed p/b/m (the issue's target: all of them):",
        "",
        "| model | set | p/b/m the take seals | showing the closed shape |",
        "|---|---|---:|---:|",
    ]
    lines += [f"| {m} | {s} | {n} | {k} |" for m, s, n, k in seals]
    REPORT.write_text("\n".join(lines) + "\n")
    print(REPORT.read_text())


if __name__ == "__main__":
    main()
