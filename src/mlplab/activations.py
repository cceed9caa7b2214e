"""Activation functions: forward pass and derivative, both stable at any input.

Each activation is a small object with

* ``forward(Z, out=None) -> A`` -- the activation, optionally into a reused buffer;
* ``derivative(Z, A) -> f'(Z)`` -- the elementwise derivative, computed from the
  output ``A`` where that is cheaper (``1 - A**2`` for tanh, ``A*(1-A)`` for
  sigmoid);
* ``backward(dA, Z, A, out=None) -> dZ`` -- the chain rule ``dZ = dA * f'(Z)``
  (for softmax, the full Jacobian-vector product);
* ``derivative_text`` -- the derivative as :mod:`mlplab.explain` writes it, in
  the symbols ``Z`` and ``A`` (``"1 − A²"`` for tanh).

Look one up by name with :func:`get`:

>>> import numpy as np
>>> from mlplab import activations
>>> activations.get("tanh")(np.array([[0.0, 1000.0]]))
array([[0., 1.]])
>>> activations.get("elu").get_config()
{'name': 'elu', 'alpha': 1.0}
>>> activations.ELU(alpha=2.0)(np.array([[-1000.0]]))
array([[-2.]])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._registry import Registry
from ._validation import check_range

__all__ = [
    "ELU",
    "ActivationFunction",
    "Exp",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "get",
    "names",
    "register",
]


def _log_max(dtype: type) -> Any:
    """The largest ``x`` of this dtype whose ``exp(x)`` is finite."""
    x = np.log(np.finfo(dtype).max, dtype=dtype)
    with np.errstate(over="ignore"):
        while not np.isfinite(np.exp(x)):
            x = np.nextafter(x, dtype(0))
    return x


_LOG_MAX = {
    np.dtype(t).char: _log_max(t)
    for t in (np.float16, np.float32, np.float64, np.longdouble)
}


class ActivationFunction:
    """Base class. Subclasses set ``name`` and implement ``forward`` and
    ``derivative``; ``backward`` defaults to ``dA * derivative(Z, A)``.

    ``derivative_text`` is the derivative in the symbols of the explain
    walkthrough, where each ``Z`` and ``A`` becomes the layer's (``Z1``,
    ``A1``); without one (``None``), explain writes ``name'(Z)``.
    """

    name: ClassVar[str] = ""
    derivative_text: ClassVar[str | None] = None

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self,
        dA: np.ndarray,
        Z: np.ndarray,
        A: np.ndarray,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """``dZ = dA * f'(Z)``, elementwise."""
        return np.multiply(dA, self.derivative(Z, A), out=out)

    def __call__(self, Z: Any) -> np.ndarray:
        return self.forward(np.asarray(Z, dtype=np.result_type(Z, np.float32)))

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash(tuple(self.get_config().items()))

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if k != "name"
        )
        return f"{type(self).__name__}({args})"


class Linear(ActivationFunction):
    """Identity: ``f(z) = z``, ``f'(z) = 1``."""

    name = "linear"
    derivative_text = "1"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        if out is None or out is Z:
            return Z
        np.copyto(out, Z)
        return out

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return np.ones_like(Z)

    def backward(self, dA, Z, A, out=None):
        return dA


class Sigmoid(ActivationFunction):
    """Logistic sigmoid ``f(z) = 1 / (1 + exp(-z))``, ``f'(z) = A (1 - A)``.

    Computed as written, which keeps full relative precision for very negative
    ``z``. ``-z`` is capped at the log of the largest float first, so ``exp``
    never overflows: below ``z = -709.78`` (float64; ``-88.72`` in float32)
    the result stays at ``1 / (1 + max_float)``, about 5.6e-309 (float64),
    instead of decaying further to 0.
    """

    name = "sigmoid"
    derivative_text = "A ⊙ (1 − A)"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = np.negative(Z, out=out)
        np.minimum(out, _LOG_MAX[out.dtype.char], out=out)
        np.exp(out, out=out)
        np.add(out, 1.0, out=out)
        return np.reciprocal(out, out=out)

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return A * (1.0 - A)

    def backward(self, dA, Z, A, out=None):
        out = np.subtract(1.0, A, out=out)
        np.multiply(out, A, out=out)
        return np.multiply(out, dA, out=out)


class Tanh(ActivationFunction):
    """Hyperbolic tangent, ``f'(z) = 1 - A**2``."""

    name = "tanh"
    derivative_text = "1 − A²"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.tanh(Z, out=out)

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return 1.0 - A * A

    def backward(self, dA, Z, A, out=None):
        out = np.multiply(A, A, out=out)
        np.subtract(1.0, out, out=out)
        return np.multiply(out, dA, out=out)


class ReLU(ActivationFunction):
    """Rectified linear unit ``max(z, 0)``; ``f'(0)`` is taken as 0."""

    name = "relu"
    derivative_text = "1[Z > 0]"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return np.maximum(Z, 0.0, out=out)

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return (Z > 0).astype(Z.dtype)

    def backward(self, dA, Z, A, out=None):
        return np.multiply(dA, Z > 0, out=out)


class LeakyReLU(ActivationFunction):
    """``f(z) = z`` for ``z > 0`` else ``alpha * z``.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs, ``>= 0``.
    """

    name = "leaky_relu"
    derivative_text = "1 if Z > 0 else α"

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = check_range("alpha", alpha, 0.0, np.inf, high_inclusive=False)

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        res = np.where(Z > 0, Z, self.alpha * Z)
        if out is None:
            return res
        np.copyto(out, res)
        return out

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, 1.0, self.alpha).astype(Z.dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "alpha": self.alpha}


class ELU(ActivationFunction):
    """Exponential linear unit: ``z`` for ``z > 0`` else ``alpha * (exp(z) - 1)``.

    The derivative is 1 for ``z > 0`` and ``alpha * exp(z) = A + alpha`` otherwise
    (not 0: a slip the gradient check catches).

    Parameters
    ----------
    alpha : float, default 1.0
        Value the function approaches as ``z -> -inf`` is ``-alpha``; ``> 0``.
    """

    name = "elu"
    derivative_text = "1 if Z > 0 else A + α"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_range(
            "alpha", alpha, 0.0, np.inf, low_inclusive=False, high_inclusive=False
        )

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        neg = np.minimum(Z, 0.0)  # exp only of non-positive values: no overflow
        np.expm1(neg, out=neg)
        neg *= self.alpha
        res = np.where(Z > 0, Z, neg)
        if out is None:
            return res
        np.copyto(out, res)
        return out

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return np.where(Z > 0, 1.0, A + self.alpha).astype(Z.dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "alpha": self.alpha}


class Exp(ActivationFunction):
    """Exponential ``f(z) = exp(z)``, ``f'(z) = A``: the log link of Poisson
    regression (scikit-learn's ``"exp"`` output activation), whose outputs are
    always positive.

    ``z`` is capped at the log of the largest float first, so ``exp`` never
    overflows: above ``z = 709.78`` (float64; ``88.72`` in float32) the output
    stays at about the largest float instead of becoming ``inf``. Far below 0
    it underflows quietly to 0.
    """

    name = "exp"
    derivative_text = "A"

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        out = np.minimum(Z, _LOG_MAX[Z.dtype.char], out=out)
        return np.exp(out, out=out)

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        return A.copy()

    def backward(self, dA, Z, A, out=None):
        return np.multiply(dA, A, out=out)


class Softmax(ActivationFunction):
    """Softmax over the last axis, shifted by the row maximum so that it never
    overflows.

    Its derivative is a Jacobian, not elementwise: ``backward`` returns the
    vector-Jacobian product ``A * (dA - sum(dA * A, axis=1))``. With
    categorical cross-entropy the model never calls it and uses the fused
    ``dZ = (A - Y) / n`` instead.
    """

    name = "softmax"
    # No derivative_text: its derivative is a Jacobian, not elementwise, and
    # explain writes softmax'(Z).

    def forward(self, Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        # Z - max(Z) can only overflow towards -inf (entries more than the
        # largest float below the row's maximum), whose exp is the exact 0.
        with np.errstate(over="ignore"):
            out = np.subtract(Z, Z.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out

    def derivative(self, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
        """The diagonal of the Jacobian, ``A * (1 - A)`` (use ``backward`` for the
        full chain rule)."""
        return A * (1.0 - A)

    def backward(self, dA, Z, A, out=None):
        inner = (dA * A).sum(axis=-1, keepdims=True)
        out = np.subtract(dA, inner, out=out)
        return np.multiply(out, A, out=out)


REGISTRY: Registry[ActivationFunction] = Registry(
    "activation",
    ActivationFunction,
    [Linear, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Exp, Softmax],
    none=Linear,
)


def names() -> list[str]:
    """The registered activation names."""
    return REGISTRY.names()


def register(cls: type[ActivationFunction]) -> type[ActivationFunction]:
    """Make your own activation available by its ``name`` everywhere a name is
    accepted (``Dense(activation=...)``, configs, saved models, the command
    line's ``--activation``); usable as a class decorator. ``derivative_text``
    is optional: it is what ``mlplab explain`` shows for ``f'(Z)``.

    >>> import numpy as np
    >>> @register
    ... class Softsign(ActivationFunction):
    ...     name = "softsign"
    ...     derivative_text = "1 / (1 + |Z|)²"
    ...     def forward(self, Z, out=None):
    ...         return np.divide(Z, 1.0 + np.abs(Z), out=out)
    ...     def derivative(self, Z, A):
    ...         return 1.0 / (1.0 + np.abs(Z)) ** 2
    >>> get("softsign")(np.array([[1.0]]))
    array([[0.5]])
    >>> REGISTRY.unregister("softsign")
    """
    return REGISTRY.register(cls)


def get(identifier: Any) -> ActivationFunction:
    """Return an activation: ``None`` means ``linear``; a name (see
    :func:`names`), an instance or a config dict are accepted."""
    return REGISTRY.get(identifier)
