"""The regression data sets ``plane`` and ``gauss``: float targets, seeded,
registered with the data sets, the run configuration and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlplab import datasets
from mlplab.cli import main
from mlplab.config import RunConfig, settings
from mlplab.datasets import make_gauss, make_plane
from mlplab.rundata import load_data
from mlplab.tasks import infer_task

REGRESSION = {"plane": make_plane, "gauss": make_gauss}


def _gauss_by_hand(X: np.ndarray) -> np.ndarray:
    """Six bumps of width 0.2 at (+-2/3 or 0, +-5/12), signs a checkerboard."""
    y = np.zeros(len(X))
    for row, x2 in enumerate((5 / 12, -5 / 12)):
        for col, x1 in enumerate((-2 / 3, 0.0, 2 / 3)):
            sign = 1.0 if (row + col) % 2 == 0 else -1.0
            d2 = (X[:, 0] - x1) ** 2 + (X[:, 1] - x2) ** 2
            y += sign * np.exp(-d2 / (2 * 0.2**2))
    return y


TARGETS = {
    "plane": lambda X: (X[:, 0] + X[:, 1]) / 2,
    "gauss": _gauss_by_hand,
}


@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize("n", [1, 2, 201])
def test_shapes_dtypes_and_task(name: str, n: int) -> None:
    X, y = REGRESSION[name](n_samples=n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(y).all()
    assert infer_task(labels=y) == "regression"


@pytest.mark.parametrize("name", REGRESSION)
def test_points_are_uniform_in_the_square(name: str) -> None:
    X, _ = REGRESSION[name](n_samples=4000, seed=1)
    assert X.min() >= -1.0 and X.max() < 1.0
    # Each quarter of the square holds about a quarter of the points.
    quarters = np.histogram2d(X[:, 0], X[:, 1], bins=2, range=[[-1, 1], [-1, 1]])[0]
    assert np.all(np.abs(quarters / 4000 - 0.25) < 0.03)


@pytest.mark.parametrize("name", REGRESSION)
def test_noise_free_targets(name: str) -> None:
    X, y = REGRESSION[name](n_samples=300, noise=0.0, seed=2)
    np.testing.assert_allclose(y, TARGETS[name](X), rtol=0, atol=1e-12)
    assert -1.0 <= y.min() and y.max() <= 1.0


def test_gauss_peaks_at_its_bumps() -> None:
    X, y = make_gauss(20000, noise=0.0, seed=0)
    near = np.hypot(X[:, 0] + 2 / 3, X[:, 1] - 5 / 12) < 0.05
    assert near.any() and y[near].min() > 0.9
    near = np.hypot(X[:, 0], X[:, 1] - 5 / 12) < 0.05
    assert near.any() and y[near].max() < -0.9


@pytest.mark.parametrize("name", REGRESSION)
def test_noise_is_added_to_the_targets(name: str) -> None:
    X0, y0 = REGRESSION[name](n_samples=5000, noise=0.0, seed=3)
    X1, y1 = REGRESSION[name](n_samples=5000, noise=0.3, seed=3)
    assert X0.tobytes() == X1.tobytes()  # the points stay where they are
    assert abs(np.std(y1 - y0) - 0.3) < 0.02
    assert abs(np.mean(y1 - y0)) < 0.02


@pytest.mark.parametrize("name", REGRESSION)
def test_same_seed_same_bits_other_seed_other_data(name: str) -> None:
    make = REGRESSION[name]
    X1, y1 = make(n_samples=50, seed=3)
    X2, y2 = make(n_samples=50, seed=3)
    X3, y3 = make(n_samples=50, seed=4)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    assert not np.array_equal(X1, X3) and not np.array_equal(y1, y3)


@pytest.mark.parametrize("name", REGRESSION)
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"noise": -0.1}, "noise"),
        ({"noise": float("inf")}, "noise"),
    ],
)
def test_bad_arguments(name: str, kwargs: dict[str, float], match: str) -> None:
    with pytest.raises((TypeError, ValueError), match=match):
        REGRESSION[name](**kwargs)


@pytest.mark.parametrize("name", REGRESSION)
def test_registered_with_the_data_sets(name: str) -> None:
    assert datasets.GENERATORS[name] is REGRESSION[name]
    assert name in datasets.dataset_names()
    X, y = datasets.load_dataset(name.upper(), n_samples=40, noise=0.05, seed=5)
    X2, y2 = REGRESSION[name](n_samples=40, noise=0.05, seed=5)
    assert X.tobytes() == X2.tobytes() and y.tobytes() == y2.tobytes()
    help_text = next(s.help for s in settings() if s.key == "dataset")
    assert name in help_text.split(": ", 1)[1].split(", ")


@pytest.mark.parametrize("name", REGRESSION)
def test_a_run_on_them_is_a_regression(name: str) -> None:
    data = load_data(RunConfig(dataset=name, samples=100, seed=0))
    assert data.task == "regression" and data.classes == []
    assert data.y_train.dtype == np.float64
    assert data.X_test is not None and len(data.X_test) == 20


def test_mlplab_train_on_plane(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plane"
    argv = ["train", "--dataset", "plane", "--epochs", "50", "--no-progress"]
    assert main([*argv, "--out", str(out)]) == 0
    capsys.readouterr()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["dataset"] == "plane"
    assert (metrics["task"], metrics["classes"]) == ("regression", [])
    # The targets have variance about 1/6 + noise^2; 50 epochs do much better.
    assert metrics["loss_history"][-1] < 0.05
    assert metrics["test_mse"] < 0.05
