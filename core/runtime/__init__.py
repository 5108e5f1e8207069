"""Numpy-only inference: model files, student and teacher forward passes, smoothing, streaming."""
