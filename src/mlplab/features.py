"""Feature crosses and powers by name: ``x1*x2``, ``x1^2``, ``sin(x1)``, ...

TensorFlow Playground's lesson, scriptable: a model that cannot draw a curved
boundary from ``x1, x2`` alone can once it is given ``x1*x2`` or ``x1^2``. A
feature is a small expression over the inputs ``x1 .. xd`` (numbered from 1):

* products ``x1*x2`` (also ``x1*x1*x2``), powers ``x1^2`` (or ``x1**2``; a
  positive integer exponent);
* functions ``sin``, ``cos``, ``tanh``, ``exp``, ``abs`` of a feature, e.g.
  ``sin(x1)``, ``exp(x1*x2)``;
* parentheses: ``(x1*x2)^2``.

Expressions are parsed by a small grammar, never ``eval``-ed.

Use them as the first layer of a model, :class:`Features`, so that the model
still takes the original inputs: ``predict``, ``evaluate`` and every plot work
in the original input plane (a decision boundary of a model trained on
``x1*x2`` is drawn over ``x1, x2``), and the features travel with the saved
model. :class:`FeatureMap` does the same on plain arrays.

>>> import numpy as np
>>> from mlplab.features import FeatureMap
>>> fm = FeatureMap("x1, x2, x1*x2, x1^2")
>>> fm.names
['x1', 'x2', 'x1*x2', 'x1^2']
>>> fm.transform(np.array([[2.0, 3.0]]))
array([[2., 3., 6., 4.]])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .layers import Layer, register

__all__ = ["FUNCTIONS", "FeatureMap", "Features", "parse", "transform"]

# name -> (function, derivative as a function of the argument)
FUNCTIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable]] = {
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda u: -np.sin(u)),
    "tanh": (np.tanh, lambda u: 1.0 - np.tanh(u) ** 2),
    "exp": (np.exp, np.exp),
    "abs": (np.abs, np.sign),
}
_MAX_POWER = 12
_TOKEN = re.compile(r"\s*(?:(x\d+)|([a-z]+)|(\d+)|(\*\*|\*|\^|\(|\)))")


# -- the expression tree --------------------------------------------------------
class _Node:
    def value(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad(self, X: np.ndarray) -> dict[int, np.ndarray]:
        """Partial derivatives with respect to the inputs it uses, by column."""
        raise NotImplementedError

    def inputs(self) -> set[int]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Var(_Node):
    index: int  # 0-based column

    def value(self, X: np.ndarray) -> np.ndarray:
        return X[:, self.index]

    def grad(self, X: np.ndarray) -> dict[int, np.ndarray]:
        return {self.index: np.ones(X.shape[0], dtype=X.dtype)}

    def inputs(self) -> set[int]:
        return {self.index}

    def __str__(self) -> str:
        return f"x{self.index + 1}"


class _Unary(_Node):
    """``f(u)`` of one sub-expression ``u = arg``; by the chain rule its
    derivative is ``f'(u) du``."""

    arg: _Node

    def _f(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _df(self, u: np.ndarray) -> np.ndarray:
        """``f'(u)``."""
        raise NotImplementedError

    def value(self, X: np.ndarray) -> np.ndarray:
        return self._f(self.arg.value(X))

    def grad(self, X: np.ndarray) -> dict[int, np.ndarray]:
        outer = self._df(self.arg.value(X))  # f'(u)
        return {i: outer * g for i, g in self.arg.grad(X).items()}  # chain rule

    def inputs(self) -> set[int]:
        return self.arg.inputs()


@dataclass(frozen=True)
class _Func(_Unary):
    name: str
    arg: _Node

    def _f(self, u: np.ndarray) -> np.ndarray:
        return FUNCTIONS[self.name][0](u)

    def _df(self, u: np.ndarray) -> np.ndarray:
        return FUNCTIONS[self.name][1](u)

    def __str__(self) -> str:
        return f"{self.name}({self.arg})"


@dataclass(frozen=True)
class _Pow(_Unary):
    arg: _Node
    power: int

    def _f(self, u: np.ndarray) -> np.ndarray:
        return u**self.power

    def _df(self, u: np.ndarray) -> np.ndarray:
        return self.power * u ** (self.power - 1)  # k u^(k-1)

    def __str__(self) -> str:
        base = str(self.arg)
        if isinstance(self.arg, _Mul | _Pow):
            base = f"({base})"
        return f"{base}^{self.power}"


@dataclass(frozen=True)
class _Mul(_Node):
    factors: tuple[_Node, ...]

    def value(self, X: np.ndarray) -> np.ndarray:
        out = self.factors[0].value(X)
        for f in self.factors[1:]:
            out = out * f.value(X)
        return out

    def grad(self, X: np.ndarray) -> dict[int, np.ndarray]:
        # Product rule: d(f1 f2 ... fk) = sum_j (prod_{i != j} fi) dfj
        values = [f.value(X) for f in self.factors]
        out: dict[int, np.ndarray] = {}
        for j, f in enumerate(self.factors):
            others = np.ones(X.shape[0], dtype=X.dtype)
            for i, v in enumerate(values):
                if i != j:
                    others = others * v
            for col, g in f.grad(X).items():
                out[col] = out[col] + others * g if col in out else others * g
        return out

    def inputs(self) -> set[int]:
        return set().union(*(f.inputs() for f in self.factors))

    def __str__(self) -> str:
        return "*".join(str(f) for f in self.factors)


# -- parsing --------------------------------------------------------------------
class _Parser:
    """term := factor ('*' factor)* ; factor := primary ('^' INT)? ;
    primary := 'x'INT | FUNC '(' term ')' | '(' term ')'."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos, s = 0, text.lower()
        while pos < len(s):
            if s[pos:].strip() == "":
                break
            m = _TOKEN.match(s, pos)
            if m is None:
                raise self._error(f"unexpected character {s[pos:].lstrip()[0]!r}")
            var, word, num, op = m.groups()
            if var:
                self.tokens.append(("var", var))
            elif word:
                self.tokens.append(("func", word))
            elif num:
                self.tokens.append(("int", num))
            else:
                self.tokens.append(("op", "^" if op == "**" else op))
            pos = m.end()
        self.i = 0

    def _error(self, problem: str) -> ValueError:
        return ValueError(
            f"cannot read feature {self.text!r}: {problem}. Features are products "
            "and powers of inputs x1, x2, ... and functions "
            f"{', '.join(FUNCTIONS)} of them, e.g. 'x1*x2', 'x1^2', 'sin(x1)'"
        )

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _take(self, kind: str, value: str | None = None) -> str:
        tok = self._peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            want = value or kind
            got = "the end" if tok is None else repr(tok[1])
            raise self._error(f"expected {want!r}, found {got}")
        self.i += 1
        return tok[1]

    def parse(self) -> _Node:
        if not self.tokens:
            raise self._error("it is empty")
        node = self._term()
        if self._peek() is not None:
            raise self._error(f"unexpected {self._peek()[1]!r}")  # type: ignore[index]
        return node

    def _term(self) -> _Node:
        factors = [self._factor()]
        while self._peek() == ("op", "*"):
            self.i += 1
            factors.append(self._factor())
        return factors[0] if len(factors) == 1 else _Mul(tuple(factors))

    def _factor(self) -> _Node:
        node = self._primary()
        if self._peek() == ("op", "^"):
            self.i += 1
            power = int(self._take("int"))
            if not 1 <= power <= _MAX_POWER:
                raise self._error(f"the power must be 1..{_MAX_POWER}, not {power}")
            node = node if power == 1 else _Pow(node, power)
        return node

    def _primary(self) -> _Node:
        tok = self._peek()
        if tok is None:
            raise self._error("it ends too early")
        kind, value = tok
        if kind == "var":
            self.i += 1
            index = int(value[1:])
            if index < 1:
                raise self._error("inputs are numbered from x1")
            return _Var(index - 1)
        if kind == "func":
            if value not in FUNCTIONS:
                raise self._error(f"unknown function {value!r}")
            self.i += 1
            self._take("op", "(")
            arg = self._term()
            self._take("op", ")")
            return _Func(value, arg)
        if tok == ("op", "("):
            self.i += 1
            node = self._term()
            self._take("op", ")")
            return node
        raise self._error(f"unexpected {value!r}")


def parse(expression: str) -> _Node:
    """Parse one feature expression; raises ``ValueError`` saying what is wrong."""
    if not isinstance(expression, str):
        raise TypeError(
            f"a feature must be a string such as 'x1*x2'; received {expression!r}"
        )
    return _Parser(expression).parse()


def _split(spec: str | Iterable[str]) -> list[str]:
    if isinstance(spec, str):
        items = [s.strip() for s in spec.split(",")]
    else:
        try:
            items = [s.strip() if isinstance(s, str) else s for s in spec]
        except TypeError:
            raise TypeError(
                "features must be a comma-separated string or a list of strings; "
                f"received {spec!r}"
            ) from None
    if not items or any(s == "" for s in items):
        raise ValueError(
            f"features must be a non-empty list such as 'x1,x2,x1*x2'; received "
            f"{spec!r}"
        )
    return items


class FeatureMap:
    """A list of named features computed from the input columns.

    Parameters
    ----------
    spec : str or list of str
        ``"x1,x2,x1*x2"`` or ``["x1", "x2", "x1*x2"]``.

    Attributes
    ----------
    names : list of str
        The features in canonical spelling (``x1**2`` becomes ``x1^2``).
    n_inputs : int
        The number of input columns the features need at least (the highest
        ``xi`` used).
    """

    def __init__(self, spec: str | Iterable[str]) -> None:
        self.nodes = [parse(s) for s in _split(spec)]
        self.names = [str(n) for n in self.nodes]
        seen: set[str] = set()
        for name in self.names:
            if name in seen:
                raise ValueError(f"feature {name!r} appears twice in {spec!r}")
            seen.add(name)
        self.n_inputs = 1 + max(max(n.inputs()) for n in self.nodes)

    def check_inputs(self, n_features: int) -> None:
        if n_features < self.n_inputs:
            raise ValueError(
                f"feature x{self.n_inputs} needs at least {self.n_inputs} input "
                f"columns; the data has {n_features} (x1..x{n_features})"
            )

    def transform(self, X: Any, out: np.ndarray | None = None) -> np.ndarray:
        """The features of each row: shape ``(n_samples, len(names))``."""
        Xa = np.asarray(X)
        if Xa.ndim != 2:
            raise ValueError(
                f"X must be 2-D (n_samples, n_features); received shape {Xa.shape}"
            )
        self.check_inputs(Xa.shape[1])
        if out is None:
            dtype = Xa.dtype if Xa.dtype.kind == "f" else np.float64
            out = np.empty((Xa.shape[0], len(self.nodes)), dtype=dtype)
        for j, node in enumerate(self.nodes):
            out[:, j] = node.value(Xa)
        return out

    def __repr__(self) -> str:
        return f"FeatureMap({', '.join(self.names)!r})"


def transform(X: Any, spec: str | Iterable[str]) -> np.ndarray:
    """``FeatureMap(spec).transform(X)``.

    >>> import numpy as np
    >>> transform(np.array([[1.0, -2.0]]), "x1*x2, x2^2")
    array([[-2.,  4.]])
    """
    return FeatureMap(spec).transform(X)


@register
class Features(Layer):
    """A layer that computes named features of its input, e.g. ``x1*x2``.

    Put it first in a model: the model then takes the original inputs, so
    ``predict`` and the plots work in the original input plane, and saving the
    model saves the features with it. It has no weights. Its backward pass is
    exact (the derivative of each feature by the chain and product rules), so
    it is gradient-checked like every layer.

    Parameters
    ----------
    features : str or list of str
        See :class:`FeatureMap`.

    Examples
    --------
    A single sigmoid neuron that sees ``x1*x2`` besides ``x1`` and ``x2``:

    >>> import mlplab as ml
    >>> model = ml.Sequential([Features("x1, x2, x1*x2"),
    ...                        ml.Dense(1, activation="sigmoid")], input_dim=2)
    >>> model.count_params()    # 3 weights and a bias; Features has none
    4
    """

    def __init__(self, features: str | Iterable[str], name: str | None = None) -> None:
        super().__init__(name)
        self.feature_map = FeatureMap(features)
        self.features = list(self.feature_map.names)

    def _build(self, input_dim: int, rng: np.random.Generator) -> int:
        self.feature_map.check_inputs(input_dim)
        return len(self.features)

    def _shapes(self, n: int) -> dict[str, tuple[int, ...]]:
        assert self.input_dim is not None
        return {"A": (n, len(self.features)), "dX": (n, self.input_dim)}

    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        if not isinstance(X, np.ndarray):
            self.check_dense_input(X)
        bufs = self.work_arrays(X.shape[0], self._shapes)
        self._X = X
        return self.feature_map.transform(X, out=bufs["A"])

    def backward(self, dA: np.ndarray, need_dX: bool = True) -> np.ndarray | None:
        # dX[:, i] = sum_j dA[:, j] * d feature_j / d x_i
        if not need_dX:
            return None
        dX = self.work_arrays(dA.shape[0], self._shapes)["dX"]  # the forward's
        dX[...] = 0.0
        for j, node in enumerate(self.feature_map.nodes):
            for i, g in node.grad(self._X).items():
                dX[:, i] += dA[:, j] * g
        return dX

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "features": list(self.features)}
