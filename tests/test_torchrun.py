"""Training under `torchrun --nproc_per_node=2` on the CPU (gloo): interrupted, resumed by the
unchanged training command, loss goes down, and the checkpoint loads in single-process code."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.errors import CorpusError
from core.lab.distill.distributed import SINGLE, ProcessGroup, batch_seed, shard

ROOT = Path(__file__).resolve().parents[1]
TORCHRUN = Path(sys.executable).with_name("torchrun")
MODEL = "s_tiny_direct"  # a student on the corpus labels: needs no teacher or S0 first
INTERRUPT_AT = 30  # the smoke recipe saves every 30 of its 60 steps

# Launched by torchrun: the real train() and process group, stopped early as a crash would.
INTERRUPTED_RUN = f"""
import sys
from dataclasses import replace
from pathlib import Path
from core.lab.distill.distributed import close_group, init_group
from core.lab.distill.recipes import RECIPES, settings_for
from core.lab.distill.train import train
group, device = init_group("cpu")
settings = settings_for("{MODEL}", smoke=True)
train(RECIPES["{MODEL}"], settings, Path(sys.argv[1]) / "train", Path(sys.argv[2]), device,
      stop_at={INTERRUPT_AT}, group=group)
close_group(group)
"""


def test_shards_are_disjoint_and_cover_and_batches_differ_by_rank():
    items = list(range(11))
    parts = [shard(items, ProcessGroup(rank, 3, rank)) for rank in range(3)]
    assert sorted(sum(parts, [])) == items and all(parts)
    assert shard(items, SINGLE) is items
    with pytest.raises(CorpusError, match="cannot be shared"):
        shard([1], ProcessGroup(0, 2, 0))
    assert batch_seed(7, 5, SINGLE) == [7, 5]  # the single-process stream is unchanged
    draws = {
        tuple(np.random.default_rng(batch_seed(7, 5, ProcessGroup(r, 2, r))).integers(1000, size=4))
        for r in range(2)
    }
    assert len(draws) == 2


def _torchrun(args: list[str], timeout_s: float = 240) -> str:
    """Run torchrun on 2 CPU ranks in its own process group (killed whole on a time-out)."""
    env = os.environ | {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [str(TORCHRUN), "--standalone", "--nproc_per_node=2", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, stdout[-2000:] + stderr[-4000:]
    return stdout


@pytest.mark.slow
def test_torchrun_training_resumes_loss_goes_down_and_checkpoint_loads_single_process(
    synthetic_corpus, tmp_path
):
    import torch

    from core.lab.distill.checkpoint import load_checkpoint
    from core.lab.distill.export import export_checkpoint
    from core.lab.distill.train import CHECKPOINT
    from core.lab.models.student import Student
    from core.runtime.configs import config_from_dict

    out = tmp_path / MODEL  # the corpus: conftest's synthetic one (data/ is not in the repo)
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED_RUN)
    _torchrun([str(script), str(synthetic_corpus), str(out)])
    interrupted = load_checkpoint(out / CHECKPOINT)
    assert interrupted["step"] == INTERRUPT_AT == len(interrupted["history"])

    command = [
        "-m",
        "core.lab.distill.train",
        "--model",
        MODEL,
        "--corpus",
        str(synthetic_corpus),
        "--out",
        str(out),
        "--smoke",
    ]
    stdout = _torchrun(command)  # the unchanged command resumes at step 30
    assert "(2 ranks)" in stdout and stdout.count(f"{MODEL}: loss") == 1  # rank 0 alone prints
    assert sorted(p.name for p in out.iterdir()) == [CHECKPOINT, "loss_curve.png"]
    state = load_checkpoint(out / CHECKPOINT)
    history = [h["total"] for h in state["history"]]
    assert state["step"] == len(history) == 60
    assert state["history"][:INTERRUPT_AT] == interrupted["history"]
    assert np.mean(history[-5:]) < 0.5 * np.mean(history[:5])

    # single-process code: the plain model class and the numpy runtime load the DDP checkpoint
    assert not any(key.startswith("module.") for key in state["model"])
    student = Student(config_from_dict(state["config"]))
    student.load_state_dict(state["model"])  # strict
    export_checkpoint(out / CHECKPOINT, tmp_path / "student.npz")
    from core.api import load_model

    audio = np.random.default_rng(0).standard_normal(8000).astype(np.float32) * 0.1
    frames = load_model(tmp_path / "student.npz").frames(audio)
    with torch.no_grad():
        expected = student.eval().predict_clip(torch.from_numpy(audio)[None])[0].numpy()
    assert frames.shape == expected.shape and np.abs(frames - expected).max() < 1e-4
