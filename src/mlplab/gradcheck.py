"""Gradient checking: analytic gradients against centered differences.

For every weight ``w`` the numerical derivative is

    (L(w + eps) - L(w - eps)) / (2 eps)

with the loss ``L`` computed exactly as training computes it (regularization
included, dropout off). For each weight array the report gives the relative
error ``||analytic - numerical|| / (||analytic|| + ||numerical||)``; a correct
backward pass gives about 1e-8 or less in float64, a wrong derivative 1e-2 or
more.

>>> import numpy as np
>>> import mlplab as ml
>>> model = ml.Sequential([ml.Dense(3, activation="tanh"),
...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
>>> model.compile(loss="binary_crossentropy", optimizer="sgd")
>>> X = np.random.default_rng(0).normal(size=(8, 2)); y = (X[:, 0] > 0) * 1
>>> report = ml.gradcheck(model, X, y)
>>> report.max_relative_error < 1e-7
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import Sequential

__all__ = ["GradcheckReport", "gradcheck", "numerical_gradient"]


@dataclass
class GradcheckReport:
    """The outcome of :func:`gradcheck`.

    Attributes
    ----------
    errors : dict of str to float
        Relative error per weight array (``"dense/W"``, ``"dense/b"``, ...).
    max_relative_error : float
        The largest of ``errors``.
    analytic, numerical : dict of str to array
        Both gradients, entry by entry, in the weights' shapes.
    eps : float
        The step of the centered difference.
    """

    errors: dict[str, float]
    analytic: dict[str, np.ndarray] = field(repr=False)
    numerical: dict[str, np.ndarray] = field(repr=False)
    eps: float = 1e-5

    @property
    def max_relative_error(self) -> float:
        return max(self.errors.values())

    def passed(self, tol: float = 1e-6) -> bool:
        """Whether every relative error is below ``tol``."""
        return self.max_relative_error < tol

    def worst(self) -> tuple[str, tuple[int, ...], float, float]:
        """The weight entry with the largest absolute disagreement:
        ``(array name, index, analytic, numerical)``; an entry where either
        is NaN or infinite counts as the largest."""
        best: tuple[str, tuple[int, ...], float, float] | None = None
        gap = -1.0
        for name, a in self.analytic.items():
            with np.errstate(over="ignore", invalid="ignore"):
                diff = np.abs(a - self.numerical[name])
            diff[~np.isfinite(diff)] = np.inf
            idx = np.unravel_index(int(diff.argmax()), diff.shape)
            if diff[idx] > gap:
                gap = float(diff[idx])
                best = (
                    name,
                    tuple(int(i) for i in idx),
                    float(a[idx]),
                    float(self.numerical[name][idx]),
                )
        assert best is not None
        return best

    def __str__(self) -> str:
        lines = [f"{'weights':<16} relative error"]
        lines += [f"{name:<16} {err:.3e}" for name, err in self.errors.items()]
        verdict = "OK" if self.passed() else "MISMATCH"
        lines.append(f"max relative error {self.max_relative_error:.3e}: {verdict}")
        return "\n".join(lines)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / (||a|| + ||b||)``, 0 when both are zero and ``inf`` when
    either holds NaN or infinity (an overflowed gradient is not checked)."""
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return float("inf")
    # Both divided by a power of two near their largest entry (exact, so the
    # same bits as without it) cannot overflow when squared in the norms.
    top = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    c = math.ldexp(1.0, math.frexp(top)[1] - 1)
    a, b = a / c, b / c
    denom = float(np.linalg.norm(a) + np.linalg.norm(b))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b)) / denom


def numerical_gradient(f: Any, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of the scalar function ``f`` at ``x``,
    perturbing ``x`` in place one entry at a time (and restoring it)."""
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        plus = f()
        flat[i] = orig - eps
        minus = f()
        flat[i] = orig
        # / eps / 2: the same bits as / (2 eps), which overflows for eps > 9e307
        gflat[i] = (plus - minus) / eps / 2.0
    return grad


def gradcheck(model: Sequential, X: Any, y: Any, eps: float = 1e-5) -> GradcheckReport:
    """Compare ``model.loss_and_gradients`` with centered differences.

    The model must be compiled. A float32 model is checked through a float64
    copy with the same weights (float32 cannot resolve a difference quotient).
    The model's weights are left as they were. Losses that overflow (huge
    weights, inputs or ``eps``) give a relative error of ``inf``: the check
    fails, without warnings.

    Parameters
    ----------
    model : Sequential
    X, y : arrays, as for ``fit`` (keep them small: two forward passes per weight)
    eps : float, default 1e-5

    Returns
    -------
    GradcheckReport
    """
    model.require_compiled("gradcheck")
    Xa = model.check_inputs(X)
    target = model
    if model.dtype != np.float64:
        target = Sequential.from_config({**model.get_config(), "dtype": "float64"})
        target.compile(loss=model.loss, optimizer=model.optimizer)
        target.set_weights([w.astype(np.float64) for w in model.get_weights()])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, grads = target.loss_and_gradients(Xa, y)
        Xc = Xa.astype(np.float64)
        Y = target.encode_targets(y, Xc.shape[0])

        def f() -> float:
            return target.loss_value(Y, target.forward(Xc, False))

        numeric = numerical_gradient(f, target.flat_params, eps)
    names = target.weight_names
    analytic, numerical, errors = {}, {}, {}
    offset = 0
    for name, g in zip(names, grads, strict=True):
        num = numeric[offset : offset + g.size].reshape(g.shape)
        offset += g.size
        analytic[name], numerical[name] = g, num
        errors[name] = relative_error(g, num)
    return GradcheckReport(errors, analytic, numerical, eps)
