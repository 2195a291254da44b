"""Malformed instrument files get one clear InstrumentError: file, line, field, what is accepted."""

from __future__ import annotations

import copy

import pytest

import cxkit
from cxkit.errors import InstrumentError

from .conftest import INSTRUMENTS

GOOD = (INSTRUMENTS / "online-cx" / "1.0.0.yaml").read_text(encoding="utf-8")


def load_text(write_yaml, text):
    return cxkit.load_instrument(write_yaml(text))


def test_yaml_syntax_error_names_file_and_line(write_yaml):
    text = GOOD.replace("version: 1.0.0", "version: [1.0.0")
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, text)
    err = info.value
    assert err.file.endswith("instrument.yaml") and err.line is not None
    assert "YAML syntax error" in str(err)


def test_empty_file(write_yaml):
    with pytest.raises(InstrumentError, match="the file is empty"):
        load_text(
            write_yaml,
            "  \n# only a comment? no: blank\n".replace("# only a comment? no: blank", ""),
        )


def test_list_instead_of_mapping(write_yaml):
    with pytest.raises(InstrumentError, match="must be a YAML mapping .* not a list"):
        load_text(write_yaml, "- id: online-cx\n- version: 1.0.0\n")


def test_missing_required_field(write_yaml, spec_data):
    del spec_data["title"]
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, spec_data)
    assert info.value.field == "title" and "required field is missing" in str(info.value)


def test_unknown_field_with_did_you_mean(write_yaml):
    text = GOOD.replace("    scale: agree7\n", "    scael: agree7\n    scale: agree7\n", 1)
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, text)
    msg = str(info.value)
    assert "unknown field 'scael'; did you mean 'scale'?" in msg
    assert info.value.field == "items[0] (EC1).scael"
    assert info.value.line == text.splitlines().index("    scael: agree7") + 1


def test_unknown_top_level_field(write_yaml):
    with pytest.raises(
        InstrumentError, match="unknown field 'langauges'; did you mean 'languages'"
    ):
        load_text(
            write_yaml, GOOD.replace("languages: [en, id]", "languages: [en, id]\nlangauges: [en]")
        )


def test_duplicate_item_ids(write_yaml, spec_data):
    spec_data["items"][1]["id"] = "EC1"
    with pytest.raises(InstrumentError, match="duplicate item id 'EC1'"):
        load_text(write_yaml, spec_data)


def test_duplicate_yaml_key(write_yaml):
    text = GOOD.replace("status: released", "status: released\nstatus: draft", 1)
    with pytest.raises(InstrumentError, match="duplicate key 'status'"):
        load_text(write_yaml, text)


def test_unknown_construct(write_yaml, spec_data):
    spec_data["items"][0]["construct"] = "ECC"
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, spec_data)
    assert "unknown construct 'ECC' (did you mean 'EC'?)" in str(info.value)
    assert info.value.field == "items[0] (EC1).construct"
    assert info.value.line is not None


def test_unknown_scale(write_yaml, spec_data):
    spec_data["items"][2]["scale"] = "agree5"
    with pytest.raises(
        InstrumentError, match="unknown scale 'agree5'; scales in this file: agree7"
    ):
        load_text(write_yaml, spec_data)


def test_reverse_key_on_non_likert(write_yaml, spec_data):
    spec_data["scales"]["nps"] = {
        "type": "rating",
        "min": 0,
        "max": 10,
        "anchors": {0: {"en": "No", "id": "Tidak"}, 10: {"en": "Yes", "id": "Ya"}},
    }
    spec_data["items"][0]["scale"] = "nps"
    spec_data["items"][0]["reverse"] = True
    with pytest.raises(
        InstrumentError, match="reverse keying needs a likert scale; 'nps' is a rating scale"
    ):
        load_text(write_yaml, spec_data)


def test_declared_language_missing_in_a_text(write_yaml, spec_data):
    del spec_data["items"][4]["text"]["id"]
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, spec_data)
    assert info.value.field == "items[4] (OE2).text"
    assert "missing language 'id'" in str(info.value)


def test_malformed_version(write_yaml, spec_data):
    spec_data["version"] = "1.0"
    with pytest.raises(
        InstrumentError, match=r"'1.0' is not valid: expected a semantic version MAJOR.MINOR.PATCH"
    ):
        load_text(write_yaml, spec_data)


def test_python_tag_is_never_executed(write_yaml, tmp_path):
    marker = tmp_path / "pwned"
    text = GOOD.replace(
        "status: released", f"status: !!python/object/apply:os.system ['touch {marker}']", 1
    )
    with pytest.raises(InstrumentError, match="tags are not allowed"):
        load_text(write_yaml, text)
    assert not marker.exists()


def test_unknown_placeholder(write_yaml, spec_data):
    spec_data["items"][0]["text"]["en"] = "I like {shop}."
    with pytest.raises(
        InstrumentError, match=r"unknown placeholder \{shop\}; the only placeholder is \{store\}"
    ):
        load_text(write_yaml, spec_data)


def test_item_in_no_section(write_yaml, spec_data):
    spec_data["sections"][0]["items"].remove("FU2")
    with pytest.raises(InstrumentError, match="item 'FU2' is in no section"):
        load_text(write_yaml, spec_data)


def test_many_problems_reported_at_once(write_yaml, spec_data):
    data = copy.deepcopy(spec_data)
    data["items"][0]["construct"] = "XX"
    data["items"][1]["scale"] = "nope"
    del data["items"][2]["text"]["en"]
    with pytest.raises(InstrumentError) as info:
        load_text(write_yaml, data)
    assert "3 problems" in str(info.value) and len(info.value.details) == 3


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(
        GOOD.replace("Sangat setuju", "Très d'accord").encode("latin-1", errors="replace")
    )
    with pytest.raises(InstrumentError, match="is not UTF-8"):
        cxkit.load_instrument(path)


def test_file_at_wrong_place_in_registry(registry_copy):
    (registry_copy / "online-cx" / "1.5.0.yaml").write_text(
        GOOD.replace("status: released", "status: draft")
    )
    with pytest.raises(
        InstrumentError, match="declares online-cx@1.0.0 but lies at online-cx@1.5.0"
    ):
        cxkit.load_instrument("online-cx@1.5.0")
