"""The command line is consistent: one name per option, defaults and an example in every help."""

from __future__ import annotations

import argparse
import warnings

import pytest

from cxkit import cli
from cxkit.cli import build_parser, main


def _subparsers(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen = set()
            for name, p in action.choices.items():
                if id(p) in seen:
                    continue
                seen.add(id(p))
                yield (*prefix, name), p
                yield from _subparsers(p, (*prefix, name))


COMMANDS = list(_subparsers(build_parser()))


@pytest.mark.parametrize(
    "path,parser", COMMANDS, ids=lambda x: " ".join(x) if isinstance(x, tuple) else ""
)
def test_every_help_has_defaults_and_ends_with_an_example(path, parser):
    text = parser.format_help()
    tail = text.rstrip().split("\n\n")[-1]
    assert tail.startswith("example:\n  cxkit "), (path, tail)
    for action in parser._actions:
        if (
            not action.option_strings
            or action.help in (argparse.SUPPRESS,)
            or action.dest == "help"
        ):
            continue
        assert action.help, (path, action.option_strings)
        if action.default is not None and not isinstance(action.default, bool):
            assert "(default:" in parser._get_formatter()._get_help_string(action), (
                path,
                action.option_strings,
            )


def test_shared_options_mean_the_same_everywhere():
    meaning = {}
    for _path, parser in COMMANDS:
        for action in parser._actions:
            for opt in action.option_strings:
                if opt in (
                    "--instrument",
                    "--out",
                    "--store",
                    "--dataset",
                    "--seed",
                    "--missing",
                    "--bootstrap",
                ):
                    if action.help == argparse.SUPPRESS:  # a moved option that explains itself
                        continue
                    meaning.setdefault(opt, set()).add((action.dest, action.type))
    for opt, kinds in meaning.items():
        assert len(kinds) == 1, (opt, kinds)
    names = {" ".join(p) for p, _ in COMMANDS}
    for cmd in (
        "render",
        "analyze",
        "validate",
        "reliability",
        "sem",
        "simulate",
        "instruments show",
    ):
        parser = dict((" ".join(p), q) for p, q in COMMANDS)[cmd]
        assert any("--instrument" in a.option_strings for a in parser._actions), cmd
    assert "render" in names


def test_print_is_render():
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sub.choices["print"] is sub.choices["render"]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["-o", "kuesioner.docx"], "cannot tell the format from '.docx'"),
        (["--format", "pdf", "-o", "kuesioner.csv"], "--format pdf writes .pdf files, not .csv"),
        (["--format", "xlsform", "-o", "form.pdf"], "e.g. -o form.xlsx"),
    ],
)
def test_wrong_extension_for_the_format_is_an_error(args, needle, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["print", "online-cx@2.0.0", *args]) == 2
    assert needle in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_instrument_named_twice_differently(capsys):
    assert main(["render", "online-cx@1.0.0", "-i", "online-cx@2.0.0"]) == 2
    assert "two instruments named" in capsys.readouterr().err


def test_warnings_print_as_cxkit_warning(monkeypatch, capsys):
    from cxkit.errors import ModelWarning

    def warn(args):
        warnings.warn("the model has a Heywood case: var(EC1) < 0", ModelWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "_cmd_instruments_list", warn)
    assert main(["instruments", "list"]) == 0
    err = capsys.readouterr().err
    assert err.strip() == "cxkit: warning: the model has a Heywood case: var(EC1) < 0"
    assert warnings.showwarning is not cli._show_warning  # restored after the command


def test_sem_prints_apa_p_values_and_the_iterations(capsys):
    assert main(["sem", "--dataset", "online-cx-demo", "--model", "direct"]) == 0
    out = capsys.readouterr().out
    assert "< .001" in out
    header = next(line for line in out.splitlines() if line.startswith("cxkit") and "SEM" in line)
    assert "of Fisher scoring" in header and "1 iterations" not in header
    import cxkit
    from cxkit.responses.scoring import reverse_keyed

    ins = cxkit.load_instrument("online-cx@2.0.0")
    data, _ = reverse_keyed(cxkit.datasets.load_dataset("online-cx-demo"), ins)
    est = cxkit.fit_sem(cxkit.models.direct(ins), data).estimates
    table = out[out.index("param") :]
    assert table.count("< .001") == int((est["pvalue"] < 0.001).sum()) > 0
    shown = {f"{p:.3f}".lstrip("0") for p in est["pvalue"].dropna() if p >= 0.001}
    assert all(f" {p} " in table for p in shown)
