"""Process groups for `torchrun --nproc_per_node=N python -m core.lab.distill.train ...`.

torchrun sets RANK, LOCAL_RANK and WORLD_SIZE; without them (a plain `python -m`) everything
here is a no-op and training runs in one process exactly as before. Backend: gloo on the CPU,
nccl on CUDA (each rank on GPU LOCAL_RANK). Every rank trains on its own shard of the corpus
with its own batch stream; DistributedDataParallel averages the gradients; rank 0 alone writes
checkpoints, plots and progress.
"""

import os
from dataclasses import dataclass
from datetime import timedelta

from ...errors import CorpusError

# Rank 0 pseudo-labels a corpus while the others wait at a barrier: allow hours, not minutes.
GROUP_TIMEOUT = timedelta(hours=6)


@dataclass(frozen=True)
class ProcessGroup:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


SINGLE = ProcessGroup()


def group_from_env() -> ProcessGroup:
    """The rank and world size torchrun put in the environment (one process without it)."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return SINGLE
    return ProcessGroup(int(os.environ["RANK"]), world_size, int(os.environ.get("LOCAL_RANK", "0")))


def init_group(device: str) -> tuple[ProcessGroup, str]:
    """Join torchrun's process group (gloo on CPU, nccl on CUDA); return it and this rank's device.

    A no-op returning (SINGLE, device) outside torchrun.
    """
    group = group_from_env()
    if not group.distributed:
        return group, device
    import torch
    import torch.distributed as dist

    if device.startswith("cuda"):
        device = f"cuda:{group.local_rank}"
        torch.cuda.set_device(device)
        backend = "nccl"
    else:
        backend = "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend, timeout=GROUP_TIMEOUT)
    return group, device


def close_group(group: ProcessGroup) -> None:
    """Wait for every rank, then leave the process group (no-op in one process)."""
    if group.distributed:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def barrier(group: ProcessGroup) -> None:
    """Wait until every rank reaches this point (no-op in one process)."""
    if group.distributed:
        import torch.distributed as dist

        dist.barrier()


def shard(items: list, group: ProcessGroup) -> list:
    """This rank's share: every world_size-th item from position rank (disjoint, covering)."""
    if not group.distributed:
        return items
    if len(items) < group.world_size:
        raise CorpusError(
            f"{len(items)} clips cannot be shared among {group.world_size} ranks; "
            "use fewer processes or a larger corpus."
        )
    return items[group.rank :: group.world_size]


def batch_seed(seed: int, step: int, group: ProcessGroup) -> list[int]:
    """The batch RNG's seed: [seed, step] in one process, [seed, step, rank] across ranks."""
    return [seed, step, group.rank] if group.distributed else [seed, step]


def wrap(module, group: ProcessGroup, device: str):
    """The module wrapped in DistributedDataParallel across ranks, else itself."""
    if not group.distributed:
        return module
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [device] if device.startswith("cuda") else None
    return DistributedDataParallel(module, device_ids=device_ids)


def mean_over_ranks(values: dict[str, float], group: ProcessGroup) -> dict[str, float]:
    """Each value averaged over the ranks (the loss history rank 0 saves is the global one)."""
    if not group.distributed:
        return values
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(list(values.values()), dtype=torch.float64)
    if dist.get_backend() == "nccl":
        tensor = tensor.cuda()
    dist.all_reduce(tensor)
    tensor /= group.world_size
    return dict(zip(values, tensor.tolist(), strict=True))
