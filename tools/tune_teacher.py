"""Score teacher-head checkpoints on the dev set's CHOOSE half, over closure-seal thresholds.

    python tools/tune_teacher.py runs/full/teacher [more run folders] [--half choose]

Encodes every dev clip once (cached in build/eval_cache/dev_whisper_features.npz), runs each
head, applies the seal rule with each (SEAL_FROM, SEAL_FULL) pair, and prints PBM and false
closures exactly as `make eval` scores them (60 fps, smoothing on, demo-head lip gap < 1 mm).
Thresholds are chosen here, on the choose half only; the report half is for reporting.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import lip_seal  # noqa: E402
from core.distill.teacher_labels import load_head  # noqa: E402
from core.eval.devset import load_devset  # noqa: E402
from core.eval.devset_split import split_clips  # noqa: E402
from core.eval.scoring import closure_cells  # noqa: E402
from core.head import is_closed, lip_gap, load_demo_head  # noqa: E402
from core.lip_closure import ClosureTally, closure_tally  # noqa: E402
from core.runtime.smoothing import resample_frames  # noqa: E402
from core.runtime.whisper_teacher import encoder_features, load_encoder  # noqa: E402

CACHE = Path("build/eval_cache/dev_whisper_features.npz")
THRESHOLDS = ((0.35, 0.65), (0.25, 0.5), (0.45, 0.75), (0.55, 0.85), (2.0, 3.0))  # last: no seal


def dev_features(clips, layers) -> dict[str, np.ndarray]:
    """Encoder features of every dev clip, cached."""
    if CACHE.exists():
        with np.load(CACHE, allow_pickle=False) as data:
            if set(data.files) >= {c.clip_id for c in clips}:
                return {c.clip_id: data[c.clip_id] for c in clips}
    encoder = load_encoder()
    features = {c.clip_id: encoder_features(encoder, c.audio, layers) for c in clips}
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE, **features)
    return features


def score(head, clips, features, seal_from: float, seal_full: float,
          detector: bool = False, part: bool = False) -> dict[str, float]:  # fmt: skip
    """Closure metrics of one head and seal ramp over the clips (detector: the closure head's
    p > 0.5 alone, no pose)."""
    import torch

    demo = load_demo_head()
    tally = ClosureTally()
    for clip in clips:
        with torch.no_grad():
            weights, phones, closure = head(torch.from_numpy(features[clip.clip_id])[None])
        p = torch.sigmoid(closure[0]).numpy()
        silence = torch.softmax(phones[0], dim=-1)[:, 0].numpy() if part else None
        frames = lip_seal.seal_closures(weights[0].numpy(), p, head.config.channels, silence,
                                        ramp=(seal_from, seal_full))  # fmt: skip
        frames = frames[: -(-len(clip.audio) // 160)]
        weights_60 = resample_frames(frames, len(clip.audio), 60.0, smoothing=True)
        gap = lip_gap(weights_60, head.config.channels, demo)
        closed = is_closed(gap)
        if detector:
            p_60 = resample_frames(p[: len(frames), None], len(clip.audio), 60.0, smoothing=True)
            closed = p_60[:, 0] > 0.5
        tally.merge(closure_tally(closed, 60.0, clip.phones))
    return tally.summary()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--half", default="choose")
    args = parser.parse_args()
    clips = split_clips(load_devset())[args.half]
    heads = {run: load_head(run) for run in args.runs}
    layers = next(iter(heads.values())).config.feature_layers
    features = dev_features(clips, layers)
    print("| run | seal from-full | PBM inside | PBM ±40 ms | false cons. | false vowels |")
    print("|---|---|---|---|---|---|")
    for run, head in heads.items():
        rules = [(*t, False, part) for t in THRESHOLDS for part in (False, True)]
        for seal_from, seal_full, detector, part in rules + [(0, 1, True, False)]:
            s = score(head, clips, features, seal_from, seal_full, detector, part)
            rule = f"seal {seal_from}-{seal_full}" + (", lips parted in speech" if part else "")
            rule = "closure head p > 0.5 alone" if detector else rule
            print(f"| {run} | {rule} | {closure_cells(s)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
