"""Sweeps sequentially, on loky worker processes and on a Dask cluster: the
same grid gives the same bits everywhere, and a failing run does not stop it."""

import json

import numpy as np
import pytest

import mlplab as ml
from mlplab import sweep
from mlplab.cli import main
from mlplab.rundata import load_data
from mlplab.runs import FailedRun, RunResult

BASE = ml.RunConfig(samples=80, epochs=25, test_size=0.25)
GRID = {"hidden": ["1", "4"], "lr": [0.3, 1.0]}


def _same(a, b):
    assert [r.label for r in a] == [r.label for r in b]
    for x, y in zip(a, b, strict=True):
        assert x.metrics["loss_history"] == y.metrics["loss_history"]
        for wx, wy in zip(x.model.get_weights(), y.model.get_weights(), strict=True):
            np.testing.assert_array_equal(wx, wy)


@pytest.fixture(scope="module")
def sequential():
    return sweep.run(BASE, GRID)


def test_loky_gives_the_sequential_bits(sequential):
    _same(sequential, sweep.run(BASE, GRID, backend="loky", n_jobs=2))


def test_a_dask_local_cluster_gives_the_sequential_bits(sequential):
    pytest.importorskip("dask.distributed")
    _same(sequential, sweep.run(BASE, GRID, backend="dask", n_jobs=2))


def test_a_given_dask_client_is_used_and_left_open(sequential):
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        results = sweep.run(BASE, GRID, backend="dask", scheduler=client)
        assert client.status == "running"
        # the address form too
        again = sweep.run(
            BASE, {"hidden": ["4"]}, backend="dask", scheduler=cluster.scheduler_address
        )
    _same(sequential, results)
    assert again[0].metrics["loss_history"] == sequential[2].metrics["loss_history"]


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    results = sweep.run(BASE, {"features": ["x1,x2", "x1*x3"]}, out=tmp_path)
    ok, failed = results
    assert isinstance(ok, RunResult) and isinstance(failed, FailedRun)
    assert "x3" in failed.error and failed.error.startswith("ValueError")
    assert results.succeeded == [ok] and results.failed == [failed]
    rows = results.table()
    assert [r["status"] for r in rows] == ["ok", "failed"]
    assert rows[1]["error"] == failed.error
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved[1]["failed"] is True
    assert "failed: ValueError" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "boundaries.png").exists()  # drawn for the runs that finished


def test_a_diverging_run_is_a_result_marked_diverged():
    base = ml.RunConfig(
        samples=60,
        epochs=40,
        test_size=0.0,
        activation="relu",
        output_activation="linear",
        loss="mse",
    )
    results = sweep.run(base, {"lr": [0.01, 50.0]})
    assert [r.diverged for r in results] == [False, True]
    assert results.table()[1]["status"] == "diverged"


def test_results_table_rows_carry_the_metrics(sequential):
    rows = sequential.table()
    assert len(rows) == 4
    for row, r in zip(rows, sequential, strict=True):
        assert row["run"] == r.label and row["status"] == "ok"
        assert row["test_accuracy"] == r.metrics["test_accuracy"]
    assert "hidden=4, lr=1.0" in sequential.to_markdown()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"backend": "spark"}, "'spark'"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"scheduler": "tcp://x:1"}, "backend='dask'"),
    ],
)
def test_bad_sweep_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sweep.run(BASE, GRID, **kwargs)


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", 1)
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler"):
        sweep.run(
            BASE, {"hidden": ["1"]}, backend="dask", scheduler="tcp://127.0.0.1:9"
        )


def test_cli_sweep_on_loky(tmp_path, capsys):
    code = main(
        [
            "sweep",
            "--samples",
            "80",
            "--epochs",
            "25",
            "--param",
            "hidden=1,4",
            "--backend",
            "loky",
            "--n-jobs",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "hidden=1" in out and "hidden=4" in out
    assert len(json.loads((tmp_path / "results.json").read_text())) == 2


def test_a_sweep_over_the_data_seed_trains_each_run_on_its_own_data():
    results = sweep.run(BASE, {"data_seed": [1, 2]})
    one, two = (r.data for r in results)
    assert not np.array_equal(one.X_train, two.X_train)
    for result, seed in zip(results, (1, 2), strict=True):
        alone = load_data(BASE.replace(data_seed=seed))
        np.testing.assert_array_equal(result.data.X_train, alone.X_train)
