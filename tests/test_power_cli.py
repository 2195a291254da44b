"""`cxkit power ...`: analytic, PLS and survey rules, Monte Carlo (a plain loop here)."""

from __future__ import annotations

import pandas as pd

from cxkit.cli import main


def test_analytic_commands(capsys):
    assert main(["power", "n", "--df", "50", "--rmsea", "0.05"]) == 0
    assert "N = 243" in capsys.readouterr().out
    assert main(["power", "n", "--df", "50", "--rmsea", "0.08", "--rmsea0", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "N = 214" in out and "test of close fit" in out
    assert main(["power", "power", "--df", "50", "--rmsea", "0.05", "-n", "100", "243"]) == 0
    out = capsys.readouterr().out
    assert "0.3185" in out and "0.8009" in out
    assert main(["power", "rmsea", "--df", "50", "-n", "243"]) == 0
    assert "RMSEA 0.0500" in capsys.readouterr().out
    assert main(["power", "pls-min-n"]) == 0
    assert "N = 160" in capsys.readouterr().out
    assert main(["power", "pls-min-n", "--method", "gamma"]) == 0
    assert "N = 146" in capsys.readouterr().out
    assert main(["power", "survey", "--population", "10000"]) == 0
    out = capsys.readouterr().out
    assert "SURVEY-PRECISION" in out and "Slovin: n = 385" in out


def test_bad_input_exits_2_without_traceback(capsys):
    assert main(["power", "n", "--df", "50"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cxkit: error: --rmsea is needed") and "Traceback" not in err
    assert main(["power", "n", "--df", "0", "--rmsea", "0.05"]) == 2
    assert "df=0.0 is not accepted" in capsys.readouterr().err
    assert main(["power", "montecarlo", "-n", "100"]) == 2
    assert "--instrument" in capsys.readouterr().err
    assert main(["power", "montecarlo", "-n", "100", "--population", "nope.txt"]) == 2
    assert "not a file" in capsys.readouterr().err


def test_montecarlo_command(tmp_path, capsys):
    pop = tmp_path / "population.lav"
    pop.write_text("F =~ 0.7*x1 + 0.7*x2 + 0.7*x3 + 0.7*x4\ny ~ 0.3*F\n")
    model = tmp_path / "model.lav"
    model.write_text("F =~ x1 + x2 + x3 + x4\ny ~ F\n")
    out = tmp_path / "res" / "table.csv"
    fig = tmp_path / "curve.png"
    code = main(
        ["power", "montecarlo", "--population", str(pop), "--model", str(model), "-n", "60", "150",
         "--replications", "8", "--scheduler", "serial", "--seed", "3", "--quiet",
         "--out", str(out), "--figure", str(fig)]
    )  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "Monte Carlo power" in text and "y ~ F" in text
    table = pd.read_csv(out)
    assert set(table["n"]) == {60, 150} and "coverage" in table
    assert fig.stat().st_size > 1000
    assert sorted(p.name for p in out.parent.iterdir()) == ["table.csv"]  # no temporary left
