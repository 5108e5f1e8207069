"""Build the speech corpus: `python -m core.lab.corpus.build --out data/corpus [--small] [--seed
N]`.

Runs the shard jobs of `plan` (deterministic, resumable: a shard whose `.npz` and `.json` both
exist is skipped), optionally in several processes, with a progress bar, then writes
`summary.md`. Labels are the procedural animator's curves at LABEL_FPS. `--split` and
`--engine` build a part only (e.g. `--engine kokoro`, the slow neural voices, as a background
job).
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from ...errors import CorpusError, LipSyncError
from ...phones.animator import animate
from ...phones.phone_set import Phone
from . import espeak, festival, flite, kokoro, mbrola
from .augment import augment, speed_perturb
from .dataset import LABEL_FPS, Utterance, write_shard
from .dialogue_text import dialogue_lines
from .foreign_text import foreign_sentences
from .plan import ShardJob, plan
from .summary import write_summary
from .synthesis import Synthesis, check_phones
from .text import generated_sentences, prose_sets

PROSE_SHARE = 0.3  # English sentences from books; the rest are generated
KOKORO_DIALOGUE_SHARE = 0.25  # Kokoro also reads conversational lines (of the non-prose rest)
KOKORO_SPEEDS = (0.8, 1.25)  # Kokoro's speed input, uniform per utterance
SPEED_SHARE = 0.15  # festival/flite utterances given a speed perturbation (rescaled labels)


def job_texts(job: ShardJob) -> list[str]:
    """The sentences of one shard, a pure function of the job."""
    rng = np.random.default_rng(job.seed)
    if job.language != "en":
        return foreign_sentences(job.language, job.utterances, job.seed)
    generated = generated_sentences(job.utterances, job.seed, max_words=job.max_words)
    prose = [s for ps in prose_sets() for s in ps.sentences if len(s.split()) <= job.max_words]
    texts = [
        prose[int(rng.integers(len(prose)))] if rng.random() < PROSE_SHARE else g for g in generated
    ]
    if job.engine == kokoro.ENGINE:  # a neural voice reads dialogue with its own melody
        lines = iter(dialogue_lines(job.utterances, job.seed + 7))
        texts = [
            next(lines) if t not in prose and rng.random() < KOKORO_DIALOGUE_SHARE else t
            for t in texts
        ]
    return texts


def synthesize_job(
    job: ShardJob, texts: list[str], rng: np.random.Generator
) -> list[Synthesis | CorpusError]:
    """Speak every text of the job with its voice, varying rate and pitch per utterance.

    A flite utterance whose alignment fails comes back as its CorpusError (recorded, not kept).
    """
    if job.engine == "espeak":
        return [
            espeak.synthesize(
                t,
                job.voice,
                job.language,
                rate_wpm=int(rng.integers(130, 231)),
                pitch=int(rng.integers(25, 76)),
                pitch_range=int(rng.integers(30, 81)),
            )
            for t in texts
        ]
    if job.engine == mbrola.ENGINE:
        return [
            mbrola.synthesize(
                t,
                job.voice,
                rate_wpm=int(rng.integers(130, 231)),
                pitch=int(rng.integers(25, 76)),
                pitch_range=int(rng.integers(30, 81)),
            )
            for t in texts
        ]
    if job.engine == kokoro.ENGINE:
        out: list[Synthesis | CorpusError] = []
        for text in texts:
            try:
                out.append(kokoro.synthesize(text, job.voice, float(rng.uniform(*KOKORO_SPEEDS))))
            except CorpusError as error:
                out.append(error)
        return out
    stretches = [float(rng.uniform(0.85, 1.25)) for _ in texts]
    if job.engine == "festival":
        return list(festival.synthesize_batch(texts, job.voice, stretches))
    if job.engine == "flite":
        out: list[Synthesis | CorpusError] = []
        for text, stretch in zip(texts, stretches, strict=False):
            try:
                out.append(flite.synthesize(text, job.voice, stretch))
            except CorpusError as error:
                out.append(error)
        return out
    raise CorpusError(f"Unknown engine '{job.engine}'.")


def _utterance(
    job: ShardJob, utt_id: str, text: str, audio: np.ndarray, phones: list[Phone], augmentation: str
) -> Utterance:
    duration_s = len(audio) / 16000
    weights = animate(phones, duration_s, fps=LABEL_FPS)
    return Utterance(
        utt_id,
        audio.astype(np.float32),
        weights,
        tuple(phones),
        text,
        job.engine,
        job.voice,
        job.language,
        augmentation,
    )


def run_job(job: ShardJob, split_dir: Path) -> dict:
    """Make one shard and its `.json` stats; returns the stats."""
    started = time.perf_counter()
    rng = np.random.default_rng(job.seed + 1)
    texts = job_texts(job)
    utterances: list[Utterance] = []
    failed: list[str] = []
    for k, (text, speech) in enumerate(zip(texts, synthesize_job(job, texts, rng), strict=False)):
        if isinstance(speech, CorpusError):
            failed.append(f"{text[:80]}: {speech}")
            continue
        audio, phones = speech.audio, speech.phones
        check_phones(phones, speech.duration_s, f"{job.name} utterance {k}")
        augmentation = ""
        if job.engine != "espeak" and job.split != "heldout" and rng.random() < SPEED_SHARE:
            factor = float(rng.uniform(0.88, 1.12))
            audio, scaled = speed_perturb(audio, phones, factor)
            phones, augmentation = list(scaled), f"speed({factor:.2f})"
            phones[-1] = Phone(phones[-1].start_s, len(audio) / 16000, phones[-1].label)
        utt_id = f"{job.name}-{k:04d}"
        utterances.append(_utterance(job, utt_id, text, audio, phones, augmentation))
        if rng.random() < job.augment_share:
            other = utterances[-2].audio if len(utterances) > 1 else None
            noisy, name = augment(audio, rng, other)
            utterances.append(
                _utterance(
                    job, utt_id + "-aug", text, noisy, phones, (augmentation + " " + name).strip()
                )
            )
    write_shard(split_dir / f"{job.name}.npz", utterances)
    stats = {
        "job": job.name,
        "split": job.split,
        "engine": job.engine,
        "voice": job.voice,
        "language": job.language,
        "build_s": time.perf_counter() - started,
        "failed": failed,
        "utterances": [
            {
                "augmented": bool(u.augmentation),
                "duration_s": len(u.audio) / 16000,
                "phones": [p.label for p in u.phones],
            }
            for u in utterances
        ],
    }
    (split_dir / f"{job.name}.json").write_text(json.dumps(stats), encoding="utf-8")
    return stats


def _run(args: tuple[ShardJob, Path]) -> dict:
    job, out = args
    return run_job(job, out / job.split)


def is_done(job: ShardJob, out: Path) -> bool:
    """True when the job's shard and stats are both on disk."""
    folder = out / job.split
    return (folder / f"{job.name}.npz").exists() and (folder / f"{job.name}.json").exists()


def first_per_voice(jobs: list[ShardJob], per_voice: int) -> list[ShardJob]:
    """The first `per_voice` jobs of each (split, engine, voice), in plan order."""
    taken: dict[tuple[str, str, str], int] = {}
    kept = []
    for job in jobs:
        key = (job.split, job.engine, job.voice)
        taken[key] = taken.get(key, 0) + 1
        if taken[key] <= per_voice:
            kept.append(job)
    return kept


def selected_jobs(
    jobs: list[ShardJob],
    splits: tuple[str, ...] = (),
    engines: tuple[str, ...] = (),
    per_voice: int = 0,
    max_shards: int = 0,
    voices: tuple[str, ...] = (),
) -> list[ShardJob]:
    """The plan's jobs of `splits`, `engines` and `voices` (all if empty), at most `per_voice`
    of each voice and `max_shards` in all (spread evenly over the plan's voices). Chosen from
    the plan, not from what is missing, so the same command builds the same shards however
    often it runs."""
    jobs = [job for job in jobs if not splits or job.split in splits]
    jobs = [job for job in jobs if not engines or job.engine in engines]
    jobs = [job for job in jobs if not voices or job.voice in voices]
    if per_voice:
        jobs = first_per_voice(jobs, per_voice)
    if max_shards and len(jobs) > max_shards:
        jobs = [jobs[i * len(jobs) // max_shards] for i in range(max_shards)]
    return jobs


def build(
    out: Path,
    small: bool = False,
    seed: int = 0,
    jobs: int = 1,
    with_mbrola: bool = False,
    splits: tuple[str, ...] = (),
    engines: tuple[str, ...] = (),
    per_voice: int = 0,
    max_shards: int = 0,
    voices: tuple[str, ...] = (),
) -> Path:
    """Run every missing shard of the plan (of `splits`, `engines` and `voices` only, at most
    `per_voice` shards of each voice and `max_shards` in all, if given) into `out`, then write
    `out/summary.md`."""
    import multiprocessing

    from tqdm import tqdm

    out = Path(out)
    planned = plan(small, seed, with_mbrola)
    unknown = set(voices) - {job.voice for job in planned}
    if unknown:
        raise CorpusError(f"no such voice in the plan: {', '.join(sorted(unknown))}")
    chosen = selected_jobs(planned, splits, engines, per_voice, max_shards, voices)
    todo = [job for job in chosen if not is_done(job, out)]
    started = time.perf_counter()
    audio_s = 0.0
    # Every shard runs in a fresh process: libespeak-ng carries state from one utterance to the
    # next (same text, different samples), so a shard is reproducible only from a clean start.
    context = multiprocessing.get_context("spawn")
    with (
        tqdm(total=len(todo), desc="corpus shards", unit="shard") as bar,
        context.Pool(max(1, jobs), maxtasksperchild=1) as pool,
    ):
        for stats in pool.imap_unordered(_run, [(j, out) for j in todo]):
            audio_s += sum(u["duration_s"] for u in stats["utterances"])
            bar.set_postfix(audio_h=f"{audio_s / 3600:.2f}")
            bar.update()
    run = {
        "wall_s": time.perf_counter() - started,
        "audio_s": audio_s,
        "shards": len(todo),
        "jobs": jobs,
        "small": small,
        "seed": seed,
    }
    return write_summary(out, plan(small, seed, with_mbrola), run)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m core.lab.corpus.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("data/corpus"))
    parser.add_argument("--small", action="store_true", help="a few minutes of audio, for tests")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--mbrola", action="store_true", help=f"also MBROLA voices (opt-in). {mbrola.LICENCE_NOTE}"
    )
    parser.add_argument(
        "--split",
        action="append",
        choices=("train", "heldout", "lang"),
        default=[],
        help="build only this part of the plan (repeatable); the summary covers what is on disk",
    )
    parser.add_argument(
        "--engine",
        action="append",
        default=[],
        choices=("espeak", "festival", "flite", kokoro.ENGINE, mbrola.ENGINE),
        help="build only this engine's shards (repeatable), e.g. kokoro as a background job",
    )
    parser.add_argument(
        "--per-voice",
        type=int,
        default=0,
        help="at most this many shards of each voice (0: all): a smaller corpus that still "
        "covers every voice",
    )
    parser.add_argument(
        "--max-shards",
        type=int,
        default=0,
        help="at most this many shards, spread evenly over the selection (0: all)",
    )
    parser.add_argument(
        "--voice",
        action="append",
        default=[],
        help="build only this voice's shards (repeatable; a plan name, e.g. af_bella or en-us+f3)",
    )
    args = parser.parse_args(argv)
    if args.mbrola:
        print(f"note: {mbrola.LICENCE_NOTE}")
    try:
        summary = build(
            args.out,
            args.small,
            args.seed,
            args.jobs,
            args.mbrola,
            tuple(args.split),
            tuple(args.engine),
            args.per_voice,
            args.max_shards,
            tuple(args.voice),
        )
    except LipSyncError as error:
        parser.exit(1, f"corpus build failed: {error}\n")
    print(f"wrote {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
