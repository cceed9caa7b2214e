"""What the plots ask of a model: the checks that it can be drawn."""

from __future__ import annotations

from typing import Any

from ..layers import Dense

__all__: list[str] = []


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
