"""Training loops for the students, resumable and seeded (the teacher: train_teacher).

    python -m core.lab.distill.train --model s0 --corpus data/corpus --out runs/s0 --smoke
    python -m core.lab.distill.train --model s_tiny --corpus data/corpus --out runs/s_tiny --smoke

Students on pseudo-labels read them from --pseudo (default: runs/pseudo beside --out), made
by the Whisper teacher in --teacher (default runs/teacher) from the feature cache in --features
(default runs/features) where missing (core.lab.distill.teacher_labels); hybrid KD reads
the frozen S0 from --s0 (default runs/s0). A checkpoint is saved every `save_every` steps and at
the end; rerunning the same command resumes from it.

Under `torchrun --nproc_per_node=N -m core.lab.distill.train ...` (same flags) the ranks train one
model with DistributedDataParallel, each on its own shard of the corpus (core/lab/distill/
distributed.py); rank 0 alone pseudo-labels, shows progress and writes the checkpoint, which is
the single-process format (the unwrapped model's state), so either way resumes the other's.
"""

import argparse
import ast
from dataclasses import asdict, fields, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ...errors import CorpusError
from ...runtime.configs import StudentConfig, config_from_dict, config_to_dict
from .checkpoint import load_checkpoint, plot_losses, save_checkpoint, trained_state
from .data import (
    ClipSampler,
    augment_rows,
    load_clips,
    shift_pitches,
    student_batch,
    vary_levels,
)
from .distributed import (
    SINGLE,
    ProcessGroup,
    barrier,
    batch_seed,
    close_group,
    init_group,
    mean_over_ranks,
    shard,
    wrap,
)
from .recipes import RECIPES, Recipe, TrainSettings, settings_for

CHECKPOINT = "checkpoint.pt"


def _frozen_s0(s0_source: Path, device: str):
    from ..models.student import Student

    state = trained_state(s0_source)
    if state is None:
        raise CorpusError(f"{s0_source}: no S0 checkpoint; train s0 before hybrid distillation.")
    s0 = Student(config_from_dict(state["config"]))
    s0.load_state_dict(state["model"])
    return s0.to(device).eval().requires_grad_(False)


def _same_body(start: object, config: StudentConfig) -> bool:
    """Whether a trained model has config's layers, whatever it is called (a shipped file
    carries its slot's name), whatever outputs its last layer has and however it seals or parts
    the lips at run time."""
    if not isinstance(start, StudentConfig):
        return False
    heads = {
        "name": config.name,
        "closure_head": config.closure_head,
        "phones": config.phones,
        "seal_ramp": config.seal_ramp,
        "part_ramp": config.part_ramp,
    }
    return replace(start, **heads) == config


def _load_start(model, state: dict) -> None:
    """Start weights from a trained state: every tensor, and of the output layer the rows it
    already had (a student trained before the phone-aware heads gives its weights' rows)."""
    import torch

    own = model.state_dict()
    with torch.no_grad():
        for name, value in state.items():
            value = torch.as_tensor(value)
            rows = min(len(value), len(own[name]))
            own[name][:rows] = value[:rows]


def train(
    recipe: Recipe,
    settings: TrainSettings,
    data_dir: Path,
    out_dir: Path,
    device: str = "cpu",
    s0_dir: Path | None = None,
    stop_at: int = 0,
    group: ProcessGroup = SINGLE,
    init: Path | None = None,
) -> list[dict[str, float]]:
    """Train (or resume) one model on the corpus folder data_dir; return the loss history.

    stop_at > 0 stops after that step with a checkpoint, as an interruption would. Across
    torchrun ranks (group), each rank trains on its shard and rank 0 writes the checkpoint.
    init (a run folder or model file of the same model) gives the starting weights of a run
    that has no checkpoint yet: the run fine-tunes it for its own schedule of steps.
    """
    import torch

    from ..models.student import Student
    from .losses import (
        FeatureLoss,
        LipGapLoss,
        MouthWidthLoss,
        output_loss,
        phone_aware_loss,
        rest_loss,
        rounded_columns,
    )

    torch.manual_seed(settings.seed)
    config = recipe.config
    model = Student(config).to(device)
    params = list(model.parameters())
    s0, feature_loss = None, None
    if recipe.feature_loss:
        s0 = _frozen_s0(Path(s0_dir), device)
        layers = settings.feature_layers
        feature_loss = FeatureLoss(
            [config.layers[i].channels for i in layers],
            [s0.config.layers[i].channels for i in layers],
        ).to(device)
        params += list(feature_loss.parameters())
    gap_loss = None
    if settings.gap_weight:
        gap_loss = LipGapLoss(config.channels, pressed_only=settings.gap_pressed_only).to(device)
    width_loss = MouthWidthLoss(config.channels).to(device) if settings.width_weight else None
    rounded = rounded_columns(config.phones).to(device) if config.phones else None
    optimizer = torch.optim.AdamW(params, lr=settings.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, settings.lr, settings.steps + 1, pct_start=0.1
    )
    history: list[dict[str, float]] = []
    recipe_text = recipe.note  # for the model card; a fine-tune adds what it started from
    path = Path(out_dir) / CHECKPOINT
    state = load_checkpoint(path)
    if state is not None:
        if state["config"] != config_to_dict(config):
            raise CorpusError(f"{path}: holds a different model; use another --out folder.")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        if feature_loss is not None:
            feature_loss.load_state_dict(state["feature_loss"])
        history = state["history"]
        recipe_text = state.get("recipe", recipe_text)
    elif init is not None:
        start = trained_state(init)
        if start is None or not _same_body(config_from_dict(start["config"]), config):
            raise CorpusError(f"{init}: not a trained {config.name}; it cannot start this run.")
        _load_start(model, start["model"])
        recipe_text = f"{start['recipe']}; then fine-tuned from {Path(init).name}: {recipe.note}"
    clips = shard(load_clips(data_dir, settings.max_clips), group)
    sampler = ClipSampler(clips, settings.engine_shares)
    net = wrap(model, group, device)  # DDP across ranks; `model` keeps the checkpoint's keys
    feature_net = None if feature_loss is None else wrap(feature_loss, group, device)

    def save(step: int) -> None:
        if not group.is_main:
            return
        save_checkpoint(
            path,
            {
                "config": config_to_dict(config),
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(),
                "feature_loss": None if feature_loss is None else feature_loss.state_dict(),
                "history": history,
                "step": step,
                "recipe": recipe_text,
                "settings": asdict(settings),
            },
        )
        plot_losses(history, path.with_name("loss_curve.png"), f"{config.name}: {recipe.note}")

    model.train()
    last = min(settings.steps, stop_at) if stop_at else settings.steps
    for step in tqdm(
        range(len(history), last),
        desc=f"training {config.name}",
        initial=len(history),
        total=settings.steps,
        disable=not group.is_main,
    ):
        # resumable: the batch depends on the step (and the rank)
        rng = np.random.default_rng(batch_seed(settings.seed, step, group))
        audio, target, aux, quiet = student_batch(
            sampler,
            config,
            settings.crop_frames,
            settings.batch,
            rng,
            settings.quiet_share,
            settings.quiet_dbfs,
            settings.speed_share,
            settings.speed_range,
        )
        audio = augment_rows(audio, settings.augment_share, rng)
        if settings.level_db and quiet is not None:  # speech rows; quiet rows keep their level
            audio = vary_levels(audio, ~quiet, settings.level_db, rng)
        if settings.pitch_share:
            audio = shift_pitches(
                audio, ~quiet, settings.pitch_share, settings.pitch_semitones, rng
            )
        audio, target = torch.from_numpy(audio).to(device), torch.from_numpy(target).to(device)
        pred, logits, feats = net(audio)
        reconstruction, velocity = output_loss(pred, target, settings.velocity_weight)
        terms = {"reconstruction": reconstruction, "velocity": velocity}
        if config.n_outputs > len(config.channels):
            aux = torch.from_numpy(aux).to(device)
            terms |= phone_aware_loss(logits, aux, config.closure_head, settings, rounded)
        if settings.rest_weight and quiet is not None:  # every step logs it, 0 if no quiet row
            at_rest = pred[torch.from_numpy(quiet).to(pred.device)]
            terms["rest"] = settings.rest_weight * rest_loss(at_rest)
        if gap_loss is not None:
            terms["lip_gap"] = settings.gap_weight * gap_loss(pred, target)
        if width_loss is not None:
            terms["mouth_width"] = settings.width_weight * width_loss(pred, target)
        if feature_loss is not None:
            s0_feats = s0.features(audio)
            terms["feature"] = settings.feature_weight * feature_net(
                [feats[i] for i in settings.feature_layers],
                [s0_feats[i] for i in settings.feature_layers],
            )
        loss = sum(terms.values())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        losses = {"total": loss.item()} | {k: v.item() for k, v in terms.items()}
        history.append(mean_over_ranks(losses, group))
        if (step + 1) % settings.save_every == 0 and step + 1 < last:
            save(step + 1)
    save(last)
    return history


def override_settings(settings: TrainSettings, assignments: list[str]) -> TrainSettings:
    """settings with NAME=VALUE assignments (Python literals) applied; unknown names fail."""
    changes = {}
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if name not in {f.name for f in fields(settings)}:
            raise SystemExit(f"--set {assignment}: TrainSettings has no setting {name!r}.")
        try:
            changes[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise SystemExit(f"--set {assignment}: {value!r} is not a Python literal.") from None
    return replace(settings, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description="Train a Tiny Lip Sync model.")
    parser.add_argument("--model", required=True, choices=sorted(RECIPES))
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--smoke", action="store_true", help="a few steps, seconds on a CPU")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1, ...")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=0, help="override the step count")
    parser.add_argument("--teacher", type=Path, default=None)
    parser.add_argument("--pseudo", type=Path, default=None)
    parser.add_argument("--s0", type=Path, default=None, help="S0 run folder or model file")
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from this run folder or model file (fine-tuning)",
    )
    parser.add_argument(
        "--finetune",
        action="store_true",
        help="the fine-tune recipe (recipes.FINETUNE_STUDENT, FINETUNE_S0) instead of the "
        "from-scratch one; needs --init",
    )
    parser.add_argument("--features", type=Path, default=None, help="Whisper feature cache")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a training setting (recipes.TrainSettings), e.g. closure_weight=0.5",
    )
    args = parser.parse_args()
    group, device = init_group(args.device)
    recipe = RECIPES[args.model]
    if args.finetune and args.init is None:
        raise SystemExit("--finetune trains a model on from a file: give it with --init.")
    settings = replace(settings_for(args.model, args.smoke, args.finetune), seed=args.seed)
    if args.steps:
        settings = replace(settings, steps=args.steps)
    settings = override_settings(settings, args.set)
    changes = (["fine-tune recipe"] if args.finetune else []) + args.set
    if changes:  # the model card says how this run differs from its recipe
        recipe = replace(recipe, note=f"{recipe.note} ({', '.join(changes)})")
    runs = args.out.parent
    data_dir = args.corpus / "train"
    if recipe.targets == "pseudo":
        from .teacher_labels import label_corpus

        data_dir = args.pseudo or runs / "pseudo"
        if group.is_main:  # the other ranks wait, then read the same shards
            label_corpus(
                args.teacher or runs / "teacher",
                args.features or runs / "features",
                args.corpus,
                data_dir,
            )
        barrier(group)
    history = train(
        recipe,
        settings,
        data_dir,
        args.out,
        device,
        args.s0 or runs / "s0",
        group=group,
        init=args.init,
    )
    if group.is_main:
        print(
            f"{args.model}: loss {history[0]['total']:.4f} -> {history[-1]['total']:.4f}; "
            f"checkpoint and loss_curve.png in {args.out}"
            + (f" ({group.world_size} ranks)" if group.distributed else "")
        )
    close_group(group)


if __name__ == "__main__":
    main()
