"""Choose the teacher's speech margin on the choosing sets and keep it in its model file.

    python -m core.lab.distill.margin_choice [assets/models/teacher.npz] [--devset D] [--corpus C]

The teacher learnt poses that leave the rest pose at a word's first phone, so after a pause its
lips are still together during the first consonant: on the dev set's choose half most of its
false closures sat right after or before a silence (reports/training_log.md). A speaker's lips
part before the first sound. core.rig.seal.part_near_speech parts silent frames within a margin
of speech that has no closure; it reads frames ahead, which the offline teacher can and the
streamed students cannot (their windows would grow).

The rule, as seal_choice's: every margin of MARGINS on the choosing sets; of those that keep the
teacher at rest on the five quiet signals, the best merit (core.lab.eval.choosing_sets.merit);
ties go to the smaller margin. The report half is never read.
"""

import argparse
from dataclasses import replace
from pathlib import Path

from ...runtime.configs import WhisperTeacherConfig
from ...runtime.modelfile import read_model_file, write_model_file
from ..eval.choosing_sets import choosing_sets
from .export import MARGIN_NOTE_START, margin_note, with_card_line
from .seal_choice import Trial, choose, score_line, score_settings

MARGINS = (0, 3, 6, 10)  # 100 fps frames: off, 30, 60, 100 ms


def apply_choice(path: Path, sets: dict[str, list]) -> tuple[Trial, list[Trial]]:
    """Rewrite a teacher model file with its chosen margin and the card's line about it (in the
    file and in the .md beside it); weights unchanged."""
    model_file = read_model_file(path)
    if not isinstance(model_file.config, WhisperTeacherConfig):
        raise ValueError(f"{path}: not a teacher; the students stream and have no margin.")
    configs = {m: replace(model_file.config, speech_margin=m) for m in MARGINS}
    scores = score_settings(model_file, sets, configs)
    best = choose(scores)
    line = margin_note(best.setting) if best.setting else None
    card = with_card_line(model_file.card, MARGIN_NOTE_START, line)
    config = configs[best.setting]
    write_model_file(path, model_file.name, config, model_file.weights, card, model_file.dtype)
    beside = path.with_suffix(".md")
    if beside.exists():
        beside.write_text(with_card_line(beside.read_text(), MARGIN_NOTE_START, line))
    return best, scores


def main(argv: list[str] | None = None) -> int:
    from ..eval.devset import DEFAULT_DIR

    parser = argparse.ArgumentParser(
        prog="python -m core.lab.distill.margin_choice", description=__doc__
    )
    parser.add_argument("model", nargs="?", type=Path, default=Path("assets/models/teacher.npz"))
    parser.add_argument("--devset", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--corpus", type=Path, default=Path("data/corpus"))
    args = parser.parse_args(argv)
    best, scores = apply_choice(args.model, choosing_sets(args.devset, args.corpus))
    for s in scores:
        chosen = "  <- chosen" if s is best else ""
        print(score_line(args.model.name, s, f"margin {s.setting * 10} ms") + chosen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
