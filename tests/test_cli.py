"""The ``mlplab`` command line, in process through ``main(argv)``."""

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mlplab
from mlplab.cli import main
from mlplab.config import RunConfig

FAST = ["--samples", "120", "--epochs", "60"]


def run_cli(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, argv, code=2):
    got, out, err = run_cli(argv, capsys)
    assert got == code, (argv, out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mlplab")
    return lines[0]


# -- train ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One small run folder shared by the read-only tests below."""
    folder = tmp_path_factory.mktemp("cli") / "run"
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "train",
                "--dataset",
                "moons",
                *FAST,
                "--hidden",
                "4",
                "--lr",
                "0.5",
                "--out",
                str(folder),
                "--no-progress",
            ]
        )
    assert code == 0, err.getvalue()
    return folder, out.getvalue()


def test_train_writes_a_complete_run_folder(trained):
    folder, out = trained
    assert {p.name for p in folder.iterdir()} >= {
        "config.toml",
        "model.npz",
        "metrics.json",
        "learning_curves.png",
        "decision_boundary.png",
    }
    metrics = json.loads((folder / "metrics.json").read_text())
    for key in (
        "final_loss",
        "train_accuracy",
        "test_accuracy",
        "epochs",
        "loss_history",
        "val_loss_history",
        "seconds",
        "config",
    ):
        assert key in metrics
    assert metrics["epochs"] == 60 == len(metrics["loss_history"])
    assert len(metrics["val_loss_history"]) == 60  # the default 20% test split
    assert metrics["loss_history"][-1] < metrics["loss_history"][0]
    assert metrics["config"]["hidden"] == [4]
    assert str(folder) in out
    # The printed table carries the same accuracy as metrics.json.
    assert f"{100 * metrics['test_accuracy']:.1f}%" in out


def test_config_toml_reproduces_the_run_bit_for_bit(trained, tmp_path, capsys):
    folder, _ = trained
    code, _, _ = run_cli(
        ["train", "--config", folder / "config.toml", "--out", tmp_path / "again"],
        capsys,
    )
    assert code == 0
    first = json.loads((folder / "metrics.json").read_text())
    second = json.loads((tmp_path / "again" / "metrics.json").read_text())
    assert first["loss_history"] == second["loss_history"]


def test_options_override_the_config_file(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('dataset = "circles"\nhidden = [3]\nepochs = 30\nsamples = 80\n')
    code, _, _ = run_cli(
        ["train", "--config", cfg, "--hidden", "6,2", "--out", tmp_path / "r"], capsys
    )
    assert code == 0
    config = RunConfig.from_toml(tmp_path / "r" / "config.toml")
    assert config.dataset == "circles" and config.hidden == (6, 2)
    assert config.epochs == 30


def test_every_documented_train_option(tmp_path, capsys):
    argv = [
        "train",
        "--dataset",
        "xor",
        "--samples",
        "100",
        "--noise",
        "0.05",
        "--features",
        "x1,x2,x1*x2",
        "--hidden",
        "3",
        "--activation",
        "elu:2",
        "--output-activation",
        "sigmoid",
        "--loss",
        "binary_crossentropy",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--epochs",
        "20",
        "--batch-size",
        "16",
        "--init",
        "he_uniform",
        "--l2",
        "0.001",
        "--test-size",
        "0.25",
        "--seed",
        "3",
        "--scale",
        "standard",
        "--out",
        tmp_path / "r",
    ]
    assert run_cli(argv, capsys)[0] == 0
    config = RunConfig.from_toml(tmp_path / "r" / "config.toml")
    assert config == RunConfig(
        dataset="xor",
        samples=100,
        noise=0.05,
        features=("x1", "x2", "x1*x2"),
        hidden=(3,),
        activation="elu:2",
        output_activation="sigmoid",
        loss="binary_crossentropy",
        optimizer="adam",
        lr=0.05,
        epochs=20,
        batch_size=16,
        init="he_uniform",
        l2=0.001,
        test_size=0.25,
        seed=3,
        scale="standard",
    )
    model = mlplab.load(tmp_path / "r" / "model.npz")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Rescaling", "Features", "Dense", "Dense"]
    assert model.input_dim == 2  # crossed features, original inputs


def test_hidden_zero_is_logistic_regression(tmp_path, capsys):
    assert run_cli(["train", *FAST, "--hidden", "0", "--out", tmp_path], capsys)[0] == 0
    model = mlplab.load(tmp_path / "model.npz")
    assert len(model.layers) == 1 and model.count_params() == 3


def test_train_on_a_csv_file_with_string_labels(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    names = np.where(X[:, 0] + X[:, 1] > 0, "up", "down")
    path = tmp_path / "points.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "kind"])
        w.writerows(
            [[f"{x:.6f}", f"{y:.6f}", n] for (x, y), n in zip(X, names, strict=True)]
        )
    code, _, err = run_cli(
        [
            "train",
            "--data",
            path,
            "--label-column",
            "kind",
            "--hidden",
            "0",
            "--epochs",
            "200",
            "--lr",
            "1",
            "--out",
            tmp_path / "r",
        ],
        capsys,
    )
    assert code == 0, err
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["classes"] == ["down", "up"]
    assert metrics["train_accuracy"] > 0.9

    # predict maps the model's outputs back to the file's labels
    inputs = tmp_path / "new.csv"
    inputs.write_text("a,b\n2.0,2.0\n-2.0,-2.0\n")
    code, out, _ = run_cli(
        ["predict", "--model", tmp_path / "r", "--input", inputs], capsys
    )
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["prediction", "p_down", "p_up"]
    assert [r[0] for r in rows[1:]] == ["up", "down"]
    assert all(abs(float(r[1]) + float(r[2]) - 1) < 1e-5 for r in rows[1:])

    # evaluate on the same file with the labels
    code, out, _ = run_cli(
        [
            "evaluate",
            "--model",
            tmp_path / "r" / "model.npz",
            "--data",
            path,
            "--label-column",
            "kind",
        ],
        capsys,
    )
    assert code == 0 and "accuracy" in out and str(path) in out


def test_evaluate_a_run_folder_reports_its_own_split(trained, capsys):
    folder, _ = trained
    code, out, _ = run_cli(["evaluate", folder], capsys)
    assert code == 0
    metrics = json.loads((folder / "metrics.json").read_text())
    lines = {line.split()[0]: line.split() for line in out.splitlines()[2:]}
    assert lines["train"][1] == str(metrics["n_train"])
    assert lines["test"][1] == str(metrics["n_test"])
    assert lines["test"][3] == f"{100 * metrics['test_accuracy']:.1f}%"


def test_predict_writes_a_file(trained, tmp_path, capsys):
    folder, _ = trained
    X, _ = mlplab.datasets.make_moons(10, noise=0.0, seed=1)
    np.savetxt(tmp_path / "in.csv", X, delimiter=",")
    code, _, err = run_cli(
        [
            "predict",
            "--model",
            folder / "model.npz",
            "--input",
            tmp_path / "in.csv",
            "--output",
            tmp_path / "out.csv",
            "--header",
            "no",
        ],
        capsys,
    )
    assert code == 0 and "10 predictions" in err
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text())))
    model = mlplab.load(folder / "model.npz")
    expected = model.predict_classes(X)
    assert [int(r[0]) for r in rows[1:]] == expected.tolist()


# -- compare, sweep, recipes, demo -------------------------------------------------
def test_compare_variants_and_the_baseline(tmp_path, capsys):
    code, out, _ = run_cli(
        [
            "compare",
            *FAST,
            "--hidden",
            "3",
            "--variant",
            "hidden=8;activation=relu",
            "--out",
            tmp_path,
        ],
        capsys,
    )
    assert code == 0
    names = [m["name"] for m in json.loads((tmp_path / "results.json").read_text())]
    assert names == ["3 tanh", "8 relu", "logistic regression"]
    for name in names:
        assert name in out
    assert (tmp_path / "boundaries.png").exists() and (tmp_path / "loss.png").exists()
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 3


def test_compare_config_files(tmp_path, capsys):
    a = tmp_path / "a.toml"
    a.write_text("hidden = [2]\nsamples = 80\nepochs = 20\n")
    code, _, _ = run_cli(
        ["compare", a, "--no-baseline", "--out", tmp_path / "o"], capsys
    )
    assert code == 0
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert [r["config"]["hidden"] for r in results] == [[2]]


def test_sweep_over_two_parameters(tmp_path, capsys):
    code, out, _ = run_cli(
        [
            "sweep",
            "--dataset",
            "xor",
            *FAST,
            "--param",
            "hidden=1,3",
            "--param",
            "features=x1,x2;x1,x2,x1*x2",
            "--out",
            tmp_path,
        ],
        capsys,
    )
    assert code == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert [(r["config"]["hidden"], r["config"].get("features")) for r in results] == [
        ([1], ["x1", "x2"]),
        ([1], ["x1", "x2", "x1*x2"]),
        ([3], ["x1", "x2"]),
        ([3], ["x1", "x2", "x1*x2"]),
    ]
    assert "hidden=3, features=x1,x2,x1*x2" in out
    assert (tmp_path / "boundaries.png").exists()


def test_recipe_list_names_every_recipe(capsys):
    code, out, _ = run_cli(["recipe", "list"], capsys)
    assert code == 0
    for name in mlplab.recipes.RECIPES:
        assert name in out


def test_recipe_run_quick(tmp_path, capsys):
    code, out, _ = run_cli(
        ["recipe", "run", "logic-gates", "--quick", "--out", tmp_path], capsys
    )
    assert code == 0
    assert (tmp_path / "results.md").exists()
    assert "single neuron + x1*x2, XOR" in out


def test_demo_writes_the_moons_vs_logistic_recipe(tmp_path, capsys):
    code, out, err = run_cli(["demo", "--quick", "--out", tmp_path / "demo"], capsys)
    assert code == 0 and err == ""
    assert "logistic regression" in out
    assert (tmp_path / "demo" / "boundaries.png").exists()
    assert str(tmp_path / "demo" / "boundaries.png") in out


def test_recipe_readme_regenerates_the_table(tmp_path, capsys, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text("# x\n<!-- recipes:begin -->\nold\n<!-- recipes:end -->\nend\n")
    # Only one quick recipe, to keep the test short.
    one = {"logic-gates": mlplab.recipes.RECIPES["logic-gates"]}
    monkeypatch.setattr(mlplab.recipes, "RECIPES", one)
    original = mlplab.recipes.Recipe.run
    monkeypatch.setattr(
        mlplab.recipes.Recipe, "run", lambda self, out, k=1.0: original(self, out, 0.01)
    )
    code, _, _ = run_cli(
        [
            "recipe",
            "readme",
            "--readme",
            readme,
            "--out",
            tmp_path / "runs",
            "--figures",
            tmp_path / "fig",
        ],
        capsys,
    )
    assert code == 0
    text = readme.read_text()
    assert "old" not in text and text.endswith("<!-- recipes:end -->\nend\n")
    assert "| logic-gates " in text
    assert (tmp_path / "fig" / "logic-gates.png").exists()


# -- errors: one line, exit 2 -----------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["train", "--hidden", "abc"], "hidden='abc'"),
        (["train", "--hidden", "-4"], "hidden='-4'"),
        (["train", "--lr", "-1"], "lr=-1.0"),
        (["train", "--lr", "fast"], "'fast'"),
        (["train", "--epochs", "0"], "epochs=0"),
        (["train", "--batch-size", "0"], "batch_size='0'"),
        (["train", "--dataset", "nope"], "'nope'"),
        (["train", "--activation", "swish"], "'swish'"),
        (["train", "--optimizer", "lbfgsx"], "'lbfgsx'"),
        (["train", "--optimizer", "lbfgs", "--batch-size", "8"], "batch_size=8"),
        (["train", "--features", "x1+x2"], "x1+x2"),
        (["train", "--test-size", "1"], "test_size=1.0"),
        (["train", "--samples", "0"], "samples=0"),
        (["train", "--scale", "zscore"], "'zscore'"),
        (["train", "--data", "missing.csv"], "missing.csv"),
        (["train", "--config", "missing.toml"], "missing.toml"),
        (["compare", "--variant", "hidden"], "KEY=VALUE"),
        (["compare", "--variant", "colour=red"], "'colour'"),
        (["sweep", "--param", "hidden"], "KEY=V1,V2"),
        (["sweep", "--param", "hidden=1", "--param", "hidden=2"], "twice"),
        (["evaluate"], "run folder"),
        (["sweep"], "--param"),
        (["predict", "--model", "nothing.npz", "--input", "x.csv"], "nothing.npz"),
        (["recipe", "run", "nope"], "'nope'"),
    ],
)
def test_bad_values_are_one_line_with_code_2(
    argv, shown, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(
        capsys,
        [*argv, *(["--out", "o"] if argv[0] in ("train", "compare", "sweep") else [])],
    )
    assert shown in line


def test_bad_files_are_one_line_with_code_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.toml").write_text("hidden = [\n")
    assert "bad.toml" in one_line_error(capsys, ["train", "--config", "bad.toml"])
    Path("keys.toml").write_text("colour = 1\n")
    assert "colour" in one_line_error(capsys, ["train", "--config", "keys.toml"])
    Path("ragged.csv").write_text("1,2,0\n3,4\n")
    line = one_line_error(capsys, ["train", "--data", "ragged.csv"])
    assert "ragged.csv" in line and "line 2" in line
    Path("model.npz").write_bytes(b"not a model")
    Path("x.csv").write_text("1,2\n")
    line = one_line_error(
        capsys, ["predict", "--model", "model.npz", "--input", "x.csv"]
    )
    assert "model.npz" in line


# A command printing line after line, as `mlplab predict ... | head -1` sees it.
_MANY_LINES = """
import sys
from mlplab import cli
from mlplab.cli import predict

def run(args):
    for i in range(1_000_000):
        print(f"line {i}")
    return 0

predict.run = run
sys.exit(cli.main(["predict", "--model", "m", "--input", "x"]))
"""


def test_a_reader_that_leaves_early_ends_the_output_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-c", _MANY_LINES],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"line 0\n"
    proc.stdout.close()  # the reader leaves
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""  # no traceback, no complaint at exit


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["train", "--epochs"], "expected one argument"),
        (["train", "--colour", "red"], "--colour"),
        (["recipe"], "ACTION"),
        (["fly"], "'fly'"),
    ],
)
def test_usage_errors_exit_2_in_one_line(argv, shown, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert shown in err and "--help" in err and "Traceback" not in err


def test_a_diverging_run_is_reported_with_exit_code_1(tmp_path, capsys):
    code, out, _ = run_cli(
        [
            "train",
            *FAST,
            "--output-activation",
            "linear",
            "--loss",
            "mse",
            "--activation",
            "relu",
            "--lr",
            "50",
            "--out",
            tmp_path,
        ],
        capsys,
    )
    assert code == 1
    assert "diverged" in out
    assert json.loads((tmp_path / "metrics.json").read_text())["diverged"] is True


# -- help, version ------------------------------------------------------------------
def test_every_subcommand_documents_its_options(capsys):
    commands = (
        "train",
        "compare",
        "sweep",
        "evaluate",
        "predict",
        "report",
        "explain",
        "gradcheck",
        "recipe",
        "demo",
    )
    for command in commands:
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: mlplab {command}" in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for option in (
        "--dataset",
        "--data",
        "--label-column",
        "--samples",
        "--noise",
        "--features",
        "--hidden",
        "--activation",
        "--output-activation",
        "--loss",
        "--optimizer",
        "--lr",
        "--epochs",
        "--batch-size",
        "--init",
        "--l2",
        "--test-size",
        "--seed",
        "--out",
        "--config",
    ):
        assert option in out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mlplab {mlplab.__version__}"


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: mlplab" in out
    for command in (
        "train",
        "compare",
        "sweep",
        "evaluate",
        "predict",
        "report",
        "explain",
        "gradcheck",
        "recipe",
        "demo",
    ):
        assert command in out


def test_installed_console_script(tmp_path):
    script = shutil.which("mlplab", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the mlplab console script is not installed")
    result = subprocess.run(
        [script, "train", "--hidden", "x"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("mlplab: error: ")
    assert "Traceback" not in result.stderr


def test_progress_bar_on_request_and_not_by_default_off_a_terminal(tmp_path, capsys):
    code, _, err = run_cli(
        ["train", *FAST, "--progress", "--out", tmp_path / "a"], capsys
    )
    assert code == 0
    assert "60/60" in err and "epoch" in err  # tqdm's counter and unit
    code, _, err = run_cli(["train", *FAST, "--out", tmp_path / "b"], capsys)
    assert code == 0 and err == ""  # stderr is not a terminal under pytest
