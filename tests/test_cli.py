"""The ``mlplab`` command line."""

import contextlib
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mlplab
from mlplab.cli import main

ROW = re.compile(r"^\s*(\d+)\s+(\d+\.\d+)\s+(\d+\.\d)%$")
SUMMARY = re.compile(
    r"training accuracy: network (\d+\.\d)% \(loss (\d+\.\d+)\); "
    r"logistic regression (\d+\.\d)%"
)


@pytest.fixture(scope="module")
def demo_output():
    # Run once: capsys is function-scoped, so capture by hand.
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["demo", "--epochs", "300"])
    return code, out.getvalue(), err.getvalue()


def test_demo_succeeds(demo_output):
    code, out, err = demo_output
    assert code == 0
    assert err == ""
    assert "two-moons: 500 points" in out
    assert "network 2-5-1" in out


def test_demo_prints_a_decreasing_loss_curve(demo_output):
    _, out, _ = demo_output
    assert "loss curve" in out
    rows = [ROW.match(line) for line in out.splitlines()]
    rows = [m for m in rows if m]
    epochs = [int(m.group(1)) for m in rows]
    loss = [float(m.group(2)) for m in rows]
    accuracy = [float(m.group(3)) for m in rows]
    assert epochs[0] == 1
    assert epochs[-1] == 300
    assert epochs == sorted(set(epochs))
    assert len(rows) >= 5
    assert loss[-1] < 0.6 * loss[0]
    assert all(0.0 <= a <= 100.0 for a in accuracy)
    assert accuracy[-1] > accuracy[0]


def test_demo_prints_accuracies(demo_output):
    _, out, _ = demo_output
    match = SUMMARY.search(out)
    assert match, out
    network, loss, baseline = (float(g) for g in match.groups())
    assert 80.0 <= network <= 100.0
    assert 50.0 <= baseline <= 100.0
    assert 0.0 < loss < 0.6


def test_demo_prints_summary_with_parameter_count(demo_output):
    _, out, _ = demo_output
    # 2-5-1: (2*5 + 5) + (5*1 + 1) weights.
    assert "Total params: 21" in out


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["demo", "--hidden", "0"], "--hidden"),
        (["demo", "--hidden", "-4"], "-4"),
        (["demo", "--samples", "0"], "n_samples=0"),
        (["demo", "--noise", "-1"], "noise=-1"),
        (["demo", "--epochs", "0"], "epochs=0"),
        (["demo", "--learning-rate", "nan"], "learning_rate=nan"),
    ],
)
def test_user_errors_are_one_line_with_code_2(argv, shown, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mlplab: error: ")
    assert shown in lines[0]


def test_hidden_zero_message_names_the_value(capsys):
    main(["demo", "--hidden", "0"])
    assert "received 0" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mlplab {mlplab.__version__}"


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: mlplab" in out
    assert "demo" in out


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["demo", "--epochs", "abc"], "'abc'"),
        (["demo", "--noise", "lots"], "'lots'"),
        (["demo", "--colour"], "--colour"),
        (["train"], "'train'"),
    ],
)
def test_bad_arguments_exit_2(argv, shown, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert shown in err
    assert "Traceback" not in err


def test_installed_console_script():
    script = shutil.which("mlplab", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the mlplab console script is not installed")
    result = subprocess.run(
        [script, "demo", "--hidden", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("mlplab: error: ")
    assert "Traceback" not in result.stderr
