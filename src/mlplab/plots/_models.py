"""What the plots ask of a model: the checks that it can be drawn, and a
working copy to compute on, so that the model itself is never changed."""

from __future__ import annotations

from typing import Any

from ..layers import Dense
from ..model import Sequential

__all__: list[str] = []


def check_compiled(model: Any, what: str) -> Sequential:
    """``model`` if it is a compiled :class:`~mlplab.Sequential`; else a
    TypeError or ValueError that names ``what`` needs it."""
    if not isinstance(model, Sequential):
        raise TypeError(
            f"{what} takes a compiled Sequential; received {model!r} of type "
            f"{type(model).__name__}"
        )
    model.require_compiled(what)
    return model


def compiled_copy(model: Sequential) -> Sequential:
    """A new model with ``model``'s architecture, loss and current weights.

    Its optimizer is a fresh SGD: compiling with ``model.optimizer`` would
    reset the moments of the model's own optimizer.
    """
    copy = Sequential.from_config(model.get_config())
    copy.compile(loss=model.loss, optimizer="sgd")
    copy.set_weights(model.get_weights())
    return copy


def check_dense_model(model: Any, what: str) -> None:
    """Refuse what is not a built model with at least one Dense layer: the
    pictures of its units and weights need them."""
    if not hasattr(model, "layers"):
        raise TypeError(
            f"{what} takes a Sequential model; received {model!r} of type "
            f"{type(model).__name__}"
        )
    if not getattr(model, "built", True):
        raise ValueError(
            f"{what} needs the model's weights, and this model is not built yet: "
            "give it input_dim (Sequential([...], input_dim=2)) or call fit first"
        )
    if not any(isinstance(layer, Dense) for layer in model.layers):
        raise ValueError(f"{what} needs a model with at least one Dense layer")
