"""Model files written by mlplab 0.1 (before the inner interfaces were named)
load, predict from their stored arrays, and keep their optimizer state."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import mlplab as ml

FILES = Path(__file__).resolve().parent / "data" / "models"


def _forward(X, arrays, activations):
    """The stored network's outputs, by the textbook formulas."""
    A = X
    for k, act in enumerate(activations):
        Z = A @ arrays[f"w{2 * k}"] + arrays[f"w{2 * k + 1}"]
        if act == "tanh":
            A = np.tanh(Z)
        elif act == "relu":
            A = np.maximum(Z, 0.0)
        elif act == "elu":
            A = np.where(Z > 0, Z, np.expm1(np.minimum(Z, 0.0)))
        elif act == "sigmoid":
            A = 1.0 / (1.0 + np.exp(-Z))
        elif act == "exp":
            A = np.exp(Z)
        else:
            assert act == "softmax"
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            A = E / E.sum(axis=1, keepdims=True)
    return A


@pytest.mark.parametrize("path", sorted(FILES.glob("mlplab-0.1-*.npz")), ids=str)
def test_a_file_of_mlplab_0_1_loads_predicts_and_keeps_its_optimizer(path):
    stored = np.load(path)
    doc = json.loads(bytes(stored["__mlplab__"]).decode())
    assert doc["mlplab_version"] == "0.1.0"
    model = ml.load(path)
    dense = [c for c in doc["model"]["layers"] if c["class_name"] == "Dense"]
    acts = [c["activation"]["name"] for c in dense]
    X, _ = ml.datasets.make_moons(50, noise=0.2, seed=1)
    X = X.astype(model.dtype)
    tol = 1e-5 if model.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(model.predict(X), _forward(X, stored, acts), rtol=tol)
    state = model.optimizer.get_state()
    assert state["iterations"] == doc["optimizer_state"]["iterations"] > 0
    for name in model.optimizer.slot_names:
        np.testing.assert_array_equal(state["slots"][0][name], stored[f"s0_{name}"])
    # training goes on from the stored state
    y = model.predict(X).argmax(axis=1) if acts[-1] == "softmax" else None
    if y is not None:
        model.fit(X, y, epochs=2)
        assert model.optimizer.iterations == state["iterations"] + 2
