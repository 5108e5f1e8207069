"""The whole-scene rules (core.wholescene): strips cast to objects by name, overlaps, the
settings key, the one report."""

from core.wholescene.casting import BY_NAME, BY_PANEL, StripSpan, cast, overlaps, owner_from_name
from core.wholescene.report import FAILED, KEYED, SKIPPED, Outcome, keyed_detail, scene_report
from core.wholescene.settings_key import settings_key

OBJECTS = ["Alice", "Alice B", "Bob", "Cube"]


def test_a_strip_belongs_to_the_object_its_name_begins_with_before_a_colon():
    assert owner_from_name("Alice: line 12", OBJECTS) == "Alice"
    assert owner_from_name("Alice B: hi", OBJECTS) == "Alice B"  # the longest name wins
    assert owner_from_name("Bob:no space", OBJECTS) == "Bob"
    assert owner_from_name("Alice line 12", OBJECTS) is None  # no colon
    assert owner_from_name("alice: line", OBJECTS) is None  # names are exact
    assert owner_from_name("Carol: hello", OBJECTS) is None
    assert owner_from_name(": hello", ["", "Bob"]) is None


def test_a_target_picked_in_the_panel_wins_over_the_name():
    assert cast("Alice: line 1", "Bob", OBJECTS) == ("Bob", BY_PANEL)
    assert cast("Alice: line 1", "", OBJECTS) == ("Alice", BY_NAME)
    assert cast("Music", "", OBJECTS) == ("", "")


def test_overlapping_strips_of_one_object_are_found_and_others_are_not():
    spans = [
        StripSpan("Alice: 1", "Alice", 1, 100),
        StripSpan("Alice: 2", "Alice", 100, 150),  # touches, does not overlap
        StripSpan("Alice: 3", "Alice", 140, 200),  # overlaps 2
        StripSpan("Bob: 1", "Bob", 1, 300),  # overlaps Alice's frames: another object
        StripSpan("Music", "", 1, 400),
    ]
    assert overlaps(spans) == {"Alice: 2": ["Alice: 3"], "Alice: 3": ["Alice: 2"]}


def test_the_settings_key_changes_with_any_setting_and_not_with_order():
    a = settings_key({"model": "s_tiny", "fps": 24.0, "text": ""})
    assert a == settings_key({"text": "", "fps": 24.0, "model": "s_tiny"})
    assert a != settings_key({"model": "s_tiny", "fps": 25.0, "text": ""})
    assert len(a) == 16


def test_one_report_with_a_summary_and_a_line_per_strip():
    outcomes = [
        Outcome("Alice: 1", "Alice", KEYED, keyed_detail(1, 99, "s_tiny", "")),
        Outcome("Bob: 1", "Bob", SKIPPED, "(already keyed with the same settings)"),
        Outcome("Music", "", FAILED, "(no target: name it 'Object: ...' or pick one)"),
    ]
    report = scene_report(outcomes, 1.25)
    assert report.splitlines() == [
        "Keyed 1 of 3 sound strips on 1 object in 1.2 s; 1 skipped, 1 failed.",
        "Alice: 1 -> Alice: keyed frames 1-99, s_tiny, no text",
        "Bob: 1 -> Bob: skipped (already keyed with the same settings)",
        "Music: failed (no target: name it 'Object: ...' or pick one)",
    ]
