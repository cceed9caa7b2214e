"""What the page draws, computed from a model: the output over the input
plane, every hidden unit's map, the weights, the losses and the predicted
class of every point -- one *frame* (see ``docs/playground.md``).

Images travel as base64-encoded ``uint8`` arrays, row by row from the top of
the plane (the largest ``x2``) down: a 100 × 100 heatmap is 10 kB.

>>> plane = Plane.around(np.array([[0.0, 0.0], [1.0, 2.0]]), size=4)
>>> plane.points().shape, plane.points()[0].tolist()
((16, 2), [-0.1, 2.2])
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..layers import Dense
from ..model import Sequential
from ..rundata import Data

__all__ = ["GRID", "THUMB", "Picture", "Plane", "encode", "model_frame", "thin"]

GRID = 100  # cells per side of the output heatmap
THUMB = 50  # cells per side of a hidden unit's thumbnail (every other cell)
CURVE_POINTS = 500  # at most this many points of the loss curves per frame


def _bytes(values: np.ndarray) -> bytes:
    """``values`` in [0, 1] as ``uint8`` 0 .. 255 (NaN as 0)."""
    scaled = np.asarray(values, dtype=np.float64) * 255.0
    if not np.isfinite(scaled).all():
        scaled = np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0.0, 255.0, out=scaled)
    return np.rint(scaled).astype(np.uint8).tobytes()


def encode(values: np.ndarray) -> str:
    """``values`` in [0, 1] as base64 of ``uint8`` 0 .. 255 (NaN as 0)."""
    return base64.b64encode(_bytes(values)).decode()


def finite(value: Any) -> float | None:
    """A number JSON can carry: ``None`` for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def thin(values: list[float], n: int = CURVE_POINTS) -> list[int]:
    """The indices of at most ``n`` values spread evenly, the last included."""
    if len(values) <= n:
        return list(range(len(values)))
    return sorted(set(np.linspace(0, len(values) - 1, n).round().astype(int).tolist()))


@dataclass(frozen=True)
class Plane:
    """The square of the input plane drawn: ``bounds`` is ``[x1_min,
    x1_max, x2_min, x2_max]``, ``size`` the cells per side."""

    bounds: tuple[float, float, float, float]
    size: int = GRID

    @classmethod
    def around(cls, X: np.ndarray, size: int = GRID) -> Plane:
        """The plane around the points ``X`` (two columns) with a 10 % margin."""
        low, high = X.min(axis=0), X.max(axis=0)
        pad = np.maximum((high - low) * 0.1, 1e-3)
        lo, hi = low - pad, high + pad
        bounds = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        return cls(tuple(round(b, 6) for b in bounds), size)  # type: ignore[arg-type]

    def points(self) -> np.ndarray:
        """The cell centres, row by row from the top, shape (size², 2)."""
        x1 = np.linspace(self.bounds[0], self.bounds[1], self.size)
        x2 = np.linspace(self.bounds[3], self.bounds[2], self.size)
        g1, g2 = np.meshgrid(x1, x2)
        return np.column_stack([g1.ravel(), g2.ravel()])


class Picture:
    """A float32 copy of a model's network for drawing it: 8-bit pictures
    need no more precision, and float32 halves the cost of a frame. Its
    weights follow the model's at each :meth:`outputs`."""

    def __init__(self, model: Sequential, plane: Plane) -> None:
        self.model = model
        self.copy = Sequential.from_config({**model.get_config(), "dtype": "float32"})
        self.copy.check_inputs(np.zeros((1, 2)))  # built
        self.points = plane.points().astype(np.float32)

    def outputs(self) -> list[np.ndarray]:
        """Every Dense layer's outputs over the plane, with the model's
        current weights."""
        with np.errstate(over="ignore", invalid="ignore"):
            self.copy.flat_params[...] = self.model.flat_params
            return layer_outputs(self.copy, self.points)


def layer_outputs(model: Sequential, X: np.ndarray) -> list[np.ndarray]:
    """The outputs of every Dense layer of ``model`` on ``X`` (inference)."""
    A = model.check_inputs(X)
    found = []
    for layer in model.layers:
        A = layer.forward(A, training=False)
        if isinstance(layer, Dense):
            found.append(A.copy())
    return found


def unit_maps(hidden: list[np.ndarray], size: int) -> list[list[str]]:
    """Each hidden unit's values on the plane, every other cell, from [-1, 1]
    to [0, 1]; units beyond [-1, 1] divided by their largest value first."""
    step = max(1, size // THUMB)
    maps = []
    for A in hidden:
        # units first: (units, rows, columns), every other cell
        grid = A.reshape(size, size, -1)[::step, ::step].transpose(2, 0, 1)
        with np.errstate(invalid="ignore"):
            top = np.abs(grid).max(axis=(1, 2), keepdims=True)
        scale = np.where(np.isfinite(top) & (top > 1.0), top, 1.0)
        raw = _bytes((grid / scale + 1.0) / 2.0)
        n = grid.shape[1] * grid.shape[2]
        maps.append(
            [
                base64.b64encode(raw[u * n : (u + 1) * n]).decode()
                for u in range(grid.shape[0])
            ]
        )
    return maps


def output_image(
    out: np.ndarray, task: str, target_range: tuple[float, float] | None
) -> tuple[str, str | None]:
    """The heatmap of the output and, for several classes, the confidence."""
    if task == "multiclass":
        classes = out.argmax(axis=1).astype(np.float64) / 255.0
        return encode(classes), encode(out.max(axis=1))
    if task == "regression":
        low, high = target_range or (0.0, 1.0)
        return encode((out[:, 0] - low) / max(high - low, 1e-12)), None
    return encode(out[:, -1]), None


def weights(model: Sequential) -> list[dict[str, Any]]:
    """Every Dense layer's kernel and bias, as lists."""
    found = []
    for layer in model.layers:
        if isinstance(layer, Dense):
            b = layer.params.get("b")
            found.append(
                {
                    "W": np.round(layer.params["W"], 6).tolist(),
                    "b": [] if b is None else np.round(b, 6).tolist(),
                }
            )
    return found


def scores(model: Sequential, data: Data) -> dict[str, float | None]:
    """The losses and accuracies of ``model`` on the training and test parts,
    measured as ``mlplab train`` measures its ``final_loss`` and ``test_loss``."""
    with np.errstate(over="ignore", invalid="ignore"):
        train = model.evaluate(data.X_train, data.y_train)
        test = (
            model.evaluate(data.X_test, data.y_test) if data.X_test is not None else {}
        )
    return {
        "train_loss": finite(train.get("loss")),
        "test_loss": finite(test.get("loss")),
        "train_accuracy": finite(train.get("accuracy")),
        "test_accuracy": finite(test.get("accuracy")),
    }


def predictions(model: Sequential, data: Data) -> dict[str, str] | None:
    """The predicted class code of every training and test point."""
    if data.task == "regression":
        return None
    found = {}
    for part, X in (("train", data.X_train), ("test", data.X_test)):
        codes = (
            np.zeros(0)
            if X is None
            else model.output_labels(model.predict(X)).astype(np.float64)
        )
        found[part] = encode(codes / 255.0)
    return found


def model_frame(
    picture: Picture,
    data: Data,
    plane: Plane,
    target_range: tuple[float, float] | None,
    *,
    units: bool = True,
) -> dict[str, Any]:
    """The part of a frame computed from ``picture``'s model: heatmap,
    thumbnails, weights, scores and predictions."""
    model = picture.model
    outs = picture.outputs()
    heatmap, confidence = output_image(outs[-1], data.task, target_range)
    frame: dict[str, Any] = {
        "heatmap": heatmap,
        "confidence": confidence,
        **scores(model, data),
    }
    if units:
        frame["units"] = unit_maps(outs[:-1], plane.size)
        frame["weights"] = weights(model)
        frame["predictions"] = predictions(model, data)
    return frame
