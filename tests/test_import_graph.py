"""core's imports run down the layers with no circle (tools/import_graph.py), and the checker
itself sees a circle and an upward import when there is one."""

from tools import import_graph


def test_core_has_no_circle_no_upward_import_and_ships_what_it_imports(capsys):
    code = import_graph.main([])
    assert code == 0, capsys.readouterr().out


def test_the_checker_finds_circles_and_upward_imports():
    edges = {
        "core.rig.seal": {"core.rig.mapping"},
        "core.rig.mapping": {"core.rig.seal"},
        "core.audio.prepare": {"core.api"},
        "core.api": set(),
    }
    found = import_graph.problems(edges, {})
    assert "circle: core.rig.mapping <-> core.rig.seal" in found
    assert "import up the layers: core.audio.prepare -> core.api" in found
    assert import_graph.problems({"core.api": {"core.audio.prepare"}}, {}) == []
