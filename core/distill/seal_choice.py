"""Calibrate each student's seal ramp to its teacher and keep it in the student's model file.

    python -m core.distill.seal_choice --pseudo runs/full/pseudo assets/models/s_tiny.npz ...

A student learns the teacher's closure probability with cross-entropy and hedges: on real
speech its probability at a p/b/m often peaks well under the teacher's seal ramp (0.35 -> 0.65),
so the teacher's rule seals too few of the student's closures (S-tiny, session 5: 12 % of the
frames the teacher seals on the real speech it trained on). Each phone-aware student gets the
ramp of RAMPS whose sealed frames best match the teacher's (F1 of frames with seal > 0.5) on
the unlabelled real speech the teacher pseudo-labelled (core.corpus.unlabelled_speech): no
dev-set audio is read. Ties go to the higher ramp. The ramp is a config field, so the runtime,
streaming and the add-on all seal the same frames.
"""

import argparse
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..corpus.dataset import list_shards, read_shard
from ..corpus.unlabelled_speech import ENGINE
from ..errors import CorpusError
from ..lip_seal import SEAL_RAMP, seal_from_probability
from ..runtime.configs import StudentConfig
from ..runtime.modelfile import ModelFile, read_model_file, write_model_file
from .teacher_labels import resample_to_label_fps

RAMPS = ((0.35, 0.65), (0.2, 0.4), (0.1, 0.3), (0.05, 0.2), (0.03, 0.15), (0.02, 0.1))
SHARD_STEP, UTTERANCE_STEP = 3, 4  # a fixed sample of the real speech: enough, and quick


@dataclass(frozen=True)
class RampScore:
    ramp: tuple[float, float]
    precision: float  # of the student's sealed frames, the share the teacher seals too
    recall: float  # of the teacher's sealed frames, the share the student seals

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def closure_probabilities(model_file: ModelFile, pseudo_dir: Path) -> tuple[np.ndarray, ...]:
    """The student's and the teacher's closure probabilities at 60 fps over a fixed sample of
    the pseudo-labelled real speech: (student (F,), teacher (F,))."""
    import torch

    from ..models.student import Student, pad_clip

    model = Student(model_file.config).eval()
    model.load_state_dict({name: torch.from_numpy(w) for name, w in model_file.weights.items()})
    shards = [p for p in list_shards(pseudo_dir) if f"-{ENGINE}-" in p.name][::SHARD_STEP]
    student, teacher = [], []
    for shard in shards:
        for utterance in list(read_shard(shard))[::UTTERANCE_STEP]:
            if utterance.teacher is None:
                raise CorpusError(f"{shard}: pseudo-labels without the teacher's closure outputs.")
            n_frames = math.ceil(len(utterance.audio) / 160)
            audio = torch.from_numpy(utterance.audio)[None]
            with torch.no_grad():
                _, logits, _ = model(pad_clip(audio, model_file.config, n_frames))
            p_100 = torch.sigmoid(logits[0, :n_frames, :1]).numpy()
            student.append(resample_to_label_fps(p_100, len(utterance.audio))[:, 0])
            teacher.append(utterance.teacher[:, 0])
    if not student:
        raise CorpusError(f"{pseudo_dir}: no pseudo-labelled real speech to calibrate on.")
    return np.concatenate(student), np.concatenate(teacher)


def score_ramps(student: np.ndarray, teacher: np.ndarray) -> list[RampScore]:
    """How well each ramp's sealed frames match the teacher's (its own ramp) on the same audio."""
    target = seal_from_probability(teacher, SEAL_RAMP) > 0.5
    scores = []
    for ramp in RAMPS:
        sealed = seal_from_probability(student, ramp) > 0.5
        both = float((sealed & target).sum())
        scores.append(RampScore(ramp, both / max(1, sealed.sum()), both / max(1, target.sum())))
    return scores


def apply_choice(path: Path, pseudo_dir: Path) -> tuple[RampScore, list[RampScore]]:
    """Rewrite a student model file with its calibrated ramp (weights and card unchanged)."""
    model_file = read_model_file(path)
    if not isinstance(model_file.config, StudentConfig) or not model_file.config.closure_head:
        raise ValueError(f"{path}: not a student with a closure head.")
    scores = score_ramps(*closure_probabilities(model_file, pseudo_dir))
    best = max(scores, key=lambda s: (round(s.f1, 6), -RAMPS.index(s.ramp)))
    config = replace(model_file.config, seal_ramp=best.ramp)
    write_model_file(path, model_file.name, config, model_file.weights, model_file.card,
                     model_file.dtype)  # fmt: skip
    return best, scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.distill.seal_choice", description=__doc__)
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--pseudo", type=Path, default=Path("runs/full/pseudo"))
    args = parser.parse_args(argv)
    for path in args.models:
        best, scores = apply_choice(path, args.pseudo)
        for s in scores:
            mark = "  <- chosen" if s is best else ""
            print(f"{path.name}: ramp {s.ramp[0]:g}-{s.ramp[1]:g}: precision {s.precision:.3f}, "
                  f"recall {s.recall:.3f}, F1 {s.f1:.3f}{mark}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
