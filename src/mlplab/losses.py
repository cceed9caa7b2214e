"""Loss functions. Every loss returns the *mean* over samples; ``1/n`` appears
here and nowhere else.

==========================  ======================================  ===============
name                        value (``n`` samples, ``k`` outputs)    output
==========================  ======================================  ===============
binary_crossentropy         ``-1/n sum(y log a + (1-y) log(1-a))``  sigmoid (fused)
categorical_crossentropy    ``-1/n sum(y log a)``                   softmax (fused)
squared_error               ``1/(2nk) sum((a - y)**2)``             any
mse                         ``1/(nk) sum((a - y)**2)``              any
absolute_error              ``1/(nk) sum(|a - y|)``                 any
huber (``delta``)           ``1/(nk) sum(h(a - y))``                any
poisson                     ``1/n sum(y log(y/a) - y + a)``         exp (fused)
==========================  ======================================  ===============

``huber``'s ``h(r)`` is ``r**2 / 2`` where ``|r| <= delta`` and
``delta (|r| - delta/2)`` beyond, so its gradient is ``r`` clipped to
``[-delta, delta]``: squared error near the target, absolute error (scaled by
``delta``) far from it, which makes it robust to outliers.
``absolute_error``'s gradient at ``a == y`` is taken as 0.

``poisson`` is half the Poisson deviance, as scikit-learn's MLP (``y log y``
taken as 0 at ``y = 0``): for non-negative targets such as counts, with
predictions ``a = exp(z) > 0``.

The cross-entropies and ``poisson`` sum over the outputs of one sample and
average over samples, so that, fused with their output activation, the gradient
with respect to the output layer's pre-activation is simply ``dZ = (A - Y) / n``.

Precision at the extremes. In a model, binary cross-entropy is computed from
the logits ``z`` as well as the probabilities (``fused_value``):
``-log a + (1 - y) z``, which never forms ``1 - a``, so a confidently wrong
prediction costs about ``|z|`` rather than a clipped constant. Both
cross-entropies take ``-log`` of a probability that the sigmoid or softmax
computes with full relative precision, so the loss per sample is exact up to
about 708 (float64) or 87 (float32); beyond that, where the sigmoid's output is
floored, the fused binary cross-entropy takes ``log a = z``, exact at any
logit. Called directly on probabilities, binary
cross-entropy clips them to ``[eps, 1 - eps]`` (``eps`` the dtype's machine
epsilon), as scikit-learn's ``log_loss`` does, so the value stays finite at
predictions of exactly 0 or 1.

``squared_error`` carries the 1/2 of the classic derivations and of
scikit-learn's MLP; ``mse`` is Keras's, without it.

``poisson`` in a model is also computed from the logits (``log a = z``), so a
prediction that underflows to 0 still costs about ``y |z|``; called directly on
predictions, it floors them at the dtype's smallest normal number.

>>> import numpy as np
>>> from mlplab import losses
>>> Y, A = np.array([[1.0], [0.0]]), np.array([[0.9], [0.2]])
>>> round(losses.get("binary_crossentropy")(Y, A), 6)
0.164252
>>> losses.get("squared_error")(Y, A), losses.get("mse")(Y, A)
(0.0125, 0.025)
>>> losses.get("absolute_error")(Y, A)
0.15
>>> losses.get({"name": "huber", "delta": 0.1})
Huber(delta=0.1)
>>> round(losses.get("poisson")(np.array([[2.0]]), np.array([[1.0]])), 6)
0.386294
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ._registry import Registry
from ._validation import check_positive

__all__ = [
    "AbsoluteError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Huber",
    "Loss",
    "MeanSquaredError",
    "Poisson",
    "SquaredError",
    "get",
    "names",
    "register",
]


class Loss:
    """Base class.

    ``__call__(Y, A)`` gives the mean loss, ``gradient(Y, A)`` its derivative
    with respect to the predictions ``A``. A loss with ``fused_activation`` set
    also gives ``fused_gradient(Y, A)``, the derivative with respect to the
    output layer's pre-activation ``Z``, and is only valid with that output
    activation.

    For :mod:`mlplab.explain`'s walkthrough, a loss carries its formula as
    text, ``formula_text`` (``"L = ..."``; without one, ``None``, explain
    writes ``L = name(Y, A)``), and a fused loss its ``fused_gradient`` as
    ``fused_gradient_text``, where ``A`` stands for the output layer's
    activations.
    """

    name: ClassVar[str] = ""
    fused_activation: ClassVar[str | None] = None
    formula_text: ClassVar[str | None] = None
    fused_gradient_text: ClassVar[str] = "(A − Y) / n"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        raise NotImplementedError

    def fused_value(self, Y: np.ndarray, A: np.ndarray, Z: np.ndarray) -> float:
        """The loss given both the output ``A`` and the output layer's
        pre-activation ``Z``; a loss fused with its activation may use ``Z``
        where that is more precise."""
        return self(Y, A)

    def per_sample(
        self, Y: np.ndarray, A: np.ndarray, Z: np.ndarray | None = None
    ) -> np.ndarray:
        """Each sample's loss, shape (n,), whose mean is the loss; used for
        sample weights. ``Z`` (the output layer's pre-activation) is given
        when the loss is fused with the output activation."""
        raise TypeError(
            f"loss {self.name!r} does not give per-sample values, so it cannot "
            "weight samples; define per_sample(Y, A, Z=None)"
        )

    def fused_gradient(
        self, Y: np.ndarray, A: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        # Cross-entropy after sigmoid / softmax: dL/dZ = (A - Y) / n. The 1/A
        # factors of dL/dA cancel against the activation's derivative, which is
        # why the two are never differentiated separately.
        out = np.subtract(A, Y, out=out)
        out *= 1.0 / A.shape[0]
        return out

    def unfused_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        """dL/dA as the loss's formula gives it, without the clipping that
        keeps ``gradient`` finite: what explain shows as the output layer's
        ``dA`` when the loss is fused with its activation (training uses
        ``fused_gradient`` instead). Defaults to ``gradient``."""
        return self.gradient(Y, A)

    def check_targets(self, Y: np.ndarray, name: str) -> None:
        """Refuse targets this loss is not defined for, with a ``ValueError``
        naming them (``Y``: finite numbers of shape (n, n_outputs); ``name``:
        what the caller called them, e.g. ``"y"``). Any target by default."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if k != "name"
        )
        return f"{type(self).__name__}({args})"


def _clip(A: np.ndarray) -> np.ndarray:
    eps = np.finfo(A.dtype).eps
    return np.clip(A, eps, 1.0 - eps)


def _floor(A: np.ndarray) -> np.ndarray:
    """``A`` with entries below the smallest normal number raised to it."""
    return np.maximum(A, np.finfo(A.dtype).tiny)


def _inner(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` over all entries, as one BLAS dot without temporaries
    when both arrays are stored in the same order."""
    if a.flags.f_contiguous and b.flags.f_contiguous:
        return float(np.vdot(a.T, b.T))  # C-contiguous views: no copies
    return float(np.vdot(a, b))


class BinaryCrossentropy(Loss):
    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    formula_text = "L = −(1/n) Σᵢ [yᵢ·log aᵢ + (1 − yᵢ)·log(1 − aᵢ)]"

    def check_targets(self, Y: np.ndarray, name: str) -> None:
        bad = (Y != 0) & (Y != 1)
        if bad.any():
            vals = np.unique(Y[bad])[:5]
            raise ValueError(
                f"{self.name} needs {name} of 0/1 labels; received values "
                f"such as {vals.tolist()}"
            )

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        P = _clip(A)
        total = np.dot(Y.ravel(), np.log(P).ravel()) + np.dot(
            (1.0 - Y).ravel(), np.log1p(-P).ravel()
        )
        return float(-total / A.shape[0])

    def gradient(self, Y, A, out=None):
        P = _clip(A)
        return np.divide(P - Y, P * (1.0 - P) * A.shape[0], out=out)

    def unfused_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        # Unclipped: infinite where a sigmoid output saturated.
        return (A - Y) / (A * (1.0 - A) * A.shape[0])

    def per_sample(self, Y, A, Z=None):
        if Z is not None:  # as fused_value, sample by sample
            return (Z - Y * Z - np.minimum(np.log(A), Z)).sum(axis=1)
        P = _clip(A)
        return -(Y * np.log(P) + (1.0 - Y) * np.log1p(-P)).sum(axis=1)

    def fused_value(self, Y: np.ndarray, A: np.ndarray, Z: np.ndarray) -> float:
        # With a = sigmoid(z), log(1 - a) = log(a) - z, so
        #   -y log a - (1 - y) log(1 - a) = -log a + (1 - y) z,
        # which never forms 1 - a: no clipping, and a confidently wrong
        # prediction costs about |z|, not a constant.
        # Where the sigmoid is floored (z below about -708, or -87 in float32),
        # log a = z - log(1 + e^z) is z to the last bit, and elsewhere
        # log a < z: the smaller of the two is log a at any z.
        logA = np.log(A)
        np.minimum(logA, Z, out=logA)
        total = float(np.add.reduce(Z, axis=None)) - _inner(Y, Z)  # sum (1-y) z
        total -= float(np.add.reduce(logA, axis=None))
        return total / Z.shape[0]


class CategoricalCrossentropy(Loss):
    name = "categorical_crossentropy"
    fused_activation = "softmax"
    formula_text = "L = −(1/n) Σᵢ Σₖ yᵢₖ·log aᵢₖ"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        # Floored at the smallest normal number, not clipped at eps: softmax
        # keeps full relative precision for small probabilities, so -log(a) is
        # exact up to -log(tiny) (708 in float64, 87 in float32).
        logA = _floor(A)
        np.log(logA, out=logA)
        return -_inner(Y, logA) / A.shape[0]

    def gradient(self, Y, A, out=None):
        return np.divide(-Y, _floor(A) * A.shape[0], out=out)

    def unfused_gradient(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        # Not floored: infinite where a softmax output underflowed to 0.
        return -Y / (A * A.shape[0])

    def per_sample(self, Y, A, Z=None):
        return -(Y * np.log(_floor(A))).sum(axis=1)


class SquaredError(Loss):
    """``1/2`` times the mean over all entries of ``(a - y)**2``."""

    name = "squared_error"
    formula_text = "L = (1/2)·mean over all entries of (a − y)²"
    _factor: ClassVar[float] = 0.5
    #: True on a variant whose gradient is that of the mean over samples of
    #: the *sum* over outputs (scikit-learn's ``squared_error``): the
    #: compiled engine trains it with that scale (see :mod:`mlplab.engine`).
    gradient_sums_outputs: ClassVar[bool] = False

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        diff = (A - Y).ravel()
        return float(self._factor * np.dot(diff, diff) / diff.size)

    def gradient(self, Y, A, out=None):
        out = np.subtract(A, Y, out=out)
        out *= 2.0 * self._factor / A.size
        return out

    def per_sample(self, Y, A, Z=None):
        diff = A - Y
        return self._factor * (diff * diff).sum(axis=1) / A.shape[1]


class MeanSquaredError(SquaredError):
    """The mean over all entries of ``(a - y)**2``."""

    name = "mse"
    formula_text = "L = mean over all entries of (a − y)²"
    _factor = 1.0


class AbsoluteError(Loss):
    """The mean over all entries of ``|a - y|``; its gradient is
    ``sign(a - y) / (n k)``, 0 at ``a == y``."""

    name = "absolute_error"
    formula_text = "L = mean over all entries of |a − y|"

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        diff = np.subtract(A, Y)
        np.abs(diff, out=diff)
        return float(np.add.reduce(diff, axis=None)) / diff.size

    def gradient(self, Y, A, out=None):
        out = np.subtract(A, Y, out=out)
        np.sign(out, out=out)
        out *= 1.0 / A.size
        return out

    def per_sample(self, Y, A, Z=None):
        return np.abs(A - Y).sum(axis=1) / A.shape[1]


class Huber(Loss):
    """The mean over all entries of ``h(a - y)``: ``h(r) = r**2 / 2`` for
    ``|r| <= delta``, ``delta (|r| - delta / 2)`` beyond; the gradient is
    ``clip(a - y, -delta, delta) / (n k)``.

    Parameters
    ----------
    delta : float, default 1.0
        Where the quadratic part turns linear; a finite number ``> 0``.
    """

    name = "huber"
    formula_text = (
        "L = mean over all entries of h(a − y),  h(r) = r²/2 if |r| ≤ δ "
        "else δ·(|r| − δ/2)"
    )

    def __init__(self, delta: float = 1.0) -> None:
        self.delta = check_positive("delta", delta)

    def _entries(self, Y: np.ndarray, A: np.ndarray) -> np.ndarray:
        # With q = min(|r|, delta), h(r) = q (|r| - q/2): both branches in one
        # formula, and no r**2 that could overflow where |r| > delta.
        R = np.subtract(A, Y)
        np.abs(R, out=R)
        Q = np.minimum(R, self.delta)
        R -= 0.5 * Q
        R *= Q
        return R

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        H = self._entries(Y, A)
        return float(np.add.reduce(H, axis=None)) / H.size

    def gradient(self, Y, A, out=None):
        out = np.subtract(A, Y, out=out)
        np.clip(out, -self.delta, self.delta, out=out)
        out *= 1.0 / A.size
        return out

    def per_sample(self, Y, A, Z=None):
        return self._entries(Y, A).sum(axis=1) / A.shape[1]

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "delta": self.delta}


def _xlogx(Y: np.ndarray) -> np.ndarray:
    """``y log y`` entrywise, without warnings: 0 at ``y = 0`` (its limit, as
    ``0 * log(tiny)``), NaN for ``y < 0`` (outside the domain), as scipy's
    ``xlogy(y, y)``."""
    Y = np.asarray(Y, dtype=np.result_type(Y, np.float32))
    out = _floor(Y)
    np.log(out, out=out)
    out *= Y
    if Y.size and Y.min() < 0:
        out[Y < 0] = np.nan
    return out


class Poisson(Loss):
    """Half the Poisson deviance, summed over outputs and averaged over
    samples: ``1/n sum(y log(y / a) - y + a)``, for targets ``y >= 0`` and
    predictions ``a > 0``, as scikit-learn's MLP.

    It goes with an ``exp`` output (the log link): with ``a = exp(z)``,
    ``dL/dz = (a - y) / n``, and the model computes the value from ``z``
    (``fused_value``), where ``log a = z`` holds even where ``a`` underflows
    to 0. ``dL/da = (1 - y / a) / n``, with ``a`` floored as in the value.
    """

    name = "poisson"
    fused_activation = "exp"
    formula_text = "L = (1/n) Σᵢ Σₖ [yᵢₖ·log(yᵢₖ/aᵢₖ) − yᵢₖ + aᵢₖ]"

    @staticmethod
    def _entries(Y: np.ndarray, A: np.ndarray, logA: np.ndarray) -> np.ndarray:
        """``a - y log a + y log y - y`` entrywise (``y log(y/a)`` split in two,
        so that ``y / a`` cannot overflow)."""
        D = np.multiply(Y, logA)
        np.subtract(A, D, out=D)
        D += _xlogx(Y)
        D -= Y
        return D

    def _log(self, A: np.ndarray) -> np.ndarray:
        logA = _floor(A)
        return np.log(logA, out=logA)

    def check_targets(self, Y: np.ndarray, name: str) -> None:
        if (Y < 0).any():
            raise ValueError(
                f"{self.name} needs non-negative targets; received values from "
                f"{Y.min().item()!r} to {Y.max().item()!r} in {name}"
            )

    def __call__(self, Y: np.ndarray, A: np.ndarray) -> float:
        D = self._entries(Y, A, self._log(A))
        return float(np.add.reduce(D, axis=None)) / A.shape[0]

    def fused_value(self, Y: np.ndarray, A: np.ndarray, Z: np.ndarray) -> float:
        D = self._entries(Y, A, Z)  # log a = z
        return float(np.add.reduce(D, axis=None)) / Z.shape[0]

    def gradient(self, Y, A, out=None):
        # (1 - y/a) / n: y/a overflows only for a large count over a floored
        # prediction, where the slope is beyond the float range: it is then
        # the largest float, with its sign (a * n could overflow instead).
        with np.errstate(over="ignore"):
            out = np.divide(Y, _floor(A), out=out)
        np.subtract(1.0, out, out=out)
        out *= 1.0 / A.shape[0]
        big = np.finfo(out.dtype).max
        return np.clip(out, -big, big, out=out)

    def per_sample(self, Y, A, Z=None):
        return self._entries(Y, A, self._log(A) if Z is None else Z).sum(axis=1)


REGISTRY: Registry[Loss] = Registry(
    "loss",
    Loss,
    [
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SquaredError,
        MeanSquaredError,
        AbsoluteError,
        Huber,
        Poisson,
    ],
    aliases={
        "mean_squared_error": "mse",
        "mae": "absolute_error",
        "mean_absolute_error": "absolute_error",
        "log_loss": "binary_crossentropy",
        "cross_entropy": "categorical_crossentropy",
    },
)


def names() -> list[str]:
    """The registered loss names."""
    return REGISTRY.names()


def register(cls: type[Loss]) -> type[Loss]:
    """Make your own loss available by its ``name`` (``compile(loss=...)``,
    configs, saved models, ``--loss``); usable as a class decorator. Give it
    ``__call__(Y, A)`` (the mean loss) and ``gradient(Y, A, out=None)``, and
    if you like ``formula_text``, the formula ``mlplab explain`` shows."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> Loss:
    """Return a loss from a name (see :func:`names`), an instance or a config."""
    return REGISTRY.get(identifier)
