"""MBROLA stays opt-in: the plan adds its voices only when asked, after every other shard."""

import pytest

from core.errors import CorpusError
from core.lab.corpus import mbrola
from core.lab.corpus.plan import plan


@pytest.mark.parametrize("small", [True, False])
def test_mbrola_voices_join_the_plan_only_when_asked_and_last(small):
    default, with_mbrola = plan(small=small), plan(small=small, with_mbrola=True)
    assert all(job.engine != mbrola.ENGINE for job in default)
    assert with_mbrola[: len(default)] == default  # other shards keep index, name and seed
    extra = with_mbrola[len(default) :]
    voices = {job.voice for job in extra}
    assert extra and all(j.engine == mbrola.ENGINE and j.split == "train" for j in extra)
    assert voices == ({"mb-us1"} if small else set(mbrola.VOICES))
    assert all(job.name.startswith(f"shard-{job.index:05d}-espeak-mbrola-mb-") for job in extra)


def test_a_missing_mbrola_database_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setattr(mbrola, "DATABASE_DIR", tmp_path)
    with pytest.raises(CorpusError, match="install_engines.sh --mbrola"):
        mbrola.check_voice("mb-us1")
    (tmp_path / "us1").mkdir()
    (tmp_path / "us1" / "us1").write_bytes(b"")
    mbrola.check_voice("mb-us1")  # installed: no error


def test_asking_for_mbrola_prints_its_licence(capsys, tmp_path, monkeypatch):
    from core.lab.corpus import build

    monkeypatch.setattr(build, "build", lambda *args, **kwargs: tmp_path / "summary.md")
    assert build.main(["--out", str(tmp_path), "--mbrola"]) == 0
    assert "non-commercial" in capsys.readouterr().out
