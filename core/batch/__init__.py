"""Batch lip sync on a Dask cluster; imported only by `python -m core.cli batch`."""
