"""Export a training checkpoint (torch) to a numpy model file (.npz).

python -m core.lab.distill.export runs/s_tiny/checkpoint.pt assets/models/s_tiny.npz [--float16]
"""

import argparse
from pathlib import Path

import numpy as np

from ...runtime.configs import StudentConfig, WhisperTeacherConfig, config_from_dict
from ...runtime.modelfile import read_model_file, write_model_file
from ...runtime.whisper_encoder import WHISPER_ENCODER_PATH
from ...runtime.whisper_encoder import expected_shapes as encoder_shapes

WHISPER_TEACHER_NOTE = (
    "Teacher: OpenAI Whisper tiny.en's pretrained encoder (frozen, MIT licence; pretrained on "
    "680,000 h of real speech, the role HuBERT plays for the paper's teacher) and a trained "
    "{head:,}-parameter conv head that outputs ARKit weights, phone classes and a lip-closure "
    "probability per 10 ms frame; frames where the closure is likely are sealed (core/rig/seal.py)."
)


PART_NOTE_START = "Lips parted in speech:"
SEAL_NOTE_START = "Phone-aware:"


def part_note(part_ramp: tuple[float, float]) -> str:
    """The model card's line for a part ramp (core.rig.seal.finish_pose)."""
    return (
        f"{PART_NOTE_START} where the phone head hears speech (from P(speech) = "
        f"{part_ramp[0]:g}, full at {part_ramp[1]:g}) and the closure head no closure, the jaw "
        "opens enough to part the lips (ramp chosen on the dev set's choose half, "
        "`make part-choice`)."
    )


MARGIN_NOTE_START = "Lips parted near speech:"


def margin_note(margin: int) -> str:
    """The model card's line for a speech margin (core.rig.seal.part_near_speech)."""
    return (
        f"{MARGIN_NOTE_START} silent frames within {margin * 10} ms of speech without a closure "
        "part the lips, as a speaker's do before a word's first sound (chosen on the choosing "
        "sets, `make margin-choice`)."
    )


def with_card_line(card: str, start: str, line: str | None) -> str:
    """A model card with its line beginning `start` replaced by `line` where it stands (else
    added before the "Training:" line), or removed if line is None."""
    lines = card.split("\n")
    at = next((i for i, old in enumerate(lines) if old.startswith(start)), None)
    if at is not None:
        del lines[at]
    else:
        at = next((i for i, old in enumerate(lines) if old.startswith("Training: ")), len(lines))
    if line is not None:
        lines.insert(at, line)
    return "\n".join(lines)


def seal_note(config: StudentConfig) -> str:
    """The model card's line for a phone-aware student's seal ramp (core.rig.seal)."""
    return (
        f"{SEAL_NOTE_START} a lip-closure probability per frame seals the pose where a closure "
        f"is likely (core/rig/seal.py; seal from p = {config.seal_ramp[0]:g}, full at "
        f"{config.seal_ramp[1]:g}, chosen on the choosing sets by "
        "core/lab/distill/seal_choice.py); "
        f"{len(config.phones)} phone classes were a training objective."
    )


def with_seal_note(card: str, config: StudentConfig) -> str:
    """A model card with its seal-ramp line, where it has one, rewritten for `config`."""
    if not any(line.startswith(SEAL_NOTE_START) for line in card.split("\n")):
        return card
    return with_card_line(card, SEAL_NOTE_START, seal_note(config))


def model_card(name: str, config, parameters: int, train_note: str) -> str:
    """Human-readable model card text stored in the file."""
    lines = [
        f"Tiny Lip Sync model '{name}' ({parameters:,} parameters).",
        f"Outputs {len(config.channels)} ARKit lower-face blendshape weights at 100 fps.",
    ]
    if isinstance(config, StudentConfig):
        lines.append(
            f"Student: {len(config.layers)} conv layers + fully-connected head on "
            f"{config.input_kind} input; window {config.past_ms:g} ms past / "
            f"{config.future_ms:g} ms future (latency {config.future_ms:g} ms + 10 ms frame "
            "grid, + 16.7 ms with ensemble smoothing)."
        )
        if config.closure_head:
            lines.append(seal_note(config))
    else:
        encoder = sum(int(np.prod(s)) for s in encoder_shapes().values())
        lines.append(WHISPER_TEACHER_NOTE.format(head=parameters - encoder))
    if getattr(config, "part_ramp", None) is not None:
        lines.append(part_note(config.part_ramp))
    if getattr(config, "speech_margin", 0):
        lines.append(margin_note(config.speech_margin))
    lines.append(f"Training: {train_note}")
    lines.append(
        "Training speech: synthetic voices with exact phone timings, and for the students "
        "unlabelled real speech that the teacher labelled; the English real speech of the dev "
        "set is used only to evaluate."
    )
    return "\n".join(lines)


def export_checkpoint(
    checkpoint: Path, out: Path, dtype: str = "float32", name: str | None = None
) -> None:
    """Convert a checkpoint written by core.lab.distill.train into a validated model file."""
    import torch  # training side only

    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    config = config_from_dict(state["config"])
    weights = {k: v.float().numpy() for k, v in state["model"].items()}
    if isinstance(config, WhisperTeacherConfig):  # one file: the frozen encoder + the head
        weights = {f"head.{k}": v for k, v in weights.items()} | encoder_weights()
    parameters = sum(int(w.size) for w in weights.values())
    name = name or config.name
    note = f"{state.get('recipe', '')} ({state['step']} steps)."
    write_model_file(out, name, config, weights, model_card(name, config, parameters, note), dtype)
    read_model_file(out)  # refuse to leave a file the runtime would reject


def encoder_weights(path: Path = WHISPER_ENCODER_PATH) -> dict[str, np.ndarray]:
    """The Whisper encoder's arrays under the teacher file's `encoder.` names."""
    with np.load(path, allow_pickle=False) as archive:
        return {f"encoder.{n}": archive[n].astype(np.float32) for n in encoder_shapes()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--float16", action="store_true", help="store weights as float16")
    parser.add_argument("--name", default=None)
    args = parser.parse_args()
    export_checkpoint(
        args.checkpoint, args.out, "float16" if args.float16 else "float32", args.name
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
