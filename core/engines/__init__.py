"""The students as ONNX graphs for game engines (in the pip package, not in the Blender zip)."""
