"""Tests for mlplab.runs (load_data, build_model, train, write_run, tables) and
mlplab.sweep (grid_configs, run, compare)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlplab import persistence, sweep
from mlplab.config import RunConfig
from mlplab.features import Features
from mlplab.layers import Dense, Rescaling
from mlplab.regularizers import L2
from mlplab.runs import (
    build_model,
    format_table,
    load_data,
    results_table,
    train,
    write_run,
    write_summary,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# A small, fast network on two-moons: the base of most tests here.
SMALL = RunConfig(samples=80, hidden=(4,), epochs=15, lr=0.5, seed=1)
# Diverges within a few epochs: a ReLU regression net with a huge step.
DIVERGING = RunConfig(
    samples=100,
    hidden=(5,),
    activation="relu",
    init="he_normal",
    output_activation="linear",
    loss="mse",
    lr=5.0,
    epochs=50,
    seed=0,
)

METRIC_KEYS = {
    # documented in the module docstring
    "final_loss",
    "train_accuracy",
    "test_accuracy",
    "epochs",
    "loss_history",
    "val_loss_history",
    "time_history",
    "seconds",
    "diverged",
    "classes",
    "n_train",
    "n_test",
    "config",
    # documented in train(): the epoch and the message of a divergence
    "diverged_epoch",
    "error",
    # also written
    "name",
    "task",
    "n_params",
    "test_loss",
}


def _no_constants(name: str) -> Any:
    raise AssertionError(f"metrics.json holds the non-JSON constant {name}")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constants)


def _write_csv(path: Path, header: str, rows: list[tuple[Any, ...]]) -> Path:
    lines = [header, *(",".join(str(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pets_csv(tmp_path: Path) -> Path:
    """Two features and text labels; x1 is the row number, so every row can
    be traced back to its label after shuffling and splitting."""
    kinds = ["dog", "cat", "emu"]
    rows = [(i, (i * 7) % 5, kinds[i % 3]) for i in range(30)]
    return _write_csv(tmp_path / "pets.csv", "x1,x2,kind", rows)


@pytest.fixture
def two_pets_csv(tmp_path: Path) -> Path:
    """Two features, two text classes, separable by x2's sign."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(40):
        kind = "dog" if i % 2 else "cat"
        x2 = rng.uniform(0.5, 2.0) * (1 if kind == "dog" else -1)
        rows.append((round(rng.normal(), 4), round(x2, 4), kind))
    return _write_csv(tmp_path / "two.csv", "a,b,kind", rows)


# -- load_data ----------------------------------------------------------------


def test_load_data_binary() -> None:
    data = load_data(RunConfig(samples=100, test_size=0.2))
    assert data.task == "binary"
    assert data.classes == [0, 1]
    assert data.X_train.shape == (80, 2)
    assert data.X_test is not None and data.y_test is not None
    assert data.X_test.shape == (20, 2)
    assert set(np.unique(data.y_train)) == {0, 1}
    assert data.n_features == 2


def test_load_data_multiclass_iris_stratified() -> None:
    data = load_data(RunConfig(dataset="iris", test_size=0.2))
    assert data.task == "multiclass"
    assert data.classes == [0, 1, 2]
    assert data.n_features == 4
    assert data.y_test is not None
    # 50 of each class: a stratified 20% holds 10 of each.
    assert np.bincount(data.y_test).tolist() == [10, 10, 10]
    assert np.bincount(data.y_train).tolist() == [40, 40, 40]


def test_load_data_stratified_split_sizes_binary() -> None:
    data = load_data(RunConfig(samples=200, test_size=0.25, seed=3))
    assert data.y_test is not None
    assert np.bincount(data.y_test).tolist() == [25, 25]
    assert np.bincount(data.y_train).tolist() == [75, 75]


def test_load_data_regression_from_csv(tmp_path: Path) -> None:
    xs = np.linspace(-1.0, 1.0, 20)
    rows = [(round(x, 6), round(2.5 * x + 0.3, 6)) for x in xs]
    path = _write_csv(tmp_path / "reg.csv", "x,y", rows)
    data = load_data(RunConfig(data=str(path), test_size=0.25, seed=0))
    assert data.task == "regression"
    assert data.classes == []
    assert data.y_train.dtype.kind == "f"
    assert data.X_test is not None and data.y_test is not None
    assert data.X_train.shape == (15, 1) and data.X_test.shape == (5, 1)
    # The targets are kept as they are, each next to its own x.
    X = np.concatenate([data.X_train[:, 0], data.X_test[:, 0]])
    y = np.concatenate([data.y_train, data.y_test])
    np.testing.assert_allclose(y, 2.5 * X + 0.3, atol=1e-5)


def test_load_data_string_labels(pets_csv: Path) -> None:
    data = load_data(RunConfig(data=str(pets_csv), test_size=0.3, seed=2))
    assert data.task == "multiclass"
    assert data.classes == ["cat", "dog", "emu"]
    assert data.X_test is not None and data.y_test is not None
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    assert y.dtype.kind in "iu"
    assert sorted(set(y.tolist())) == [0, 1, 2]
    kinds = ["dog", "cat", "emu"]
    for row, code in zip(X, y, strict=True):
        assert data.classes[code] == kinds[int(row[0]) % 3]


def test_load_data_label_column_by_name(tmp_path: Path) -> None:
    rows = [(i % 2, i, float(i) / 10) for i in range(10)]
    path = _write_csv(tmp_path / "first.csv", "label,a,b", rows)
    data = load_data(RunConfig(data=str(path), label_column="label", test_size=0))
    assert data.n_features == 2
    assert data.y_train.tolist() == [i % 2 for i in range(10)]
    np.testing.assert_array_equal(data.X_train[:, 0], np.arange(10.0))


def test_load_data_without_split() -> None:
    data = load_data(RunConfig(samples=50, test_size=0))
    assert data.X_test is None and data.y_test is None
    assert data.X_train.shape == (50, 2)


def test_load_data_same_seed_same_split() -> None:
    a = load_data(RunConfig(samples=60, seed=5))
    b = load_data(RunConfig(samples=60, seed=5))
    c = load_data(RunConfig(samples=60, seed=6))
    assert a.X_test is not None and b.X_test is not None and c.X_test is not None
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.X_train, c.X_train)


def test_load_data_one_class_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "one.csv", "a,b,y", [(i, i + 1, 1) for i in range(8)])
    with pytest.raises(ValueError, match="at least two classes"):
        load_data(RunConfig(data=str(path), test_size=0))


def test_load_data_sigmoid_with_three_classes_refused() -> None:
    with pytest.raises(ValueError, match="softmax"):
        load_data(RunConfig(dataset="iris", output_activation="sigmoid"))


def test_load_data_file_without_labels_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.npy"
    np.save(path, np.ones((5, 2)))
    with pytest.raises(ValueError, match="label column"):
        load_data(RunConfig(data=str(path)))


# -- build_model --------------------------------------------------------------


def _dense(model: Any) -> list[Dense]:
    return [layer for layer in model.layers if isinstance(layer, Dense)]


def test_build_model_layer_stack() -> None:
    config = RunConfig(samples=40, hidden=(4, 3), activation="relu")
    model = build_model(config, load_data(config))
    assert all(isinstance(layer, Dense) for layer in model.layers)
    assert [d.units for d in model.layers] == [4, 3, 1]
    assert [d.activation.name for d in model.layers] == ["relu", "relu", "sigmoid"]
    assert model.loss.name == "binary_crossentropy"
    assert model.count_params() == (2 * 4 + 4) + (4 * 3 + 3) + (3 * 1 + 1)


def test_build_model_logistic_regression() -> None:
    config = RunConfig(samples=40, hidden=())
    model = build_model(config, load_data(config))
    assert len(model.layers) == 1
    (out,) = model.layers
    assert isinstance(out, Dense)
    assert out.units == 1 and out.activation.name == "sigmoid"
    assert model.count_params() == 3


def test_build_model_features_layer_first() -> None:
    config = RunConfig(samples=40, hidden=(3,), features="x1,x2,x1*x2")
    data = load_data(config)
    model = build_model(config, data)
    assert isinstance(model.layers[0], Features)
    assert _dense(model)[0].params["W"].shape == (3, 3)
    # The model takes the two raw inputs; the layer computes the crosses.
    X = data.X_train
    np.testing.assert_allclose(
        model.layers[0].forward(X),
        np.column_stack([X[:, 0], X[:, 1], X[:, 0] * X[:, 1]]),
    )
    assert model.predict(X).shape == (X.shape[0], 1)


def test_build_model_standard_scaling() -> None:
    config = RunConfig(dataset="blobs", samples=90, scale="standard", noise=3.0)
    data = load_data(config)
    model = build_model(config, data)
    layer = model.layers[0]
    assert isinstance(layer, Rescaling)
    assert not np.allclose(data.X_train.std(axis=0), 1.0)  # scaling does something
    A = layer.forward(data.X_train)
    np.testing.assert_allclose(A.mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(A.std(axis=0), 1.0, atol=1e-10)


def test_build_model_minmax_scaling_before_features() -> None:
    config = RunConfig(samples=60, scale="minmax", features="x1,x1*x2")
    data = load_data(config)
    model = build_model(config, data)
    assert isinstance(model.layers[0], Rescaling)
    assert isinstance(model.layers[1], Features)
    A = model.layers[0].forward(data.X_train)
    np.testing.assert_allclose(A.min(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(A.max(axis=0), 1.0, atol=1e-12)


def test_build_model_softmax_for_three_classes() -> None:
    config = RunConfig(dataset="iris", hidden=(6,))
    model = build_model(config, load_data(config))
    out = model.layers[-1]
    assert isinstance(out, Dense)
    assert out.units == 3 and out.activation.name == "softmax"
    assert model.loss.name == "categorical_crossentropy"


def test_build_model_regression(tmp_path: Path) -> None:
    rows = [(i, i * 0.5 + 0.25) for i in range(10)]
    path = _write_csv(tmp_path / "reg.csv", "x,y", rows)
    config = RunConfig(data=str(path), hidden=(2,), test_size=0)
    model = build_model(config, load_data(config))
    out = model.layers[-1]
    assert isinstance(out, Dense)
    assert out.units == 1 and out.activation.name == "linear"
    assert model.loss.name == "mse"


def test_build_model_l2_on_every_dense() -> None:
    config = RunConfig(samples=40, hidden=(4, 3), l2=0.01)
    model = build_model(config, load_data(config))
    regs = [d.kernel_regularizer for d in _dense(model)]
    assert len(regs) == 3
    assert all(isinstance(r, L2) and r.l2 == 0.01 for r in regs)
    plain = build_model(config.replace(l2=0.0), load_data(config))
    assert all(d.kernel_regularizer is None for d in _dense(plain))


def test_build_model_activation_parameter_and_optimizer() -> None:
    config = RunConfig(
        samples=40, hidden=(3,), activation="elu:2", optimizer="nesterov"
    )
    model = build_model(config, load_data(config))
    hidden = _dense(model)[0]
    assert hidden.activation.name == "elu"
    assert hidden.activation.alpha == 2.0
    assert model.optimizer.momentum == 0.9 and model.optimizer.nesterov is True


def test_build_model_same_seed_same_weights() -> None:
    data = load_data(SMALL)
    a = build_model(SMALL, data)
    b = build_model(SMALL, data)
    c = build_model(SMALL.replace(seed=2), data)
    wa, wb, wc = (_dense(m)[0].params["W"] for m in (a, b, c))
    np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(wa, wc)


# -- train --------------------------------------------------------------------


def test_train_metrics() -> None:
    result = train(SMALL)
    m = result.metrics
    assert set(m) == METRIC_KEYS
    assert m["task"] == "binary" and m["classes"] == [0, 1]
    assert (m["n_train"], m["n_test"]) == (64, 16)
    assert m["epochs"] == SMALL.epochs
    assert len(m["loss_history"]) == SMALL.epochs
    assert len(m["val_loss_history"]) == SMALL.epochs
    assert len(m["time_history"]) == SMALL.epochs
    assert (np.diff(m["time_history"]) >= 0).all()
    assert m["seconds"] >= m["time_history"][-1] > 0
    assert m["diverged"] is False and m["error"] is None
    assert m["diverged_epoch"] is None
    assert m["n_params"] == (2 * 4 + 4) + (4 + 1)
    assert RunConfig.from_dict(m["config"]) == SMALL
    assert result.diverged is False
    # The loss went down, and the numbers agree with the model itself.
    assert m["loss_history"][-1] < m["loss_history"][0]
    data = result.data
    p = result.model.predict(data.X_train)[:, 0]
    y = data.y_train
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert m["final_loss"] == pytest.approx(bce, rel=1e-9)
    assert m["train_accuracy"] == pytest.approx(np.mean((p > 0.5) == y))
    assert data.X_test is not None
    q = result.model.predict(data.X_test)[:, 0]
    assert m["test_accuracy"] == pytest.approx(np.mean((q > 0.5) == data.y_test))


def test_final_loss_includes_regularization() -> None:
    config = SMALL.replace(l2=0.1)
    result = train(config)
    p = result.model.predict(result.data.X_train)[:, 0]
    y = result.data.y_train
    bce = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = 0.1 * sum(np.sum(d.params["W"] ** 2) for d in _dense(result.model))
    assert result.metrics["final_loss"] == pytest.approx(bce + penalty, rel=1e-9)


def test_train_without_split() -> None:
    m = train(SMALL.replace(test_size=0)).metrics
    assert m["test_accuracy"] is None
    assert m["test_loss"] is None
    assert m["val_loss_history"] == []
    assert m["n_test"] == 0 and m["n_train"] == 80
    assert m["train_accuracy"] is not None


def test_train_regression_metrics(tmp_path: Path) -> None:
    rows = [(round(x, 4), round(0.5 * x - 0.2, 4)) for x in np.linspace(-1, 1, 30)]
    path = _write_csv(tmp_path / "reg.csv", "x,y", rows)
    config = RunConfig(data=str(path), hidden=(), lr=0.5, epochs=200, test_size=0.2)
    result = train(config)
    m = result.metrics
    assert m["task"] == "regression"
    assert m["train_accuracy"] is None and m["test_accuracy"] is None
    pred = result.model.predict(result.data.X_train)[:, 0]
    mse = np.mean((pred - result.data.y_train) ** 2)
    assert m["train_mse"] == pytest.approx(mse, rel=1e-9)
    assert m["train_mse"] < 1e-3  # a straight line is learned


def test_a_poisson_run_on_counts_gets_an_exp_output(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=60)
    counts = rng.poisson(np.exp(1 + x))
    rows = [(round(v, 4), int(c)) for v, c in zip(x, counts, strict=True)]
    path = _write_csv(tmp_path / "counts.csv", "x,count", rows)
    # Integer labels would be classes; the loss makes them counts.
    config = RunConfig(
        data=str(path), hidden=(), loss="poisson", lr=0.1, epochs=300, test_size=0.2
    )
    result = train(config)
    out = result.model.layers[-1]
    assert isinstance(out, Dense) and out.activation.name == "exp"
    assert result.metrics["task"] == "regression"
    curve = result.metrics["loss_history"]
    assert curve[-1] < 0.5 * curve[0]
    # exp(1 + x) is learned: the weight and the bias come near 1
    W, b = result.model.get_weights()
    assert abs(W[0, 0] - 1) < 0.3 and abs(b[0] - 1) < 0.3


def test_a_huber_run_with_its_delta(tmp_path: Path) -> None:
    rows = [(round(x, 4), round(0.5 * x - 0.2, 4)) for x in np.linspace(-1, 1, 30)]
    path = _write_csv(tmp_path / "reg.csv", "x,y", rows)
    config = RunConfig(data=str(path), hidden=(), loss="huber:0.5", epochs=20)
    model = build_model(config, load_data(config))
    assert model.loss.get_config() == {"name": "huber", "delta": 0.5}
    assert model.layers[-1].activation.name == "linear"


def test_train_is_deterministic() -> None:
    config = SMALL.replace(batch_size=8, optimizer="adam", lr=0.05)
    a, b = train(config), train(config)
    assert a.metrics["loss_history"] == b.metrics["loss_history"]
    assert a.metrics["val_loss_history"] == b.metrics["val_loss_history"]
    assert a.metrics["final_loss"] == b.metrics["final_loss"]
    c = train(config.replace(seed=2))
    assert c.metrics["loss_history"] != a.metrics["loss_history"]


def test_diverging_run_is_reported(tmp_path: Path) -> None:
    result = train(DIVERGING)  # does not raise
    m = result.metrics
    assert result.diverged is True and m["diverged"] is True
    assert m["final_loss"] is None and m["test_loss"] is None
    assert isinstance(m["error"], str) and "diverged" in m["error"]
    assert isinstance(m["diverged_epoch"], int)
    assert 0 <= m["diverged_epoch"] < DIVERGING.epochs
    assert m["epochs"] < DIVERGING.epochs
    assert len(m["loss_history"]) == m["epochs"]
    # The model keeps the last weights that gave a finite loss.
    assert np.isfinite(result.model.predict(result.data.X_train)).all()
    # ... so the run folder can still be written, without NaN in the JSON.
    folder = write_run(result, tmp_path / "diverged")
    saved = _read_json(folder / "metrics.json")
    assert saved["diverged"] is True and saved["final_loss"] is None
    assert (folder / "model.npz").exists()


def test_write_run(two_pets_csv: Path, tmp_path: Path) -> None:
    config = RunConfig(
        data=str(two_pets_csv), hidden=(3,), epochs=20, lr=0.5, name='pets "v1"'
    )
    result = train(config, tmp_path / "run")
    folder = tmp_path / "run"
    assert result.folder == folder
    names = {p.name for p in folder.iterdir()}
    assert names == {
        "config.toml",
        "model.npz",
        "metrics.json",
        "learning_curves.png",
        "decision_boundary.png",
        "neuron_maps.png",
        "network.png",
        "confusion_matrix.png",
        "report.html",
    }
    back = RunConfig.from_toml(folder / "config.toml")
    assert back == config and back.name == config.name
    # The saved model predicts exactly as the trained one.
    model = persistence.load(folder / "model.npz")
    X = result.data.X_train
    np.testing.assert_array_equal(model.predict(X), result.model.predict(X))
    meta = persistence.read_metadata(folder / "model.npz")
    assert meta["classes"] == ["cat", "dog"]
    assert meta["task"] == "binary"
    saved = _read_json(folder / "metrics.json")
    assert saved["final_loss"] == result.metrics["final_loss"]
    assert saved["loss_history"] == result.metrics["loss_history"]
    assert saved["classes"] == ["cat", "dog"]
    for png in ("learning_curves.png", "decision_boundary.png"):
        assert (folder / png).read_bytes()[:8] == PNG_MAGIC


def test_write_run_no_boundary_for_four_features(tmp_path: Path) -> None:
    config = RunConfig(dataset="iris", hidden=(3,), epochs=5, lr=0.1)
    folder = write_run(train(config), tmp_path / "iris")
    names = {p.name for p in folder.iterdir()}
    assert "decision_boundary.png" not in names
    assert {"config.toml", "model.npz", "metrics.json", "learning_curves.png"} <= names
    assert persistence.read_metadata(folder / "model.npz")["classes"] == [0, 1, 2]


def test_feature_cross_learns_xor() -> None:
    base = RunConfig(dataset="xor", samples=200, hidden=(), epochs=300, lr=1.0, seed=0)
    plain = train(base).metrics["test_accuracy"]
    crossed = train(base.replace(features="x1,x2,x1*x2")).metrics["test_accuracy"]
    assert crossed >= 0.9
    assert plain <= 0.7
    assert crossed > plain


# -- tables -------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_runs() -> list[Any]:
    """A finished run and a diverged one."""
    good = train(SMALL.replace(name="good"))
    bad = train(DIVERGING.replace(name="bad"))
    return [good, bad]


def test_results_table_columns_and_values(two_runs: list[Any]) -> None:
    good = two_runs[0]
    text = results_table([good])
    lines = text.splitlines()
    assert lines[0].split() == [
        "run",
        "final_loss",
        "train_accuracy",
        "test_accuracy",
        "seconds",
    ]
    assert set(lines[1]) <= {"-", " "}
    cells = lines[2].split()
    m = good.metrics
    assert cells[0] == "good"
    assert float(cells[1]) == pytest.approx(m["final_loss"], rel=1e-3)
    assert cells[2] == f"{100 * m['train_accuracy']:.1f}%"
    assert cells[3] == f"{100 * m['test_accuracy']:.1f}%"
    assert float(cells[4]) == pytest.approx(m["seconds"], abs=0.006)


def test_results_table_diverged_row(two_runs: list[Any]) -> None:
    text = results_table(two_runs)
    bad_line = next(line for line in text.splitlines() if line.startswith("bad"))
    epoch = two_runs[1].metrics["diverged_epoch"]
    assert f"diverged (epoch {epoch})" in bad_line
    good_line = next(line for line in text.splitlines() if line.startswith("good"))
    assert "diverged" not in good_line


def test_results_table_regression_columns(two_runs: list[Any]) -> None:
    header = results_table([two_runs[1]]).splitlines()[0].split()
    assert header == ["run", "final_loss", "train_mse", "test_mse", "seconds"]


def test_results_table_custom_columns(two_runs: list[Any]) -> None:
    header = results_table(two_runs[:1], columns=["epochs", "n_params"]).splitlines()
    assert header[0].split() == ["run", "epochs", "n_params"]
    assert header[2].split() == ["good", str(SMALL.epochs), "17"]


def test_results_table_markdown(two_runs: list[Any]) -> None:
    lines = results_table(two_runs, markdown=True).splitlines()
    assert len(lines) == 4
    assert all(
        line.startswith("| ") and line.endswith(" |") for line in (lines[0], *lines[2:])
    )
    assert re.fullmatch(r"\|(-+:?\|)+", lines[1])
    assert lines[1].count("|") == lines[0].count("|") == 6


def test_format_table_plain_alignment() -> None:
    text = format_table(["name", "acc"], [["a", "5.0%"], ["bbbbb", "50.0%"]])
    assert text.splitlines() == [
        "name     acc",
        "-----  -----",
        "a       5.0%",
        "bbbbb  50.0%",
    ]


def test_format_table_markdown() -> None:
    text = format_table(["name", "acc"], [["a", "5.0%"], ["b", "-"]], markdown=True)
    assert text.splitlines() == [
        "| name |  acc |",
        "|------|-----:|",
        "| a    | 5.0% |",
        "| b    |    - |",
    ]


def test_format_table_text_column_left_aligned() -> None:
    text = format_table(["x"], [["1"], ["abc"]], markdown=True)
    assert text.splitlines()[1] == "|-----|"
    assert text.splitlines()[2] == "| 1   |"


# -- sweep.grid_configs -------------------------------------------------------


def test_grid_configs_product_order_and_names() -> None:
    base = RunConfig(samples=30, epochs=5)
    configs = sweep.grid_configs(base, {"hidden": [1, 2], "lr": [0.1, 1.0]})
    assert [(c.hidden, c.lr) for c in configs] == [
        ((1,), 0.1),
        ((1,), 1.0),
        ((2,), 0.1),
        ((2,), 1.0),
    ]
    assert [c.name for c in configs] == [
        "hidden=1, lr=0.1",
        "hidden=1, lr=1.0",
        "hidden=2, lr=0.1",
        "hidden=2, lr=1.0",
    ]
    assert all(c.samples == 30 and c.epochs == 5 for c in configs)


def test_grid_configs_list_values_and_dashed_keys() -> None:
    base = RunConfig()
    configs = sweep.grid_configs(base, {"hidden": [[5, 5], []], "batch-size": [8]})
    assert [c.hidden for c in configs] == [(5, 5), ()]
    assert [c.batch_size for c in configs] == [8, 8]
    assert [c.name for c in configs] == [
        "hidden=5,5, batch-size=8",
        "hidden=0, batch-size=8",
    ]


@pytest.mark.parametrize(
    ("grid", "match"),
    [
        ({}, "at least one parameter"),
        ([("hidden", [1])], "at least one parameter"),
        ({"hidden": []}, "'hidden' needs a non-empty list"),
        ({"hidden": "1,2"}, "'hidden' needs a non-empty list"),
        ({"lr": 0.1}, "'lr' needs a non-empty list"),
        ({"hiden": [1]}, "'hiden'"),
        ({"lr": [0.1, -1.0]}, "lr=-1.0"),
    ],
)
def test_grid_configs_errors(grid: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        sweep.grid_configs(RunConfig(), grid)


def test_sweep_unknown_backend() -> None:
    with pytest.raises(ValueError, match=r"'spark'.*sequential, loky, dask"):
        sweep.run(RunConfig(), {"hidden": [1]}, backend="spark")


# -- sweep.run ----------------------------------------------------------------


def test_sweep_run_writes_folders_and_summary(tmp_path: Path) -> None:
    base = RunConfig(samples=40, epochs=5, seed=2)
    results = sweep.run(base, {"hidden": [1, 2]}, out=tmp_path, title="sizes")
    assert [r.config.hidden for r in results] == [(1,), (2,)]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "01-hidden=1",
        "02-hidden=2",
        "boundaries.png",
        "loss.png",
        "report.html",
        "results.json",
        "results.md",
        "sweep.json",
    ]
    for folder, r in zip(["01-hidden=1", "02-hidden=2"], results, strict=True):
        assert r.folder == tmp_path / folder
        assert {"config.toml", "model.npz", "metrics.json"} <= {
            p.name for p in (tmp_path / folder).iterdir()
        }
        assert RunConfig.from_toml(tmp_path / folder / "config.toml") == r.config
    md = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert md.startswith("# sizes\n")
    assert "| hidden=1 " in md and "| hidden=2 " in md
    saved = _read_json(tmp_path / "results.json")
    assert [s["name"] for s in saved] == ["hidden=1", "hidden=2"]
    assert [s["final_loss"] for s in saved] == [
        r.metrics["final_loss"] for r in results
    ]
    for png in ("loss.png", "boundaries.png"):
        assert (tmp_path / png).read_bytes()[:8] == PNG_MAGIC


def test_sweep_run_without_out_writes_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    results = sweep.run(RunConfig(samples=30, epochs=3), {"lr": [0.1, 0.2]})
    assert len(results) == 2 and all(r.folder is None for r in results)
    assert list(tmp_path.iterdir()) == []


# -- sweep.compare ------------------------------------------------------------


def test_compare_adds_the_baseline_last() -> None:
    net = RunConfig(samples=40, hidden=(3,), features="x1,x2,x1*x2", epochs=5)
    results = sweep.compare([net, net.replace(hidden=(2,))])
    assert len(results) == 3
    last = results[-1]
    assert last.config.hidden == () and last.config.features is None
    assert last.label == "logistic regression"
    assert [d.units for d in _dense(last.model)] == [1]
    # On the same data and split as the network.
    np.testing.assert_array_equal(last.data.X_train, results[0].data.X_train)


def test_compare_without_baseline() -> None:
    net = RunConfig(samples=40, hidden=(3,), epochs=5)
    assert len(sweep.compare([net], baseline=False)) == 1


def test_compare_no_baseline_when_first_is_logistic() -> None:
    first = RunConfig(samples=40, hidden=(), epochs=5)
    results = sweep.compare([first, first.replace(hidden=(3,))])
    assert [r.config.hidden for r in results] == [(), (3,)]


def test_compare_needs_a_config() -> None:
    with pytest.raises(ValueError, match="at least one"):
        sweep.compare([])


def test_results_independent_of_order() -> None:
    a = RunConfig(samples=60, hidden=(3,), epochs=20, batch_size=8, name="a")
    b = a.replace(hidden=(5,), scale="standard", optimizer="adam", lr=0.05, name="b")
    ab = sweep.compare([a, b], baseline=False)
    ba = sweep.compare([b, a], baseline=False)
    alone = train(a)
    assert ab[0].metrics["final_loss"] == ba[1].metrics["final_loss"]
    assert ab[0].metrics["loss_history"] == ba[1].metrics["loss_history"]
    assert ab[1].metrics["loss_history"] == ba[0].metrics["loss_history"]
    assert ab[0].metrics["loss_history"] == alone.metrics["loss_history"]
    assert ab[0].metrics["final_loss"] != ab[1].metrics["final_loss"]


def test_training_leaves_shared_data_untouched() -> None:
    config = RunConfig(samples=50, hidden=(2,), epochs=5, batch_size=4)
    data = load_data(config)
    before = (data.X_train.copy(), data.y_train.copy())
    train(config, data=data)
    np.testing.assert_array_equal(data.X_train, before[0])
    np.testing.assert_array_equal(data.y_train, before[1])


# -- write_summary ------------------------------------------------------------


def test_write_summary_without_boundaries_for_four_features(tmp_path: Path) -> None:
    config = RunConfig(dataset="iris", hidden=(2,), epochs=3)
    results = [train(config), train(config.replace(hidden=()))]
    out = write_summary(results, tmp_path / "s")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["loss.png", "report.html", "results.json", "results.md"]
    md = (out / "results.md").read_text(encoding="utf-8")
    assert not md.startswith("#")  # no title given
    assert "| logistic regression " in md and "| 2 tanh " in md


def test_write_summary_loss_plot_survives_a_diverged_run(
    two_runs: list[Any], tmp_path: Path
) -> None:
    out = write_summary(two_runs, tmp_path / "s", boundaries=False)
    assert (out / "loss.png").read_bytes()[:8] == PNG_MAGIC
    assert not (out / "boundaries.png").exists()
    saved = _read_json(out / "results.json")
    assert [s["diverged"] for s in saved] == [False, True]
