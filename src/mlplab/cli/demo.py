"""``mlplab demo``: train a 2-5-1 tanh network on two-moons and compare it with
logistic regression (the same engine with no hidden layer)."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .. import datasets
from ..layers import Dense
from ..model import Sequential
from ..optimizers import SGD


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="train a 2-5-1 network on two-moons and show what it learned",
        description=(
            "Train a network with one hidden layer of tanh units on the two-moons "
            "data set and compare it with logistic regression."
        ),
    )
    p.add_argument("--samples", type=int, default=500, help="points (default 500)")
    p.add_argument("--noise", type=float, default=0.2, help="noise (default 0.2)")
    p.add_argument("--hidden", type=int, default=5, help="hidden units (default 5)")
    p.add_argument("--epochs", type=int, default=5000, help="epochs (default 5000)")
    p.add_argument(
        "--learning-rate",
        type=float,
        default=0.3,
        help="learning rate of full-batch gradient descent (default 0.3)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(run=run)


def train_moons(
    hidden: int,
    samples: int = 500,
    noise: float = 0.2,
    epochs: int = 5000,
    learning_rate: float = 0.3,
    seed: int = 0,
) -> tuple[Sequential, dict[str, list[float]], np.ndarray, np.ndarray]:
    """Train a 2-``hidden``-1 network (``hidden=0``: logistic regression) with
    full-batch gradient descent on two-moons."""
    X, y = datasets.make_moons(samples, noise=noise, seed=seed)
    layers = [Dense(hidden, activation="tanh")] if hidden else []
    model = Sequential(
        [*layers, Dense(1, activation="sigmoid")], input_dim=2, seed=seed
    )
    model.compile(
        loss="binary_crossentropy",
        optimizer=SGD(learning_rate=learning_rate),
        metrics=["accuracy"],
    )
    history = model.fit(X, y, epochs=epochs)
    return model, history.history, X, y


def run(args: argparse.Namespace) -> int:
    if args.hidden < 1:
        raise ValueError(f"--hidden must be at least 1; received {args.hidden}")
    model, hist, X, y = train_moons(
        args.hidden,
        args.samples,
        args.noise,
        args.epochs,
        args.learning_rate,
        args.seed,
    )
    _, base_hist, _, _ = train_moons(
        0, args.samples, args.noise, args.epochs, args.learning_rate, args.seed
    )
    print(f"two-moons: {args.samples} points, noise {args.noise}, seed {args.seed}")
    print(
        f"network 2-{args.hidden}-1 (tanh, sigmoid), binary cross-entropy, "
        f"full-batch gradient descent, learning rate {args.learning_rate}\n"
    )
    model.summary()
    print("\nloss curve")
    print(f"{'epoch':>7}  {'loss':>8}  {'accuracy':>8}")
    n = len(hist["loss"])
    marks = sorted({0, *range(0, n, max(1, n // 10)), n - 1})
    for e in marks:
        print(f"{e + 1:>7}  {hist['loss'][e]:>8.4f}  {hist['accuracy'][e]:>8.1%}")
    ev = model.evaluate(X, y)
    base = base_hist["accuracy"][-1]
    print(
        f"\ntraining accuracy: network {ev['accuracy']:.1%} "
        f"(loss {ev['loss']:.4f}); logistic regression {base:.1%}"
    )
    return 0
