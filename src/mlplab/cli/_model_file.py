"""Finding a saved model and what it was trained on: a model file, or a run
folder holding ``model.npz``, ``config.toml`` and ``metrics.json``."""

from __future__ import annotations

import reprlib
from pathlib import Path
from typing import Any

import numpy as np

from .. import persistence
from ..config import RunConfig
from ..model import Sequential


def load(path: str) -> tuple[Sequential, list[Any], RunConfig | None]:
    """The model, its classes (original labels by output code; empty for
    regression or when unknown) and, for a run folder, its configuration."""
    p = Path(path)
    config = None
    if p.is_dir():
        if not (p / "model.npz").exists():
            raise ValueError(
                f"{p} is a folder without model.npz; give a run folder or a model file"
            )
        if (p / "config.toml").exists():
            config = RunConfig.from_toml(p / "config.toml")
        p = p / "model.npz"
    model = persistence.load(p)
    meta = persistence.read_metadata(p)
    classes = _classes(meta.get("classes"), p) if isinstance(meta, dict) else []
    return model, classes, config


def _classes(value: Any, path: Path) -> list[Any]:
    """The metadata's ``classes``: a list of labels (strings or numbers)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(c, str | int | float) for c in value
    ):
        shown = reprlib.repr(value)
        if isinstance(value, list):
            bad = next(c for c in value if not isinstance(c, str | int | float))
            shown += f" (holding {type(bad).__name__} {reprlib.repr(bad)})"
        raise ValueError(
            f"{path}: the metadata entry 'classes' must be a list of labels "
            f"(strings or numbers); found {shown}"
        )
    return list(value)


def encode(y: np.ndarray, classes: list[Any], model: Sequential) -> np.ndarray:
    """Labels as the model's output codes, through the saved classes."""
    if model.task == "regression" or not classes:
        return y
    index = {c: i for i, c in enumerate(classes)}
    codes = np.empty(len(y), dtype=np.int64)
    for i, v in enumerate(y.tolist()):
        if v not in index:
            raise ValueError(
                f"label {v!r} (row {i + 1}) is not one the model was trained on: "
                + ", ".join(repr(c) for c in classes)
            )
        codes[i] = index[v]
    return codes
