"""The mistakes newcomers make (issue 17): each gets a clear message and the documented exit code."""

from __future__ import annotations

import pandas as pd
import pytest

import cxkit
from cxkit.cli import main

V1 = cxkit.load_instrument("online-cx@1.0.0")
V2 = cxkit.load_instrument("online-cx@2.0.0")


def _err(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_output_into_a_folder_that_does_not_exist(tmp_path, capsys):
    data = tmp_path / "d.csv"
    cxkit.simulate(V2, 5, seed=1).to_csv(data, index=False)
    missing = tmp_path / "nope" / "x.csv"
    assert main(["validate", str(data), "-i", V2.ref, "--problems", str(missing)]) == 2
    assert f"the folder '{missing.parent}' does not exist" in _err(capsys)
    assert main(["simulate", V2.ref, "-n", "5", "-o", str(missing)]) == 2
    assert "does not exist; create it first" in _err(capsys)
    assert main(["render", V2.ref, "--format", "codebook", "-o", str(missing)]) == 2
    err = _err(capsys)
    assert "does not exist" in err and "(None)" not in err
    with pytest.raises(cxkit.errors.RenderError, match="does not exist"):
        cxkit.render(V2, "codebook", missing)
    assert not (tmp_path / "nope").exists()


def test_a_renamed_column_is_recognised(tmp_path, capsys):
    data = tmp_path / "d.csv"
    cxkit.simulate(V2, 40, seed=1).rename(columns={"EC1": "EC_1"}).to_csv(data, index=False)
    assert main(["reliability", str(data), "-i", V2.ref]) == 2
    err = _err(capsys)
    assert "'EC_1'" in err and "it spells item EC1" in err
    r = cxkit.read_responses(data, V2)
    assert r.problems["message"].str.contains("it spells item EC1").any()


@pytest.mark.parametrize(
    "model,needle",
    [
        ("EC =~ EC1 + EC2 + EC3 +\n", "ends in '+' with nothing after it"),
        ("EC =~ EC1 + EC2 + EC3 +\nTR =~ TR1 + TR2 + TR3\n", "holds two statements"),
        ("EC ~= EC1 + EC2 + EC3\n", "uses '~=', which is no operator"),
        (
            "library(lavaan)\nmodel <- '\n EC =~ EC1 + EC2 + EC3\n'\nfit <- cfa(model, data = d)\n",
            "this looks like an R script",
        ),
    ],
    ids=["trailing-plus", "joined", "tilde-equals", "r-script"],
)
def test_model_file_mistakes(model, needle, tmp_path, capsys):
    path = tmp_path / "model.lav"
    path.write_text(model, encoding="utf-8")
    # a syntax mistake is bad input: ModelSyntaxError, exit 2
    assert main(["sem", "--dataset", "online-cx-demo", "--model", str(path)]) == 2
    err = _err(capsys)
    assert needle in err and "'<'" not in err


def test_a_feedback_loop_is_refused(tmp_path, capsys):
    path = tmp_path / "loop.lav"
    path.write_text(
        "EC =~ EC1 + EC2 + EC3\nLOY =~ LOY1 + LOY2 + LOY3\nLOY ~ EC\nEC ~ LOY\n", encoding="utf-8"
    )
    assert main(["sem", "--dataset", "online-cx-demo", "--model", str(path)]) == 2
    err = _err(capsys)
    assert "feedback loop: " in err and "EC ~ LOY (model line 4)" in err and "loading" not in err


def test_fewer_respondents_than_items(tmp_path, capsys):
    data = tmp_path / "small.csv"
    cxkit.simulate(V2, 15, seed=1).to_csv(data, index=False)
    assert main(["analyze", str(data), "-i", V2.ref, "-o", str(tmp_path / "r"), "--quiet"]) == 1
    assert "n = 15 respondents for 22 measure items" in _err(capsys)
    assert not (tmp_path / "r").exists()
    assert main(["sem", str(data), "-i", V2.ref, "--model", "direct"]) == 1
    assert "n = 15 respondents for 22 observed variables" in _err(capsys)


def test_data_without_timings_are_not_reported_as_never_too_fast():
    gforms = cxkit.simulate(V2, 30, seed=1)
    r = cxkit.read_responses(gforms, V2)
    text = r.summary()
    assert "too_fast not checked" in text and "no timings" in text and "too_fast 0" not in text
    from cxkit.report.content import blocks  # noqa: F401  (the report uses the same helper)
    from cxkit.responses.quality import unchecked_flags

    assert "too_fast" in unchecked_flags(r.flags)
    timed = gforms.assign(duration=600)
    assert unchecked_flags(cxkit.read_responses(timed, V2).flags) == {}


def test_diff_of_two_different_instruments(capsys):
    assert main(["instruments", "diff", "online-cx@1.0.0", "ecsi@1.0.0"]) == 2
    assert "are different instruments" in _err(capsys)


def test_data_of_1_0_0_checked_against_2_0_0(tmp_path, capsys):
    data = tmp_path / "old.csv"
    cxkit.simulate(V1, 30, seed=1).to_csv(data, index=False)
    assert main(["validate", str(data), "-i", V2.ref, "-o", str(tmp_path / "p.csv")]) == 1
    assert (
        "these data look like online-cx@1.0.0"
        in pd.read_csv(tmp_path / "p.csv")["message"].str.cat()
    )
