"""Instruments: loading, the registry, immutability, diffs and version rules."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

import cxkit
from cxkit.errors import InstrumentError, RegistryError
from cxkit.instrument import check_registry, required_bump

from .conftest import INSTRUMENTS


@pytest.mark.parametrize(
    ("ref", "n_items", "constructs"),
    [
        ("online-cx@1.0.0", 12, ["EC", "OE", "RS", "TR", "FU"]),
        ("online-cx@2.0.0", 32, ["EC", "OE", "RS", "TR", "FU", "LOY"]),
        ("ecsi@1.0.0", 28, ["IMAG", "EXPE", "QUAL", "VAL", "SAT", "LOY"]),
    ],
)
def test_shipped_instruments_load(ref, n_items, constructs):
    ins = cxkit.load_instrument(ref)
    assert ins.ref == ref
    assert len(ins.items) == n_items
    assert list(ins.constructs) == constructs
    assert ins.languages == ("en", "id")
    assert len(ins.sha256) == 64
    for item in ins.items:
        assert set(item.text) == {"en", "id"}, item.id


def test_published_scale_items():
    ins = cxkit.load_instrument("online-cx@1.0.0")
    assert dict(ins.constructs) == {
        "EC": ("EC1", "EC2", "EC3"),
        "OE": ("OE1", "OE2", "OE3"),
        "RS": ("RS1", "RS2"),
        "TR": ("TR1", "TR2"),
        "FU": ("FU1", "FU2"),
    }
    assert (
        ins.item("TR1").label("en", "Toko Contoh")
        == "I trust Toko Contoh to keep my personal information safe."
    )
    assert ins.item("OE2").label("id", "Toko Contoh") == (
        "Saya tidak pernah merasa tersesat saat menavigasi situs web Toko Contoh."
    )
    scale = ins.item("EC1").scale
    assert scale.values == tuple(range(1, 8))
    assert scale.labels("id")[7] == "Sangat setuju"
    # every item says how its wording was checked
    assert all(i.wording for i in ins.items)


def test_version_two_design():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    for cid in ("EC", "OE", "RS", "TR", "FU"):
        assert len(ins.constructs[cid]) >= 3, cid
    assert len(ins.constructs["LOY"]) == 6
    metrics = {i.metric: i for i in ins.items_by_role("metric")}
    assert set(metrics) == {"nps", "csat", "ces"}
    assert metrics["nps"].scale.values == tuple(range(0, 11))
    assert metrics["csat"].scale.values == tuple(range(1, 6))
    assert metrics["ces"].scale.values == tuple(range(1, 8))
    (check,) = ins.items_by_role("attention")
    assert check.expect == 2
    assert {i.id for i in ins.items_by_role("demographic")} == {"AGE", "GENDER", "MARKET", "FREQ"}
    assert ins.items_by_role("open")
    assert [i.id for i in ins.items if i.reverse] == ["OE4"]
    assert [i.id for i in ins.items if i.personal] == ["CONTACT"]
    new_items = [
        i for i in ins.items if i.construct in ("RS", "TR", "FU") and i.status == "adapted"
    ]
    assert all(i.source for i in new_items) and len(new_items) == 3
    # the 1.0.0 items keep their ids and texts
    old = cxkit.load_instrument("online-cx@1.0.0")
    for item in old.items:
        assert ins.item(item.id).text == item.text


def test_bare_id_loads_newest_release():
    assert cxkit.load_instrument("online-cx").version == "3.0.0"


def test_load_by_path():
    ins = cxkit.load_instrument(INSTRUMENTS / "online-cx" / "1.0.0.yaml")
    assert ins.ref == "online-cx@1.0.0"


def test_unknown_references_list_what_exists():
    with pytest.raises(InstrumentError, match="versions: 1.0.0, 2.0.0, 3.0.0"):
        cxkit.load_instrument("online-cx@4.0.0")
    with pytest.raises(InstrumentError, match="Did you mean 'online-cx'"):
        cxkit.load_instrument("onlinecx@1.0.0")
    with pytest.raises(InstrumentError, match="no such instrument file"):
        cxkit.load_instrument("nowhere/x.yaml")


def test_instrument_is_immutable():
    ins = cxkit.load_instrument("online-cx@1.0.0")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ins.version = "9.9.9"
    with pytest.raises(TypeError):
        ins.constructs["EC"] = ("X",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ins.items[0].reverse = True


def test_measurement_model_syntax():
    model = cxkit.load_instrument("online-cx@2.0.0").measurement_model()
    lines = model.splitlines()
    assert lines[0] == "EC =~ EC1 + EC2 + EC3"
    assert "LOY =~ LOY1 + LOY2 + LOY3 + LOY4 + LOY5 + LOY6" in lines
    assert "ATT1" not in model and "NPS1" not in model


def test_list_instruments():
    df = cxkit.list_instruments()
    assert list(df.columns) == ["id", "version", "status", "title", "n_items", "sha256"]
    assert list(df["id"] + "@" + df["version"]) == [
        "ecsi@1.0.0",
        "online-cx@1.0.0",
        "online-cx@2.0.0",
        "online-cx@3.0.0",
    ]
    assert set(df["status"]) == {"released"}


def test_diff_between_versions():
    old, new = cxkit.load_instrument("online-cx@1.0.0"), cxkit.load_instrument("online-cx@2.0.0")
    d = old.diff(new)
    items = d[d.level == "item"]
    assert set(items.loc[items.change == "added", "id"]) >= {
        "OE4",
        "RS3",
        "TR3",
        "FU3",
        "LOY1",
        "NPS1",
    }
    assert not (items.change == "removed").any()
    assert not (items.change == "reworded").any()
    cons = d[d.level == "construct"].set_index("id")
    assert bool(cons.loc["EC", "comparable"]) is True
    assert bool(cons.loc["OE", "comparable"]) is False
    assert cons.loc["LOY", "change"] == "added"
    assert required_bump(d) == "major"
    back = new.diff(old)
    assert set(back.loc[back.change == "removed", "id"]) >= {"OE4", "LOY1"}


def _variant(registry, data, version, **changes):
    data = dict(data, version=version, **changes)
    path = registry / "online-cx" / f"{version}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_diff_finds_rewording_and_translation(registry_copy, spec_data):
    items = [dict(i) for i in spec_data["items"]]
    items[0]["text"] = dict(
        items[0]["text"], en="I feel close to the kind of people who shop at {store}."
    )
    items[1]["text"] = dict(items[1]["text"], id="Saya merasa {store} sungguh peduli pada saya.")
    changes = {
        "previous": "2.0.0",
        "bump": "minor",
        "summary": {"en": "EC1 reworded.", "id": "EC1 diubah."},
        "comparability": {c["id"]: {"comparable": True} for c in spec_data["constructs"]},
    }
    _variant(registry_copy, dict(spec_data, items=items, status="draft"), "2.1.0", changes=changes)
    d = cxkit.load_instrument("online-cx@1.0.0").diff(cxkit.load_instrument("online-cx@2.1.0"))
    changed = d[d.level == "item"].set_index("id")["change"]
    assert changed["EC1"] == "reworded"
    assert changed["EC2"] == "translation"


def test_check_passes_on_the_registry():
    df = check_registry()
    assert df["ok"].all(), df.loc[~df["ok"], ["ref", "problem"]].to_string()
    assert set(df["ref"]) == {"ecsi@1.0.0", "online-cx@1.0.0", "online-cx@2.0.0", "online-cx@3.0.0"}


def test_edited_released_file_is_refused(registry_copy):
    path = registry_copy / "online-cx" / "1.0.0.yaml"
    path.write_bytes(
        path.read_bytes().replace(b"actually cares about me", b"really cares about me")
    )
    with pytest.raises(RegistryError, match="released and must not change"):
        cxkit.load_instrument("online-cx@1.0.0")
    df = check_registry()
    row = df.set_index("ref").loc["online-cx@1.0.0"]
    assert not row["ok"] and "edited after release" in row["problem"]


def test_released_but_unlocked_and_lock_never_rewrites(registry_copy, spec_data):
    from cxkit.instrument import lock_released

    changes = {
        "previous": "3.0.0",
        "bump": "patch",
        "summary": {"en": "Typo.", "id": "Salah ketik."},
        "comparability": {c["id"]: {"comparable": True} for c in spec_data["constructs"]},
    }
    data = yaml.safe_load((registry_copy / "online-cx" / "3.0.0.yaml").read_text(encoding="utf-8"))
    _variant(registry_copy, data, "3.0.1", changes=changes)
    with pytest.raises(RegistryError, match="not in registry.lock"):
        cxkit.load_instrument("online-cx@3.0.1")
    before = (registry_copy / "registry.lock").read_text()
    assert lock_released(registry_copy) == ["online-cx@3.0.1"]
    after = (registry_copy / "registry.lock").read_text()
    for line in before.splitlines():
        if "sha256" in line:
            assert line in after
    assert cxkit.load_instrument("online-cx").version == "3.0.1"


def test_check_requires_declared_changes(registry_copy, spec_data):
    _variant(registry_copy, dict(spec_data, status="draft"), "4.0.0")
    row = check_registry().set_index("ref").loc["online-cx@4.0.0"]
    assert not row["ok"] and "declare 'changes'" in row["problem"]


def test_check_requires_a_big_enough_bump(registry_copy, spec_data):
    items = spec_data["items"][:-1]  # FU2 removed: needs a major bump
    sections = [dict(spec_data["sections"][0], items=[i["id"] for i in items])]
    changes = {
        "previous": "1.0.0",
        "bump": "minor",
        "summary": {"en": "FU2 dropped.", "id": "FU2 dihapus."},
        "comparability": {
            c["id"]: {"comparable": c["id"] != "FU"} for c in spec_data["constructs"]
        },
    }
    _variant(
        registry_copy,
        dict(spec_data, items=items, sections=sections, status="draft"),
        "1.1.0",
        changes=changes,
    )
    row = check_registry().set_index("ref").loc["online-cx@1.1.0"]
    assert not row["ok"] and "at least a major version bump" in row["problem"]


def test_check_requires_comparability_for_shared_constructs(registry_copy, spec_data):
    changes = {
        "previous": "2.0.0",
        "bump": "patch",
        "summary": {"en": "x", "id": "x"},
        "comparability": {"EC": {"comparable": True}},
    }
    data = yaml.safe_load((registry_copy / "online-cx" / "2.0.0.yaml").read_text(encoding="utf-8"))
    _variant(registry_copy, dict(data, status="draft"), "2.0.1", changes=changes)
    row = check_registry().set_index("ref").loc["online-cx@2.0.1"]
    assert not row["ok"] and "missing: OE, RS, TR, FU, LOY" in row["problem"]


def test_summary_and_html():
    ins = cxkit.load_instrument("online-cx@2.0.0")
    text = ins.summary(lang="id", store="Toko Contoh")
    assert "Pengalaman pelanggan online dengan Toko Contoh" in text
    assert "OE4" in text and "(R)" in text
    html = ins._repr_html_()
    assert html.startswith("<div>") and "online-cx@2.0.0" in html
    with pytest.raises(InstrumentError, match="available: en, id"):
        ins.summary(lang="fr")


def test_online_cx_3_revises_for_fielding_in_indonesia():
    v2, v3 = cxkit.load_instrument("online-cx@2.0.0"), cxkit.load_instrument("online-cx@3.0.0")
    assert sorted(v3.item("NPS1").scale.anchors) == [0, 10]
    new = {i.id for i in v3.items} - {i.id for i in v2.items}
    assert new == {"SCREEN", "MARKET_OTHER", "CES0"}
    assert v3.sections[0].items == ("SCREEN",)
    texts = " ".join(i.text["id"] for i in v3.items)
    for calque in ("berbicara kembali", "jalur pencarian", "tanpa penundaan", "saya ragu"):
        assert calque not in texts
    assert "aplikasi" in v3.item("OE1").text["id"] and "app" in v3.item("OE1").text["en"]
    assert "belum pernah punya masalah" in v3.item("CES0").scale.labels("id")[2]
    assert "pending" in v3.spec.translation["id"].notes
    d = v2.diff(v3)
    assert required_bump(d) == "major" and v3.spec.changes.bump == "major"
