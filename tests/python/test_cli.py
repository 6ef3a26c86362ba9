"""The `adamant` command line's argument parsing (CLI11, apps/cli.hpp): values, flags and
positionals in any order, "--" ending the options, and the errors for what does not parse."""

import os

import pytest

from helpers import CLI, cli, is_png

pytestmark = pytest.mark.skipif(not os.path.isfile(CLI),
                                reason="the adamant CLI is not beside this build")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRICES = os.path.join(REPO, "datasets", "data", "stock_prices_20.h5")


def test_options_before_and_after_positionals(tmp_path):
    out = tmp_path / "a.h5"
    r = cli("data", "convert", "-o", out, PRICES)  # a short option's value is not the positional
    assert r.returncode == 0, r.stderr
    r = cli("data", "convert", PRICES, f"--output={tmp_path / 'b.h5'}", "--schema", "prices")
    assert r.returncode == 0, r.stderr
    assert os.path.exists(out) and os.path.exists(tmp_path / "b.h5")
    r = cli("data", "info", "--", PRICES)  # "--" ends the options
    assert r.returncode == 0 and "schema: prices" in r.stdout


def test_a_flag_never_takes_the_next_argument():
    r = cli("rl", "train", "--no-save", "extra")
    assert r.returncode == 2
    assert r.stderr.startswith("adamant rl: unexpected argument 'extra'")


def test_negative_numbers_are_values():
    r = cli("rl", "train", "--no-save", "--lr", "-1")
    assert r.returncode == 2 and "--lr must be > 0" in r.stderr


@pytest.mark.parametrize("args, message", [
    (("rl", "train", "--steps"), "option --steps needs a value"),
    # An option that needs a value takes the next argument whatever it looks like (CLI11).
    (("rl", "train", "--steps", "--quiet"), "--steps expects an integer, got '--quiet'"),
    (("rl", "train", "--bogus", "1"), "unknown option --bogus"),
    (("rl", "train", "--bogus=1"), "unknown option --bogus"),
    (("rl", "train", "-x"), "unknown option -x"),
    (("rl", "train", "--seed", "x"), "--seed expects an integer, got 'x'"),
    (("rl", "train", "--lr", "fast"), "--lr expects a number, got 'fast'"),
    # The optimizer flags are generated from the core's rule table and field lists.
    (("rl", "train", "--optimizer", "adadelta"), "--optimizer: unknown rule 'adadelta'"),
    (("rl", "train", "--momentum", "0.9"), "--momentum: the rule adam has no such option"),
    (("chem", "fit", "--optimizer", "sgd", "--beta1", "0.5"),
     "--beta1: the rule sgd has no such option (its options: lr, momentum"),
    (("chem", "fit", "--beta2", "1"), "beta2 must be in [0, 1), got 1"),
    (("data", "info"), "missing argument FILE"),
    (("data", "info", PRICES, "extra"), "unexpected argument 'extra'"),
    (("rl",), "missing action (train, eval, study)"),
    (("rl", "fly"), "unknown action 'fly' (train, eval, study)"),
])
def test_usage_errors(args, message):
    r = cli(*args)
    assert r.returncode == 2, r.stdout
    # The hint names the action whose options were wrong, or the command when the action was.
    where = args[0] if "action" in message else f"{args[0]} {args[1]}"
    assert message in r.stderr and f"(see 'adamant {where} --help')" in r.stderr


def test_help_lists_every_declared_option():
    r = cli("rl", "train", "--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: adamant rl train [options]")
    for option in ("--env <CartPole-v1>", "-o, --output <value>", "--no-save", "--help"):
        assert option in r.stdout
    r = cli("data", "convert", "--help")
    assert r.stdout.startswith("usage: adamant data convert IN.h5 [options]")
    assert cli("rl", "--help").stdout.startswith("usage: adamant rl <action>")


@pytest.mark.skipif(not os.path.isfile(CLI), reason="the adamant CLI is not beside this build")
def test_cli_lab(tmp_path):
    r = cli("lab", "--list")
    assert r.returncode == 0 and "sign_step" in r.stdout and "spike" in r.stdout
    r = cli("lab", "sign_step", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "all checks passed" in r.stdout and "claim" in r.stdout
    assert (tmp_path / "lab_sign_step.h5").is_file()
    assert is_png(tmp_path / "lab_sign_step.png")
    info = cli("data", "info", tmp_path / "lab_sign_step.h5")
    assert info.returncode == 0 and "lab: sign_step" in info.stdout, info.stdout + info.stderr
    r = cli("lab", "no_such_thing")
    assert r.returncode == 2 and "known: ravine" in r.stderr
    r = cli("lab")
    assert r.returncode == 2 and "--list" in r.stderr
    r = cli("lab", "all", "-o", tmp_path / "x.h5")
    assert r.returncode == 2 and "--out DIR" in r.stderr
