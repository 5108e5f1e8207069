"""One model catalogue: names resolve to files in one place, loaded models cached per version."""

import os
from pathlib import Path

import pytest

from core.errors import ModelFileError
from core.runtime.catalog import MODELS_DIR, SHIPPED, ModelCache, resolve_model, shipped_models


def test_shipped_names_resolve_to_their_files_and_the_family_is_shipped():
    assert set(SHIPPED) <= set(shipped_models())
    assert resolve_model("s_tiny") == (MODELS_DIR / "s_tiny.npz").resolve()


def test_an_unknown_name_lists_what_is_shipped():
    with pytest.raises(ModelFileError, match=r"No shipped model named 'nope' \(available: .*s0"):
        resolve_model("nope")


def test_a_path_is_taken_from_base_and_a_missing_one_is_named(tmp_path):
    (tmp_path / "mine.npz").write_bytes(b"x")
    assert resolve_model("mine.npz", base=tmp_path) == (tmp_path / "mine.npz").resolve()
    assert resolve_model(tmp_path / "mine.npz") == (tmp_path / "mine.npz").resolve()
    with pytest.raises(ModelFileError, match="gone.npz: no such model file"):
        resolve_model("gone.npz", base=tmp_path)


def test_the_cache_reads_a_file_once_per_version_and_keeps_only_the_newest(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"one")
    cache = ModelCache(lambda p: Path(p).read_bytes())
    assert cache.get("m.npz", base=tmp_path) == b"one"
    assert cache.get(str(path)) == b"one" and cache.loads == 1  # name and path: one file
    path.write_bytes(b"two")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later version
    assert cache.get(path) == b"two" and cache.loads == 2
    assert len(cache._models) == 1  # the replaced version is dropped
