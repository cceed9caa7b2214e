"""The same training run in scikit-learn and in PyTorch, from the same initial
weights, for side-by-side timing. PyTorch is optional: ``torch_available()``
says whether it can be imported."""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Sequence

import numpy as np

_SKLEARN_ACTIVATION = {"tanh": "tanh", "sigmoid": "logistic", "relu": "relu"}


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def sklearn_train(
    X: np.ndarray,
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    hidden: Sequence[str],
    *,
    optimizer: str,
    learning_rate: float,
    momentum: float,
    epochs: int,
    batch_size: int | None,
) -> tuple[float, float]:
    """Train ``MLPClassifier``; return ``(seconds, final epoch loss)``.

    Same network, same initial weights (set through a one-epoch warm start),
    L2 off, constant learning rate, no early stop. scikit-learn shuffles with
    its own generator, so mini-batch runs see other batch orders.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    n = X.shape[0]
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(w.shape[1] for w in weights[0:-2:2]),
        activation=_SKLEARN_ACTIVATION[hidden[0]] if hidden else "identity",
        solver=optimizer,
        alpha=0.0,
        batch_size=n if batch_size is None else batch_size,
        learning_rate="constant",
        learning_rate_init=learning_rate,
        momentum=momentum,
        nesterovs_momentum=False,
        epsilon=1e-7,
        shuffle=batch_size is not None,
        random_state=0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        max_iter=1,
        warm_start=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)  # builds the network; its weights are replaced below
        clf.coefs_ = [w.astype(X.dtype) for w in weights[0::2]]
        clf.intercepts_ = [b.astype(X.dtype) for b in weights[1::2]]
        clf.set_params(max_iter=epochs)
        start = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - start
    return seconds, float(clf.loss_)


def torch_train(
    X: np.ndarray,
    y: np.ndarray,
    weights: Sequence[np.ndarray],
    hidden: Sequence[str],
    *,
    optimizer: str,
    learning_rate: float,
    momentum: float,
    epochs: int,
    batch_size: int | None,
    seed: int,
) -> tuple[float, float]:
    """Train the same network with PyTorch on the CPU (eager mode, the
    idiomatic loop); batches in the same order as mlplab's. Returns
    ``(seconds, final epoch loss)``."""
    import torch

    dtype = torch.float32 if X.dtype == np.float32 else torch.float64
    acts = {"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid, "relu": torch.nn.ReLU}
    modules: list[torch.nn.Module] = []
    for i in range(len(weights) // 2):
        W, b = weights[2 * i], weights[2 * i + 1]
        lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=dtype)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
            lin.bias.copy_(torch.from_numpy(b))
        modules.append(lin)
        if i < len(hidden):
            modules.append(acts[hidden[i]]())
    net = torch.nn.Sequential(*modules)
    k = weights[-1].shape[0]
    Xt = torch.from_numpy(X)
    if k == 1:
        yt = torch.from_numpy(y.reshape(-1, 1).astype(X.dtype))
        loss_fn: torch.nn.Module = torch.nn.BCEWithLogitsLoss()
    else:
        yt = torch.from_numpy(y.astype(np.int64))
        loss_fn = torch.nn.CrossEntropyLoss()
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam(
            net.parameters(), lr=learning_rate, eps=1e-7
        )
    else:
        opt = torch.optim.SGD(net.parameters(), lr=learning_rate, momentum=momentum)
    n = X.shape[0]
    bs = n if batch_size is None else min(batch_size, n)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    total = 0.0
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(n)) if bs < n else None
        total = 0.0
        for s in range(0, n, bs):
            if order is None:
                xb, yb = Xt[s : s + bs], yt[s : s + bs]
            else:
                idx = order[s : s + bs]
                xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
    seconds = time.perf_counter() - start
    return seconds, total / n
