"""Train the Whisper teacher's head on cached encoder features, resumable and seeded.

    python -m core.lab.distill.train_teacher --features runs/features --out runs/teacher [--steps N]

Objectives per 100 fps frame: the procedural ARKit weights (MSE + velocity), the demo head's lip
gap (pressed p/b/m closures weighted up), the aligned phone class (cross-entropy) and an explicit
pressed-lip closure (binary; positives are P/B/M frames, pauses and the stop closures that look
like a bilabial one on a spectrogram, T/D/K/G/N/NG, are weighted-up negatives).
"""

import argparse
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ...errors import CorpusError
from ...runtime.configs import FRAMES_PER_TOKEN, WhisperTeacherConfig, config_to_dict
from .checkpoint import load_checkpoint, plot_losses, save_checkpoint
from .features import BILABIAL_IDS, CachedUtterance, read_cache

CHECKPOINT = "checkpoint.pt"
HARD_NEGATIVES = ("SIL", "T", "D", "K", "G", "N", "NG")


@dataclass(frozen=True)
class TeacherSettings:
    steps: int = 4000
    batch: int = 16
    crop_tokens: int = 128  # 2.56 s per crop (the features saw the whole utterance)
    lr: float = 2e-3
    seed: int = 0
    save_every: int = 100
    velocity_weight: float = 1.0
    gap_weight: float = 0.3
    phone_weight: float = 0.05
    closure_weight: float = 0.2
    hard_negative_weight: float = 3.0
    engines: tuple[str, ...] = ()  # train on these engines only (ablations); () = all


SMOKE = TeacherSettings(steps=20, batch=4, crop_tokens=32, save_every=10)


def teacher_batch(
    utterances: list[CachedUtterance], settings: TeacherSettings, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Crops: features (B, L, F), weights (B, 2L, K), phone ids (B, 2L) (-1 = padding)."""
    length = settings.crop_tokens
    first = utterances[0]
    feats = np.zeros((settings.batch, length, first.features.shape[1]), np.float32)
    weights = np.zeros(
        (settings.batch, FRAMES_PER_TOKEN * length, first.weights.shape[1]), np.float32
    )
    ids = np.full((settings.batch, FRAMES_PER_TOKEN * length), -1, np.int64)
    for b in range(settings.batch):
        u = utterances[int(rng.integers(len(utterances)))]
        start = int(rng.integers(max(1, len(u.features) - length + 1)))
        piece = u.features[start : start + length]
        n = len(piece)
        feats[b, :n] = piece
        s, e = FRAMES_PER_TOKEN * start, FRAMES_PER_TOKEN * (start + n)
        weights[b, : e - s] = u.weights[s:e]
        ids[b, : e - s] = u.phone_ids[s:e]
    return feats, weights, ids


def masked_output_loss(pred, target, valid):
    """MSE of weights (B, T, K) and of their frame differences over the valid (B, T) frames."""
    mask = valid[..., None].float()
    reconstruction = ((pred - target) ** 2 * mask).sum() / (mask.sum() * pred.shape[-1])
    both = mask[:, 1:] * mask[:, :-1]
    step_error = (pred.diff(dim=1) - target.diff(dim=1)) ** 2
    velocity = (step_error * both).sum() / (both.sum() * pred.shape[-1]).clamp(min=1.0)
    return reconstruction, velocity


def train_teacher(
    features_dir: Path,
    out_dir: Path,
    settings: TeacherSettings,
    config: WhisperTeacherConfig | None = None,
    device: str = "cpu",
) -> list[dict[str, float]]:
    """Train (or resume) the head on features_dir/train; returns the loss history."""
    import torch

    from ..models.teacher_head import TeacherHead
    from .losses import LipGapLoss

    torch.manual_seed(settings.seed)
    config = config or WhisperTeacherConfig()
    utterances = list(read_cache(Path(features_dir) / "train", settings.engines))
    if not utterances:
        raise CorpusError(
            f"{features_dir}/train: no cached features; run core.lab.distill.features."
        )
    model = TeacherHead(config).to(device)
    gap_loss = LipGapLoss(config.channels).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, settings.lr, settings.steps + 1, pct_start=0.1
    )
    negative = torch.ones(len(config.phones), device=device)
    negative[[config.phones.index(p) for p in HARD_NEGATIVES]] = settings.hard_negative_weight
    bilabial = torch.zeros(len(config.phones), dtype=torch.bool, device=device)
    bilabial[list(BILABIAL_IDS)] = True
    path = Path(out_dir) / CHECKPOINT
    history: list[dict[str, float]] = []
    state = load_checkpoint(path)
    if state is not None:
        if state["config"] != config_to_dict(config) or state["settings"] != asdict(settings):
            raise CorpusError(f"{path}: holds another model or recipe; use another --out folder.")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        history = state["history"]
    wall_s = state["wall_s"] if state else 0.0
    started = time.perf_counter()

    def save(step: int) -> None:
        save_checkpoint(
            path,
            {
                "config": config_to_dict(config),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(),
                "history": history,
                "step": step,
                "settings": asdict(settings),
                "utterances": len(utterances),
                "wall_s": wall_s + time.perf_counter() - started,
                "recipe": "frozen Whisper tiny.en encoder + conv head on procedural labels, "
                "phones and closures",
            },
        )
        plot_losses(history, path.with_name("loss_curve.png"), f"{config.name}: Whisper head")

    model.train()
    for step in tqdm(
        range(len(history), settings.steps),
        desc="training teacher head",
        initial=len(history),
        total=settings.steps,
    ):
        rng = np.random.default_rng([settings.seed, step])
        feats, weights, ids = (
            torch.from_numpy(a).to(device) for a in teacher_batch(utterances, settings, rng)
        )
        pred, phone_logits, closure_logit = model(feats)
        valid = ids >= 0
        reconstruction, velocity = masked_output_loss(pred, weights, valid)
        safe_ids = ids.clamp(min=0)
        is_closed = bilabial[safe_ids].float()
        closure_w = torch.where(is_closed > 0, 1.0, negative[safe_ids]) * valid
        closure = (
            torch.nn.functional.binary_cross_entropy_with_logits(
                closure_logit, is_closed, reduction="none"
            )
            * closure_w
        ).sum() / closure_w.sum()
        terms = {
            "reconstruction": reconstruction,
            "velocity": settings.velocity_weight * velocity,
            "lip_gap": settings.gap_weight * gap_loss(pred, weights),
            "phone": settings.phone_weight
            * torch.nn.functional.cross_entropy(phone_logits.transpose(1, 2), ids, ignore_index=-1),
            "closure": settings.closure_weight * closure,
        }
        loss = sum(terms.values())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        history.append({"total": loss.item()} | {k: v.item() for k, v in terms.items()})
        if (step + 1) % settings.save_every == 0 and step + 1 < settings.steps:
            save(step + 1)
    save(settings.steps)
    return history


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.train_teacher", description=__doc__
    )
    parser.add_argument("--features", type=Path, default=Path("runs/features"))
    parser.add_argument("--out", type=Path, default=Path("runs/teacher"))
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--engine", action="append", default=[], help="train on these only")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else TeacherSettings()
    settings = replace(settings, engines=tuple(args.engine))
    if args.steps:
        settings = replace(settings, steps=args.steps)
    history = train_teacher(args.features, args.out, settings, device=args.device)
    print(
        f"teacher head: loss {history[0]['total']:.4f} -> {history[-1]['total']:.4f} "
        f"({args.out / CHECKPOINT})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
