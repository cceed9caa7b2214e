"""The engine of a run: ``RunConfig.engine`` (numpy, numba, auto), its
command-line option, ``engine="auto"``'s choice, the sweep backend ``numba``
(threads, each run the bits of the same run trained alone) and the compile
line of the command line."""

import json

import numpy as np
import pytest

import mlplab as ml
from mlplab import engine, sweep
from mlplab.cli import _options, build_parser, main
from mlplab.config import AUTO_MAX_WEIGHTS, RunConfig
from mlplab.rundata import load_data
from mlplab.runmodel import build_model

HAS_NUMBA = engine.numba_available()
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="needs numba (mlplab[fast])")
INSTALL = "pip install mlplab[fast]"
COMPILED = "compiled the training kernel in"

BASE = RunConfig(samples=80, epochs=25, test_size=0.25)
GRID = {"hidden": ["1", "4"], "lr": [0.3, 1.0]}


@pytest.fixture
def no_numba(monkeypatch):
    """Numba as if it were not installed."""
    monkeypatch.setattr(engine, "numba_available", lambda: False)


# -- the setting ------------------------------------------------------------------
def test_the_default_is_numpy_and_is_left_out_of_the_files():
    config = RunConfig()
    assert config.engine == "numpy"
    assert "engine" not in config.to_dict()
    assert "engine" not in config.to_toml()


@pytest.mark.parametrize(
    ("given", "expected"), [("numpy", "numpy"), (" Numba", "numba"), ("AUTO", "auto")]
)
def test_engine_is_normalized_and_round_trips_through_toml(tmp_path, given, expected):
    config = RunConfig(engine=given)
    assert config.engine == expected
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert RunConfig.from_toml(path).engine == expected
    assert ("engine" in config.to_dict()) == (expected != "numpy")


@pytest.mark.parametrize("bad", ["cuda", "jax", 3])
def test_an_unknown_engine_names_the_valid_ones(bad):
    with pytest.raises((ValueError, TypeError), match="engine"):
        RunConfig(engine=bad)
    if isinstance(bad, str):
        with pytest.raises(ValueError, match="numpy, numba, auto"):
            RunConfig(engine=bad)


@pytest.mark.parametrize("value", ["numpy", "numba", "auto"])
def test_the_engine_option_is_parsed_from_the_command_line(value):
    args = build_parser().parse_args(["train", "--engine", value])
    assert _options.config_from_args(args).engine == value


def test_the_engine_option_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "--engine" in capsys.readouterr().out


# -- build_model --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_build_model_passes_the_engine(name):
    config = RunConfig(samples=40, engine=name)
    assert build_model(config, load_data(config)).engine == name


def test_an_engine_numba_without_numba_says_how_to_install_it(no_numba):
    config = RunConfig(samples=40, engine="numba")
    with pytest.raises(ImportError, match=INSTALL.replace("[", r"\[")):
        build_model(config, load_data(config))


@needs_numba
@pytest.mark.parametrize(
    ("changes", "component"),
    [({"dropout": 0.2}, "Dropout"), ({"scale": "standard"}, "Rescaling")],
)
def test_engine_numba_refuses_an_uncovered_network_by_name(changes, component):
    config = RunConfig(samples=40, engine="numba", **changes)
    with pytest.raises(ValueError, match=component):
        build_model(config, load_data(config))


# (configuration changes, whether "auto" takes numba where it is installed)
AUTO_CASES = [
    ({}, True),  # 2-5-1: 21 weights
    ({"hidden": (8, 8), "optimizer": "adam"}, True),
    (
        {"dataset": "digits", "samples": None, "hidden": (100,)},
        True,
    ),  # 64*100+100+100*10+10 = 7510
    ({"dataset": "digits", "samples": None, "hidden": (150,)}, False),  # 11260 weights
    ({"scale": "standard"}, False),
    ({"dropout": 0.1}, False),
    ({"features": "x1,x2,x1*x2"}, False),
    ({"clipnorm": 1.0}, False),
    ({"loss": "huber"}, False),
]


@pytest.mark.parametrize(("changes", "compiled"), AUTO_CASES)
def test_auto_picks_numba_for_small_covered_networks_only(changes, compiled):
    config = RunConfig(**{"samples": 60, "engine": "auto", **changes})
    model = build_model(config, load_data(config))
    assert model.engine == ("numba" if compiled and HAS_NUMBA else "numpy")
    assert (model.count_params() <= AUTO_MAX_WEIGHTS) == (
        "hidden" not in changes or changes["hidden"] != (150,)
    )


@pytest.mark.parametrize(("changes", "compiled"), AUTO_CASES[:2])
def test_auto_without_numba_is_numpy_and_no_error(no_numba, changes, compiled):
    config = RunConfig(samples=60, engine="auto", **changes)
    assert build_model(config, load_data(config)).engine == "numpy"


def test_auto_trains_the_numpy_bits_where_it_picks_numpy():
    config = RunConfig(samples=60, epochs=30, scale="standard")
    a = ml.runs.train(config)
    b = ml.runs.train(config.replace(engine="auto"))
    assert a.metrics["loss_history"] == b.metrics["loss_history"]


# -- the sweep backend -----------------------------------------------------------------
def _same(a, b):
    assert [r.label for r in a] == [r.label for r in b]
    for x, y in zip(a, b, strict=True):
        assert x.metrics["loss_history"] == y.metrics["loss_history"]
        for wx, wy in zip(x.model.get_weights(), y.model.get_weights(), strict=True):
            np.testing.assert_array_equal(wx, wy)


@needs_numba
@pytest.mark.parametrize("n_jobs", [2, -1])
def test_the_numba_backend_gives_the_bits_of_each_run_alone(n_jobs):
    threaded = sweep.run(BASE, GRID, backend="numba", n_jobs=n_jobs)
    alone = sweep.run(BASE.replace(engine="numba"), GRID)
    _same(alone, threaded)
    assert {r.config.engine for r in threaded} == {"numba"}
    assert {r.model.engine for r in threaded} == {"numba"}
    # and the compiled engine did train them: close to NumPy's, not its bits
    numpy_runs = sweep.run(BASE, GRID)
    for x, y in zip(numpy_runs, threaded, strict=True):
        for wx, wy in zip(x.model.get_weights(), y.model.get_weights(), strict=True):
            np.testing.assert_allclose(wy, wx, rtol=0, atol=1e-12 * np.abs(wx).max())


@needs_numba
def test_the_numba_backend_writes_the_run_folders(tmp_path):
    results = sweep.run(BASE, {"hidden": ["2", "3"]}, backend="numba", out=tmp_path)
    state = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert [c["engine"] for c in state["configs"]] == ["numba", "numba"]
    for r in results:
        assert (r.folder / "decision_boundary.png").exists()
        assert 'engine = "numba"' in (r.folder / "config.toml").read_text()
    resumed = sweep.resume(tmp_path, backend="numba")
    _same(results, resumed)


@needs_numba
@pytest.mark.parametrize(
    ("grid", "named", "component"),
    [
        ({"dropout": [0.0, 0.2]}, "dropout=0.2", "Dropout"),
        ({"clipnorm": [1.0]}, "clipnorm=1.0", "clipnorm"),
        ({"scale": ["none", "minmax"]}, "scale=minmax", "Rescaling"),
    ],
)
def test_the_numba_backend_refuses_uncovered_configurations_up_front(
    tmp_path, grid, named, component
):
    with pytest.raises(ValueError, match="backend='numba'") as info:
        sweep.run(BASE, grid, backend="numba", out=tmp_path / "out")
    assert named in str(info.value)
    assert component in str(info.value)
    assert not (tmp_path / "out").exists()  # nothing written, nothing trained


def test_the_numba_backend_without_numba_says_how_to_install_it(no_numba):
    with pytest.raises(ImportError, match=r"pip install mlplab\[fast\]"):
        sweep.run(BASE, GRID, backend="numba")


# -- the command line ------------------------------------------------------------------
def test_compile_seconds_counts_the_outermost_events():
    class Ev:
        def __init__(self, start):
            self.is_start = start

    buffer = [
        (1.0, Ev(True)),
        (1.5, Ev(True)),  # an inner function compiled by its caller
        (2.0, Ev(False)),
        (4.0, Ev(False)),
        (10.0, Ev(True)),
        (10.5, Ev(False)),
    ]
    assert _options.compile_seconds(buffer) == pytest.approx(3.5)
    assert _options.compile_seconds([]) is None


@needs_numba
@pytest.mark.parametrize(("engines", "shown"), [({"numba"}, True), ({"numpy"}, False)])
def test_report_compile_prints_only_when_numba_compiles(capsys, engines, shown):
    import numba

    with _options.report_compile(engines):
        assert numba.njit(lambda x: x + 1)(1) == 2  # a fresh function: compiled
    out = capsys.readouterr().out
    assert (COMPILED in out) == shown
    with _options.report_compile({"numba"}):
        pass  # nothing compiled
    assert COMPILED not in capsys.readouterr().out


@needs_numba
def test_cli_train_engine_numba_prints_the_compile_line_at_most_once(tmp_path, capsys):
    outs = []
    for k in range(2):
        argv = ["train", "--samples", "60", "--epochs", "20", "--engine", "numba"]
        code = main([*argv, "--out", str(tmp_path / f"r{k}"), "--no-progress"])
        assert code == 0
        outs.append(capsys.readouterr().out)
    assert sum(o.count(COMPILED) for o in outs) <= 1
    assert COMPILED not in outs[1]  # the kernel is loaded by then
    metrics = json.loads((tmp_path / "r1" / "metrics.json").read_text())
    assert metrics["config"]["engine"] == "numba"


def test_cli_engine_numba_without_numba_is_one_line_and_exit_2(
    no_numba, tmp_path, capsys
):
    argv = ["train", "--samples", "40", "--epochs", "2", "--engine", "numba"]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert INSTALL in err
    assert len(err.strip().splitlines()) == 1


def test_cli_sweep_backend_numba_without_numba_is_one_line_and_exit_2(
    no_numba, tmp_path, capsys
):
    argv = ["sweep", "--param", "hidden=1,2", "--backend", "numba"]
    assert main([*argv, "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert INSTALL in err
    assert len(err.strip().splitlines()) == 1


@needs_numba
def test_cli_sweep_backend_numba(tmp_path, capsys):
    argv = ["sweep", "--param", "hidden=1,3", "--backend", "numba", "--n-jobs", "2"]
    argv += [
        "--samples",
        "60",
        "--epochs",
        "10",
        "--out",
        str(tmp_path),
        "--no-progress",
    ]
    assert main(argv) == 0
    state = json.loads((tmp_path / "sweep.json").read_text(encoding="utf-8"))
    assert [c["engine"] for c in state["configs"]] == ["numba", "numba"]
    assert "hidden=3" in capsys.readouterr().out
