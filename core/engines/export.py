"""Export a student model file to an ONNX clip graph or streaming graph, with its contract in the
model's metadata props (docs/engines.md).

    model = onnx_model("s_lowlat", streaming=True); save_onnx(model, Path("s_lowlat.onnx"))
"""

import math
from pathlib import Path

import onnx

from ..errors import ModelFileError
from ..runtime.catalog import resolve_model
from ..runtime.configs import FRAME_RATE, HOP, StudentConfig
from ..runtime.modelfile import ModelFile, read_model_file
from ..runtime.smoothing import DELTA_S
from .clip import clip_graph
from .streaming import streaming_graph

CONTRACT_VERSION = "1"  # inputs, outputs, state layout and metadata keys of these graphs
LICENCE = "GPL-3.0-or-later"  # the shipped students are part of Tiny Lip Sync
SIZE_TARGET_BYTES = 1_500_000  # the most a game team should have to carry for lip sync


def check_exportable(model_file: ModelFile) -> StudentConfig:
    """The student's config; ModelFileError for a teacher or a student without a closure head."""
    config = model_file.config
    if not isinstance(config, StudentConfig):
        raise ModelFileError(
            f"{model_file.name}: a teacher does not export to ONNX; export a student (s0, "
            "s_tiny, s_lowlat or a student .npz)."
        )
    if not config.closure_head:
        raise ModelFileError(
            f"{model_file.name} has no closure head; the ONNX contract gives the closure "
            "probability, so export a phone-aware student."
        )
    return config


def _metadata(model_file: ModelFile, form: str) -> dict[str, str]:
    config = model_file.config
    return {
        "model": model_file.name,
        "form": form,
        "version": CONTRACT_VERSION,
        "licence": LICENCE,
        "channels": ",".join(config.channels),
        "sample_rate": "16000",
        "fps": f"{FRAME_RATE:g}",
        "hop_samples": str(HOP),
        "past_ms": f"{config.past_ms:g}",
        "future_ms": f"{config.future_ms:g}",
        "latency_ms": f"{math.ceil(config.future_samples / HOP) * 1000 / FRAME_RATE:g}",
        "smoothing_delta_ms": f"{DELTA_S * 1000:.4f}",
    }


def onnx_model(
    name_or_path: str | Path, streaming: bool = False, stored_dft: bool = False
) -> onnx.ModelProto:
    """The clip graph (or the streaming graph) of a shipped student name or a student .npz;
    `stored_dft` keeps the clip graph's DFT rows as weights (1 MB more) instead of making them
    when the model loads (the streaming graph's two-stage DFT is small and always stored)."""
    model_file = read_model_file(resolve_model(name_or_path))
    config = check_exportable(model_file)
    if streaming:
        g, inputs, outputs, layout = streaming_graph(config, model_file.weights)
        metadata = _metadata(model_file, "streaming") | {
            "state_size": str(layout.state_size),
            "lag_frames": str(layout.lag_frames),
        }
    else:
        g, inputs, outputs = clip_graph(config, model_file.weights, stored_dft)
        metadata = _metadata(model_file, "clip")
    graph_name = f"tiny_lipsync_{model_file.name}_{metadata['form']}"
    return g.model(inputs, outputs, graph_name, metadata)


def save_onnx(model: onnx.ModelProto, path: Path) -> int:
    """Write the model atomically (a .partial file, then a rename); return its size in bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(model.SerializeToString())
    partial.replace(path)
    return path.stat().st_size


def metadata(model: onnx.ModelProto) -> dict[str, str]:
    """The metadata props of a model as a dict."""
    return {prop.key: prop.value for prop in model.metadata_props}
