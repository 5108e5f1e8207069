"""Developer tools, run from the repository root with `python -m tools.<group>.<name>`."""
