"""Benchmarks: size, speed and memory of the models, the CLI, batch, add-on."""
