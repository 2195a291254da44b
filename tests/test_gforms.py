"""Google Forms: the Apps Script's structure (node's parser, a FormApp stand-in) and its round trip."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import cxkit
from cxkit.cli import main
from cxkit.render.gforms import export_headers, form_spec, gforms_source

INS = cxkit.load_instrument("online-cx@2.0.0")
NODE = shutil.which("node")
MOCK = Path(__file__).with_name("gforms_mock.js")


def _spec_of(source: str) -> list[dict]:
    start = source.index("const FORMS = ") + len("const FORMS = ")
    end = source.index(";\n\nfunction buildForms")
    return json.loads(source[start:end])


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    path = tmp_path_factory.mktemp("gforms") / "form.gs"
    assert (
        main(
            [
                "render",
                "online-cx@2.0.0",
                "--format",
                "gforms",
                "--store",
                "Toko Contoh",
                "-o",
                str(path),
            ]
        )
        == 0
    )
    return path


def test_the_script_holds_both_languages_with_sections_grids_and_flags(script):
    forms = _spec_of(script.read_text(encoding="utf-8"))
    assert [f["lang"] for f in forms] == list(INS.languages)
    for form in forms:
        assert "Toko Contoh" in form["title"] and "{store}" not in json.dumps(form)
        assert INS.ref in form["description"]
        assert [s["id"] for s in form["sections"]] == [s.id for s in INS.sections]
        questions = [q for s in form["sections"] for q in s["questions"]]
        covered = [iid for q in questions for iid in q["items"]]
        assert covered == [i for s in INS.sections for i in s.items]  # every item once, in order
        grids = [q for q in questions if q["type"] == "grid"]
        assert grids and all(len(g["columns"]) == 7 for g in grids)
        # anchor labels on the columns: "1 - Sangat tidak setuju" … "7 - Sangat setuju"
        labels = INS.item("EC1").scale.labels(form["lang"])
        assert (
            grids[0]["columns"][0] == f"1 - {labels[1]}"
            and grids[0]["columns"][-1] == f"7 - {labels[7]}"
        )
        required = {
            iid: q["required"] for q in questions if q["type"] != "grid" for iid in q["items"]
        }
        for iid, flag in required.items():
            assert flag == INS.item(iid).required, iid
        attention = INS.items_by_role("attention")[0]
        assert any(attention.id in g["items"] for g in grids)
        nps = next(q for q in questions if INS.items_by_role("metric")[0].id in q["items"])
        assert nps["type"] == "scale"


@pytest.mark.skipif(NODE is None, reason="node is not installed (apt-get install nodejs)")
def test_node_parses_and_runs_the_script(script, tmp_path):
    js = tmp_path / "form.js"  # node checks files by their extension
    js.write_bytes(script.read_bytes())
    subprocess.run([NODE, "--check", str(js)], check=True, capture_output=True, timeout=60)
    done = subprocess.run(
        [NODE, str(MOCK), str(js)], check=True, capture_output=True, text=True, timeout=60
    )
    built = json.loads(done.stdout)
    specs = _spec_of(script.read_text(encoding="utf-8"))
    assert len(built) == len(specs) == 2
    for form, spec in zip(built, specs, strict=True):
        assert form["title"] == spec["title"]
        kinds = [i["kind"] for i in form["items"]]
        assert kinds.count("section") == 1 and kinds.count("page") == len(spec["sections"]) - 1
        # what Google Forms would export as headers, from what the script really built
        headers = []
        for item in form["items"]:
            if item["kind"] == "grid":
                headers += [f"{item['title']} [{row}]" for row in item["rows"]]
            elif item["kind"] not in ("section", "page"):
                headers.append(item["title"])
                assert isinstance(item["required"], bool)
        assert headers == list(export_headers(spec))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_round_trip_the_export_reads_back(lang):
    spec = form_spec(INS, lang, "Toko Contoh")
    headers = export_headers(spec)
    answers = cxkit.simulate(INS, 30, seed=4)
    columns = {}
    grid_cols = {
        iid: q["columns"]
        for s in spec["sections"]
        for q in s["questions"]
        if q["type"] == "grid"
        for iid in q["items"]
    }
    choice_opts = {
        q["items"][0]: q["options"]
        for s in spec["sections"]
        for q in s["questions"]
        if q["type"] == "choice"
    }
    for header, iid in headers.items():
        values = answers[iid]
        scale = INS.item(iid).scale
        if iid in grid_cols:  # grid answers are the column labels, "6 - Setuju"
            values = values.map(
                lambda v, c=grid_cols[iid], lo=scale.min: "" if pd.isna(v) else c[int(v) - lo]
            )
        elif iid in choice_opts:  # choices are the option labels, store name filled in
            codes = list(scale.values)
            values = values.map(
                lambda v, o=choice_opts[iid], c=codes: "" if pd.isna(v) else o[c.index(int(v))]
            )
        columns[header] = values
    export = pd.DataFrame(
        {"Stempel waktu" if lang == "id" else "Timestamp": "2026/01/05 10:00:00", **columns}
    )
    r = cxkit.read_responses(export, INS)
    assert set(r.meta["columns"].values()) == set(headers.values())
    assert (
        not r.problems["reason"].isin(["not_a_number", "unknown_column", "missing_column"]).any()
    ), r.problems
    numeric = [i for i in headers.values() if INS.item(i).scale.type != "text"]
    got = r.data[numeric].reset_index(drop=True).astype(float)
    want = answers[numeric].reset_index(drop=True).astype(float)
    assert ((got == want) | (got.isna() & want.isna())).all().all()


def test_gforms_needs_the_gs_extension(tmp_path, capsys):
    assert (
        main(["render", "online-cx@2.0.0", "--format", "gforms", "-o", str(tmp_path / "form.pdf")])
        == 2
    )
    assert "e.g. -o form.gs" in capsys.readouterr().err


def test_the_source_is_deterministic():
    assert gforms_source(INS, "Toko Contoh") == gforms_source(INS, "Toko Contoh")
