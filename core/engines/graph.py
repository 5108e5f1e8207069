"""A small ONNX graph builder over `onnx.helper`: numbered node names, shared constants.

Every graph here uses opset OPSET of the default domain and IR version IR_VERSION, old enough for
the ONNX Runtime builds that game engines bundle and for Unity's Inference Engine importer
(docs/engines.md lists the operators and where their support is documented).
"""

from collections import Counter

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 15
IR_VERSION = 8  # the IR of opsets 15 and 16 (ONNX 1.10+): ONNX Runtime 1.10 and later load it


class Graph:
    """Nodes and initializers of one graph, added in build order; `model()` wraps them up."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self._counts: Counter = Counter()

    def _fresh(self, stem: str) -> str:
        self._counts[stem] += 1
        return f"{stem}_{self._counts[stem]}"

    def const(self, name: str, array: np.ndarray) -> str:
        """An initializer named `name` (added once; a second call with the name returns it)."""
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(np.asarray(array), name)
        return name

    def scalar(self, value: float) -> str:
        """A float32 scalar constant, shared by every node that uses the same value."""
        return self.const(f"f32_{np.float32(value)!r}", np.array(value, np.float32))

    def ints(self, *values: int) -> str:
        """An int64 vector constant (axes, shapes, slice bounds, pads), shared by value."""
        return self.const("i64_" + "_".join(map(str, values)), np.array(values, np.int64))

    def op(self, op_type: str, *inputs: str, stem: str | None = None, **attrs) -> str:
        """Add one node with one output; return the output's name."""
        out = self._fresh(stem or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out

    def slice(self, x: str, start: int, end: int, axis: int, stem: str | None = None) -> str:
        """x[start:end] along `axis` (Slice with constant bounds)."""
        return self.op("Slice", x, self.ints(start), self.ints(end), self.ints(axis), stem=stem)

    def rename(self, x: str, name: str) -> str:
        """Give a graph output its public name (an Identity node)."""
        self.nodes.append(helper.make_node("Identity", [x], [name], name=f"{name}_out"))
        return name

    def model(
        self,
        inputs: list[onnx.ValueInfoProto],
        outputs: list[onnx.ValueInfoProto],
        name: str,
        metadata: dict[str, str],
    ) -> onnx.ModelProto:
        """The checked model with these inputs, outputs and metadata props."""
        graph = helper.make_graph(
            self.nodes, name, inputs, outputs, initializer=list(self.initializers.values())
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            ir_version=IR_VERSION,
            producer_name="tiny-lipsync",
        )
        helper.set_model_props(model, metadata)
        onnx.checker.check_model(model, full_check=True)
        return model


def float_input(name: str, shape: list[int | str]) -> onnx.ValueInfoProto:
    """A float32 graph input or output of this shape (strings are symbolic dimensions)."""
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def operators(model: onnx.ModelProto) -> list[str]:
    """The distinct operator types of a model's graph, sorted."""
    return sorted({node.op_type for node in model.graph.node})
