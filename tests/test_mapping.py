"""Channel-to-shape-key mapping: tolerant names, presets, gains, unmapped channels."""

import json

import numpy as np
import pytest

from core.errors import RigError
from core.rig.arkit import ARKIT_52, LOWER_FACE
from core.rig.mapping import (
    Preset,
    apply_mapping,
    identity_preset,
    load_preset,
    match_name,
    name_key,
    preset_from_json,
    resolve,
    save_preset,
    shipped_presets,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "mouthSmileLeft",
        "mouthSmile_L",
        "MouthSmileLeft",
        "mouthSmile.L",
        "mouth_smile_l",
        "Mouth_Smile_Left",
        "MOUTHSMILELEFT",
        "mouthSmile L",
        "mouthSmileL",
    ],
)
def test_side_and_case_spellings_share_one_key(spelling):
    assert name_key(spelling) == ("mouthsmile", "L")


def test_sides_stay_apart():
    assert name_key("mouthSmile_R") == ("mouthsmile", "R")
    assert match_name("mouthSmileLeft", ["mouthSmile_R", "mouthSmile_L"]) == "mouthSmile_L"
    assert match_name("mouthSmileLeft", ["mouthSmile_R"]) is None


def test_names_ending_in_l_or_r_letters_are_not_sides():
    # Regression guard: "mouthRollLower" and "mouthRollUpper" end in lower-case r, not a side.
    assert name_key("mouthRollLower") == ("mouthrolllower", "")
    assert name_key("mouthRollUpper") == ("mouthrollupper", "")
    assert name_key("jawOpen") == ("jawopen", "")


def test_exact_name_wins_over_tolerant_ones():
    assert match_name("jawOpen", ["JawOpen", "jaw_open", "jawOpen"]) == "jawOpen"
    assert match_name("jawOpen", ["jaw_open", "JAWOPEN"]) == "JAWOPEN"
    assert match_name("jawOpen", ["jaw_open"]) == "jaw_open"


def test_arkit_preset_maps_every_lower_face_channel_on_a_side_suffixed_rig():
    rig = [n.replace("Left", "_L").replace("Right", "_R") for n in ARKIT_52]
    mapping = resolve(load_preset(shipped_presets()["arkit52"]), LOWER_FACE, rig)
    assert mapping.unmapped == ()
    assert {r.channel: r.shape_key for r in mapping.routes}["mouthSmileLeft"] == "mouthSmile_L"


def test_unmapped_channels_are_listed_not_dropped():
    mapping = resolve(identity_preset(LOWER_FACE), LOWER_FACE, ["Basis", "jawOpen", "mouthClose"])
    assert [r.shape_key for r in mapping.routes] == ["jawOpen", "mouthClose"]
    assert set(mapping.unmapped) == set(LOWER_FACE) - {"jawOpen", "mouthClose"}


def test_gains_sum_several_channels_into_one_key_and_clip_to_the_slider():
    preset = Preset(
        "ax",
        {
            "mouthClose": (("A", 1.0),),
            "mouthPressLeft": (("A", 0.5),),
            "jawOpen": (("C", 0.5), ("D", 0.8)),
        },
    )
    names = ("jawOpen", "mouthClose", "mouthPressLeft")
    mapping = resolve(preset, names, ["Basis", "A", "C", "D"])
    weights = np.array([[0.5, 0.2, 0.4], [1.0, 0.9, 0.4]], dtype=np.float32)
    keys, values = apply_mapping(weights, names, mapping)
    assert keys == ("C", "D", "A")
    np.testing.assert_allclose(values[:, 0], [0.25, 0.5])
    np.testing.assert_allclose(values[:, 1], [0.4, 0.8])
    np.testing.assert_allclose(values[:, 2], [0.4, 1.0])  # 0.9 + 0.2 clipped to 1


def test_shipped_presets_load_and_name_real_channels():
    presets = shipped_presets()
    assert {"arkit52", "character_creator4", "rhubarb_ax"} <= set(presets)
    for path in presets.values():
        preset = load_preset(path)
        assert preset.channels and set(preset.channels) <= set(ARKIT_52), path.name
    cc4 = load_preset(presets["character_creator4"])
    mapping = resolve(cc4, LOWER_FACE, ["Jaw_Open", "Mouth_Smile_L", "Mouth_Smile_R"])
    assert {r.channel for r in mapping.routes} == {"jawOpen", "mouthSmileLeft", "mouthSmileRight"}


def test_preset_round_trips_through_a_file(tmp_path):
    preset = Preset("Mine", {"jawOpen": (("Jaw", 0.7),)}, description="test")
    path = save_preset(preset, tmp_path / "mine")
    assert path.name == "mine.json"
    assert load_preset(path) == preset


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"channels": 3}', '{"channels": {"jawOpen": {"Jaw": "x"}}}']
)
def test_malformed_presets_raise_a_rig_error(text):
    with pytest.raises(RigError, match="preset"):
        preset_from_json(text, source="preset.json")


def test_preset_file_is_plain_json(tmp_path):
    path = save_preset(identity_preset(("jawOpen",), name="Id"), tmp_path / "id.json")
    assert json.loads(path.read_text()) == {
        "name": "Id",
        "description": "",
        "channels": {"jawOpen": {"jawOpen": 1.0}},
    }
