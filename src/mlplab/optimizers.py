"""Optimizers: ``step(params, grads)`` updates the parameter arrays in place.

Layers never update their own weights; an optimizer walks the parameter and
gradient arrays it is given and keeps its state (velocities, moments) per array,
in the same order. The model hands it one flat array holding every weight and
one holding every gradient, so a step costs a handful of NumPy calls whatever
the depth of the network.

Update rules (``g`` gradient, ``lr`` learning rate, ``t`` step count from 1):

* ``SGD``: ``v = momentum * v - lr * g``; ``w += v`` (Nesterov:
  ``w += momentum * v - lr * g``). Without momentum, ``w -= lr * g``.
* ``RMSprop``: ``s = rho * s + (1 - rho) * g**2``; ``w -= lr * g / (sqrt(s) + eps)``.
* ``Adagrad``: ``s += g**2`` (``s`` starts at ``initial_accumulator_value``);
  ``w -= lr * g / (sqrt(s) + eps)``.
* ``Adam``: ``m += (1 - beta_1)(g - m)``; ``v += (1 - beta_2)(g**2 - v)``;
  ``w -= lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + eps)``.

``clipnorm`` rescales the gradients before the update so that their global L2
norm, taken over all arrays together, is at most ``clipnorm``.

``LBFGS`` is another kind of optimizer: it takes no single steps but runs
SciPy's L-BFGS-B over every weight at once, full batch, choosing its own step
lengths by a line search; the training loop (:class:`mlplab.training.Trainer`)
calls its :meth:`LBFGS.minimize` instead of ``step``.

>>> import numpy as np
>>> import mlplab as ml
>>> w, g = np.array([1.0, 2.0]), np.array([0.5, -0.5])
>>> ml.SGD(learning_rate=0.1).step([w], [g])
>>> w
array([0.95, 2.05])
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from . import schedules
from ._registry import Registry
from ._validation import check_int, check_positive, check_range, is_int

__all__ = [
    "LBFGS",
    "PRESETS",
    "SGD",
    "Adagrad",
    "Adam",
    "Optimizer",
    "RMSprop",
    "create",
    "get",
    "names",
    "register",
]


class Optimizer:
    """Base class.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
        A positive number, or a schedule called with the step count.
    clipnorm : float, optional
        Maximum global L2 norm of the gradients; larger ones are scaled down.
    """

    name: ClassVar[str] = ""
    _slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: Any = 0.01, clipnorm: float | None = None):
        self.learning_rate = learning_rate
        self.clipnorm = (
            None if clipnorm is None else check_positive("clipnorm", clipnorm)
        )
        self.iterations = 0
        # Per parameter array: a dict of state arrays ("velocity", "m", ...),
        # plus one scratch buffer so that steps allocate nothing.
        self._slots: list[dict[str, np.ndarray]] | None = None
        self._scratch: list[np.ndarray] = []

    # -- learning rate -------------------------------------------------------
    @property
    def learning_rate(self) -> float | schedules.LearningRateSchedule:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, schedules.LearningRateSchedule):
            self._learning_rate: Any = value
        elif isinstance(value, str | dict):
            self._learning_rate = schedules.get(value)
        else:
            self._learning_rate = check_positive("learning_rate", value)

    def current_learning_rate(self) -> float:
        """The learning rate the next step will use."""
        return self.learning_rate_at(self.iterations)

    def learning_rate_at(self, iteration: int) -> float:
        """The learning rate of the step taken after ``iteration`` steps."""
        lr = self._learning_rate
        if isinstance(lr, float):
            return lr
        return float(lr(iteration))

    # -- the step --------------------------------------------------------------
    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update each array of ``params`` in place from the matching ``grads``."""
        slots = self._slots
        if slots is None:
            slots = self._build(params)
        if len(params) != len(slots) or len(grads) != len(slots):
            raise ValueError(
                f"this optimizer's state is for {len(slots)} parameter arrays; "
                f"received {len(params)} parameter arrays and {len(grads)} gradients. "
                "Call reset() to use it for other parameters"
            )
        lr = self.current_learning_rate()
        if self.clipnorm is not None:
            grads = self._clip(grads)
        for p, g, s, tmp in zip(params, grads, slots, self._scratch, strict=True):
            if p.shape != tmp.shape or g.shape != tmp.shape:
                raise ValueError(
                    f"parameter shape {p.shape} and gradient shape {g.shape} must "
                    f"both be {tmp.shape}, the shape this optimizer's state was "
                    "built for. Call reset() to use it for other parameters"
                )
            self._update(p, g, s, tmp, lr)
        self.iterations += 1

    def _build(self, params: Sequence[np.ndarray]) -> list[dict[str, np.ndarray]]:
        # step() checks counts and shapes against this state on every call.
        self._slots = [
            {name: self._initial_slot(name, p) for name in self._slot_names}
            for p in params
        ]
        self._scratch = [np.empty_like(p) for p in params]
        return self._slots

    def _initial_slot(self, name: str, p: np.ndarray) -> np.ndarray:
        return np.zeros_like(p)

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The names of the state arrays kept per parameter array (``("m",
        "v")`` for Adam, ``()`` for plain SGD)."""
        return self._slot_names

    def get_state(self) -> dict[str, Any]:
        """The optimizer's state: ``{"iterations": int, "slots": slots}``, where
        ``slots`` is ``None`` before the first step, else one dict of state
        arrays (named as :attr:`slot_names`) per parameter array. The arrays
        are the live state, not copies: copy them to keep them."""
        slots = self._slots
        return {
            "iterations": self.iterations,
            "slots": None if slots is None else [dict(s) for s in slots],
        }

    def check_state_layout(self, slot_names: list[list[str]], n_params: int) -> None:
        """A ``ValueError`` unless a state with these slot names per parameter
        array fits this optimizer and ``n_params`` parameter arrays."""
        if len(slot_names) != n_params:
            raise ValueError(
                f"the optimizer state is for {len(slot_names)} parameter arrays; "
                f"the model has {n_params}"
            )
        for names in slot_names:
            if list(names) != list(self._slot_names):
                raise ValueError(
                    f"the optimizer state holds {list(names)}; {self!r} keeps "
                    f"{list(self._slot_names)}"
                )

    def set_state(self, state: dict[str, Any], params: Sequence[np.ndarray]) -> None:
        """Continue from ``state`` (as :meth:`get_state` returns it) for
        ``params``, the arrays the next :meth:`step` will update: the state is
        rebuilt as a first step would build it, then filled with the given
        values (``slots=None``: no state yet)."""
        iterations = state.get("iterations", 0)
        if not is_int(iterations):
            raise ValueError(
                f"the optimizer state's iterations must be an integer; received "
                f"{iterations!r}"
            )
        slots = state.get("slots")
        if slots is not None:
            self.check_state_layout([list(s) for s in slots], len(params))
            for values, built, p in zip(
                slots, self._build(params), params, strict=True
            ):
                for name, value in values.items():
                    if np.shape(value) != p.shape:
                        raise ValueError(
                            f"the optimizer state {name!r} has shape "
                            f"{np.shape(value)}; the parameters have shape {p.shape}"
                        )
                    np.copyto(built[name], value)
        else:
            self.reset()
        self.iterations = iterations

    def _clip(self, grads: Sequence[np.ndarray]) -> Sequence[np.ndarray]:
        assert self.clipnorm is not None
        # Scaled by the largest entry so the sum of squares cannot overflow.
        top = max(float(np.abs(g).max(initial=0.0)) for g in grads)
        if top == 0.0 or not np.isfinite(top):
            return grads
        scaled = [g / top for g in grads]
        norm = top * float(np.sqrt(sum(float(np.vdot(u, u)) for u in scaled)))
        if norm <= self.clipnorm:
            return grads
        scale = self.clipnorm / norm
        return [g * scale for g in grads]

    def _update(
        self,
        p: np.ndarray,
        g: np.ndarray,
        slots: dict[str, np.ndarray],
        tmp: np.ndarray,
        lr: float,
    ) -> None:
        raise NotImplementedError

    def reset(self, keep_iterations: bool = False) -> None:
        """Forget the state (moments, velocities) and, unless
        ``keep_iterations``, the step count that schedules follow."""
        if not keep_iterations:
            self.iterations = 0
        self._slots = None
        self._scratch = []

    # -- configuration -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": lr if isinstance(lr, float) else lr.get_config(),
            "clipnorm": self.clipnorm,
        }

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_config().items() if k != "name"
        )
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.01
    momentum : float in [0, 1), default 0.0
    nesterov : bool, default False
    clipnorm : float, optional
    """

    name = "sgd"

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self.momentum = check_range(
            "momentum", momentum, 0.0, 1.0, high_inclusive=False
        )
        if nesterov and not self.momentum:
            raise ValueError(
                "nesterov=True needs a momentum > 0; received momentum=0.0"
            )
        self.nesterov = bool(nesterov)
        self._slot_names = ("velocity",) if self.momentum else ()

    def _update(self, p, g, slots, tmp, lr):
        np.multiply(g, lr, out=tmp)  # lr * g
        if not self.momentum:
            p -= tmp
            return
        v = slots["velocity"]
        v *= self.momentum
        v -= tmp  # v = momentum * v - lr * g
        if self.nesterov:
            p -= tmp
            np.multiply(v, self.momentum, out=tmp)
            p += tmp  # w += momentum * v - lr * g
        else:
            p += v

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "nesterov": self.nesterov,
        }


class RMSprop(Optimizer):
    """Divide the gradient by a running root-mean-square of recent gradients.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    rho : float in [0, 1), default 0.9
    epsilon : float, default 1e-7
    clipnorm : float, optional
    """

    name = "rmsprop"
    _slot_names = ("square_avg",)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        epsilon: float = 1e-7,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self.rho = check_range("rho", rho, 0.0, 1.0, high_inclusive=False)
        self.epsilon = check_positive("epsilon", epsilon)

    def _update(self, p, g, slots, tmp, lr):
        s = slots["square_avg"]
        s *= self.rho
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.rho
        s += tmp  # s = rho * s + (1 - rho) g^2
        _scaled_descent(p, g, s, tmp, lr, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adagrad(Optimizer):
    """Divide the gradient by the root of the sum of all past squared gradients.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    initial_accumulator_value : float, default 0.1
    epsilon : float, default 1e-7
    clipnorm : float, optional
    """

    name = "adagrad"
    _slot_names = ("accumulator",)

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self.initial_accumulator_value = check_range(
            "initial_accumulator_value",
            initial_accumulator_value,
            0.0,
            np.inf,
            high_inclusive=False,
        )
        self.epsilon = check_positive("epsilon", epsilon)

    def _initial_slot(self, name: str, p: np.ndarray) -> np.ndarray:
        return np.full_like(p, self.initial_accumulator_value)

    def _update(self, p, g, slots, tmp, lr):
        s = slots["accumulator"]
        np.multiply(g, g, out=tmp)
        s += tmp
        _scaled_descent(p, g, s, tmp, lr, self.epsilon)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


class Adam(Optimizer):
    """Adaptive moment estimation (Kingma & Ba), with bias correction.

    Parameters
    ----------
    learning_rate : float or schedule, default 0.001
    beta_1, beta_2 : float in [0, 1), default 0.9 and 0.999
    epsilon : float, default 1e-7
    clipnorm : float, optional
    """

    name = "adam"
    _slot_names = ("m", "v")

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self.beta_1 = check_range("beta_1", beta_1, 0.0, 1.0, high_inclusive=False)
        self.beta_2 = check_range("beta_2", beta_2, 0.0, 1.0, high_inclusive=False)
        self.epsilon = check_positive("epsilon", epsilon)

    def step_size(self, lr: float, t: int) -> float:
        """The bias-corrected step size of step ``t`` (counted from 1) at
        learning rate ``lr``: ``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``."""
        return lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)

    def _update(self, p, g, slots, tmp, lr):
        m, v = slots["m"], slots["v"]
        # a Python float, so that float32 arrays are not computed in float64
        alpha = self.step_size(lr, self.iterations + 1)
        np.subtract(g, m, out=tmp)
        tmp *= 1.0 - self.beta_1
        m += tmp  # m = beta_1 m + (1 - beta_1) g
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1.0 - self.beta_2
        v += tmp  # v = beta_2 v + (1 - beta_2) g^2
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= alpha
        p -= tmp

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }


def _scaled_descent(
    p: np.ndarray, g: np.ndarray, s: np.ndarray, tmp: np.ndarray, lr: float, eps: float
) -> None:
    """``p -= lr * g / (sqrt(s) + eps)``, in ``tmp``: the step RMSprop and
    Adagrad share (they differ in how ``s`` accumulates squared gradients)."""
    np.sqrt(s, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= lr
    p -= tmp


class LBFGS(Optimizer):
    """Limited-memory BFGS: SciPy's ``minimize(method="L-BFGS-B")`` over every
    weight of the model at once, on the full batch.

    Each iteration builds a search direction from the last ``memory`` pairs of
    weight and gradient differences (an approximation of the inverse Hessian)
    and picks the step length by a line search, which evaluates the loss and
    its gradient a few times. Training a model compiled with it, one epoch is
    one L-BFGS iteration (see :class:`mlplab.training.Trainer`).

    Parameters
    ----------
    max_fun : int, default 15000
        At most about this many loss-and-gradient evaluations per call of
        ``fit`` / ``Trainer.run``; SciPy checks it after each iteration, so
        the last line search may go a few evaluations beyond (scikit-learn's
        ``max_fun``, SciPy's ``maxfun``).
    tol : float >= 0, default 1e-4
        Stop when the largest absolute gradient entry is at most ``tol``
        (scikit-learn's ``tol``, SciPy's ``gtol``). SciPy also stops when an
        iteration reduces the loss by less than about ``2.2e-9`` relative.
    memory : int, default 10
        The number of correction pairs kept (SciPy's ``maxcor``).
    learning_rate : float, default 1.0
        Not used: the line search chooses every step. Accepted so that one
        call builds any optimizer from a name and a learning rate
        (:func:`create`, run configs, the command line); saved with the model.
    clipnorm : None
        Not supported (a ``ValueError`` otherwise): clipping the gradients
        would make them disagree with the loss the line search measures.

    Attributes
    ----------
    result : scipy.optimize.OptimizeResult or None
        What the last :meth:`minimize` returned: ``nit`` (iterations),
        ``nfev`` (evaluations), ``fun`` (the loss at the final weights),
        ``status`` (0 converged, 1 ``maxiter`` or ``max_fun`` reached, 2 the
        line search failed, 99 a callback stopped training) and ``message``.
    iterations : int
        L-BFGS iterations over every :meth:`minimize` so far.

    Notes
    -----
    It is a full-batch method: ``fit`` refuses a ``batch_size`` smaller than
    the number of samples, and dropout (a new random mask at every
    evaluation would make the loss that the line search measures change
    under it). ``step`` (``model.train_step``, ``mlplab.explain``) raises a
    ``ValueError``. Each ``fit`` or ``Trainer.run`` starts a fresh
    minimization: the curvature memory is not kept from one call to the
    next, and :meth:`get_state` holds only the iteration count.

    Examples
    --------
    >>> import mlplab as ml
    >>> X, y = ml.datasets.make_moons(200, noise=0.2, seed=0)
    >>> model = ml.Sequential([ml.Dense(5, activation="tanh"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2, seed=0)
    >>> model.compile("binary_crossentropy", ml.LBFGS(tol=1e-5))
    >>> history = model.fit(X, y, epochs=200)
    >>> result = model.optimizer.result
    >>> result.nit == len(history.history["loss"]) <= 200
    True
    >>> history.history["loss"][-1] < 0.1
    True
    """

    name = "lbfgs"

    def __init__(
        self,
        max_fun: int = 15000,
        tol: float = 1e-4,
        memory: int = 10,
        learning_rate: Any = 1.0,
        clipnorm: float | None = None,
    ) -> None:
        if clipnorm is not None:
            raise ValueError(
                "L-BFGS takes no clipnorm: its line search needs the true "
                f"gradient; received clipnorm={clipnorm!r}"
            )
        super().__init__(learning_rate, None)
        self.max_fun = check_int("max_fun", max_fun, low=1)
        self.tol = check_range("tol", tol, 0.0, np.inf, high_inclusive=False)
        self.memory = check_int("memory", memory, low=1)
        self.result: Any = None
        # SciPy's optimizer (and its BLAS's thread control) loaded now, not in
        # the first fit's timed epochs (a few hundred milliseconds)
        import scipy.optimize  # noqa: F401

        _scipys_blas()

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Refused: L-BFGS moves the weights only inside :meth:`minimize`."""
        raise ValueError(
            "L-BFGS takes no single gradient steps: it minimizes the full-batch "
            "loss with a line search. Train with model.fit(...) or "
            "Trainer(...).run(...), or compile with another optimizer (e.g. "
            "'adam') for train_step and explain"
        )

    def minimize(
        self,
        fun: Callable[[np.ndarray], tuple[float, np.ndarray]],
        x0: np.ndarray,
        maxiter: int,
        callback: Callable[[Any], None] | None = None,
    ) -> Any:
        """Run L-BFGS-B from ``x0`` for at most ``maxiter`` iterations.

        Parameters
        ----------
        fun : callable
            ``fun(x) -> (loss, gradient)``, both float64, ``x`` of the shape
            of ``x0``.
        x0 : float64 array of shape (n_weights,)
        maxiter : int >= 1
        callback : callable, optional
            Called after each iteration with one argument named
            ``intermediate_result`` (its ``x`` and ``fun``; copy ``x`` to
            keep it); raising ``StopIteration`` ends the minimization.

        Returns
        -------
        scipy.optimize.OptimizeResult
            Also kept as :attr:`result`.
        """
        from scipy import __version__ as scipy_version
        from scipy.optimize import minimize

        options: dict[str, Any] = {
            "maxfun": self.max_fun,
            "gtol": self.tol,
            "maxiter": check_int("maxiter", maxiter, low=1),
            "maxcor": self.memory,
        }
        if _version(scipy_version) < (1, 15):
            options["iprint"] = -1  # silent; deprecated (and quiet) from 1.15
        with _one_thread_for_scipys_blas():
            result = minimize(
                fun, x0, method="L-BFGS-B", jac=True, callback=callback, options=options
            )
        self.result = result
        self.iterations += int(result.nit)
        return result

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_fun": self.max_fun,
            "tol": self.tol,
            "memory": self.memory,
        }


def _one_thread_for_scipys_blas() -> Any:
    """A context manager keeping the BLAS that SciPy's wheels bundle (their
    ``scipy.libs``) to one thread.

    L-BFGS-B calls it on vectors and on ``memory`` x ``memory`` matrices,
    work far too small to share: with several threads each iteration waits
    on the others (milliseconds instead of a fraction of one for a small
    network, and slower even at 10^5 weights). NumPy's BLAS, which computes
    the network's products, is left alone; so is a BLAS that SciPy shares
    with NumPy (a system or conda build).
    """
    return _scipys_blas().limit(limits=1)


@functools.cache
def _scipys_blas() -> Any:
    """A ``ThreadpoolController`` of the BLAS libraries SciPy bundles, found
    once (scanning the loaded libraries takes milliseconds); call it after
    ``scipy.optimize`` is imported."""
    import scipy
    from threadpoolctl import ThreadpoolController

    own = Path(scipy.__file__).resolve().parent
    controller = ThreadpoolController()
    paths = [
        info["filepath"]
        for info in controller.info()
        if Path(info["filepath"]).parent.name == "scipy.libs"
        or own in Path(info["filepath"]).resolve().parents
    ]
    return controller.select(filepath=paths)


def _version(text: str) -> tuple[int, int]:
    """``(major, minor)`` of a version string such as ``"1.17.1"``."""
    match = re.match(r"(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


REGISTRY: Registry[Optimizer] = Registry(
    "optimizer", Optimizer, [SGD, RMSprop, Adagrad, Adam, LBFGS]
)


def names() -> list[str]:
    """The registered optimizer names."""
    return REGISTRY.names()


def register(cls: type[Optimizer]) -> type[Optimizer]:
    """Make your own optimizer available by its ``name``; usable as a class
    decorator."""
    return REGISTRY.register(cls)


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name (default hyperparameters), an instance or a
    config dict."""
    return REGISTRY.get(identifier)


# Names that configs and the command line accept besides the registered ones:
# SGD with the momentum the tutorials use.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}


def create(
    name: str, learning_rate: Any, clipnorm: float | None = None, **options: Any
) -> Optimizer:
    """The optimizer ``name`` -- a registered name or one of :data:`PRESETS`
    -- with this learning rate: the one place where mlplab builds an optimizer
    from a name and hyperparameters (run configs, the command line, the
    scikit-learn estimators).

    ``options`` are hyperparameters by their constructor names (``momentum``,
    ``nesterov``, ``beta_1``, ``epsilon`` ...); those the chosen optimizer
    does not take are ignored, so a caller can pass one set for every
    choice, as scikit-learn's ``solver`` parameters work.

    >>> create("nesterov", 0.1)
    SGD(learning_rate=0.1, clipnorm=None, momentum=0.9, nesterov=True)
    >>> create("adam", 0.01, epsilon=1e-8, momentum=0.5).epsilon
    1e-08
    """
    key = name.strip().lower() if isinstance(name, str) else name
    if key in PRESETS:
        key, preset = PRESETS[key]
        options = {**options, **preset}
    try:
        cls = REGISTRY[key]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown optimizer {name!r}. {REGISTRY.valid_names()} Also "
            + " and ".join(repr(k) for k in PRESETS)
            + "."
        ) from None
    accepted = inspect.signature(cls).parameters
    kwargs = {k: v for k, v in options.items() if k in accepted}
    return cls(learning_rate=learning_rate, clipnorm=clipnorm, **kwargs)
