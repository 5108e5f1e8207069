"""The dev set's sources: reserved packages stop the build, .deb members are read in place,
pinned files are checked, and later speaker groups fall into halves by the fixed rule."""

import hashlib
import io
import lzma
import tarfile

import pytest

from core.errors import CorpusError
from core.lab.eval.devset import source_packages
from core.lab.eval.devset_registry import Package, check_not_reserved, deb_members, fetch
from core.lab.eval.devset_split import (
    CHOOSE,
    FIRST_BATCH,
    LATER_GROUPS,
    REPORT,
    SPEAKER_HALF,
    rule_half,
)


def _tool(tmp_path, reserved_name: str):
    digest = hashlib.sha256(("salt:" + reserved_name).encode()).hexdigest()
    tool = tmp_path / "reserved_sources.py"
    tool.write_text(
        "import hashlib\n"
        f"RESERVED = {{'{digest}'}}\n"
        "def reserved(name):\n"
        "    key = ('salt:' + name.strip().lower()).encode()\n"
        "    return hashlib.sha256(key).hexdigest() in RESERVED\n"
    )
    return tool


def test_reserved_source_stops_the_build(tmp_path):
    tool = _tool(tmp_path, "secret-voices")
    check_not_reserved(["praatio", "codec2-examples"], tool)
    with pytest.raises(CorpusError, match="Secret-Voices: reserved"):
        check_not_reserved(["praatio", "Secret-Voices"], tool)


def test_missing_shared_folder_is_said_clearly(tmp_path):
    with pytest.raises(CorpusError, match="shared/ folder"):
        check_not_reserved(["praatio"], tmp_path / "absent" / "reserved_sources.py")


def test_every_source_package_is_named():
    names = source_packages()
    assert {"pocketsphinx", "ktuberling-data", "codec2-examples", "pyannote.audio"} <= set(names)
    assert {"tuxpaint-stamps-default", "klettres-data", "openarena-081-misc"} <= set(names)


def _deb(members: dict[str, bytes]) -> bytes:
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo("./" + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    payload = lzma.compress(tar_bytes.getvalue())
    out = b"!<arch>\n"
    for name, data in ((b"debian-binary", b"2.0\n"), (b"data.tar.xz", payload)):
        out += name.ljust(16) + b"0".ljust(12) + b"0".ljust(6) * 2 + b"100644".ljust(8)
        out += str(len(data)).encode().ljust(10) + b"`\n" + data + (b"\n" if len(data) % 2 else b"")
    return out


def test_deb_members_and_pinned_hash(tmp_path):
    data = _deb({"usr/share/a.raw": b"\x01\x02", "usr/share/b.txt": b"hi"})
    path = tmp_path / "x_1_all.deb"
    path.write_bytes(data)
    assert deb_members(path, {"usr/share/a.raw"}) == {"usr/share/a.raw": b"\x01\x02"}
    with pytest.raises(CorpusError, match="missing"):
        deb_members(path, {"usr/share/none"})
    good = Package("x", "1", path.name, hashlib.sha256(data).hexdigest(), "debian")
    assert fetch(good, tmp_path) == path  # cached: nothing downloaded
    with pytest.raises(CorpusError, match="sha256"):
        fetch(Package("x", "1", path.name, "0" * 64, "debian"), tmp_path)


def test_later_groups_follow_the_rule():
    assert len(FIRST_BATCH) == 11
    assert rule_half(0, 1) == REPORT
    assert [rule_half(i, 6) for i in range(6)] == [REPORT, REPORT, CHOOSE] * 2
    for groups in LATER_GROUPS.values():
        for position, group in enumerate(sorted(groups)):
            assert SPEAKER_HALF[group] == rule_half(position, len(groups))
            assert group not in FIRST_BATCH
