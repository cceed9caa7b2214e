"""Exceptions raised by mlplab."""

from __future__ import annotations


class DivergenceError(FloatingPointError, ValueError):
    """Training produced a NaN or infinite loss.

    ``fit`` raises it as soon as the loss stops being finite; the model keeps
    the last weights that gave a finite loss. It is a ``ValueError`` too, as
    scikit-learn's estimators raise for non-finite weights, so code written
    for either library catches it.

    Attributes
    ----------
    epoch : int or None
        The epoch (from 0) in which the loss diverged; ``None`` outside ``fit``.
    loss : float
        The offending loss value.
    learning_rate : float or None
        The learning rate in use at that moment; ``None`` for L-BFGS, which
        has none (the message then suggests scaling the inputs and L2).
    """

    def __init__(
        self, loss: float, epoch: int | None = None, learning_rate: float | None = None
    ) -> None:
        self.loss, self.epoch, self.learning_rate = loss, epoch, learning_rate
        # The attribute counts from 0, like fit's epochs; the message from 1.
        where = f" in epoch {epoch + 1}" if epoch is not None else ""
        if learning_rate is None:  # L-BFGS: no learning rate, no clipnorm
            hint = (
                "scale the inputs (--scale standard on the command line), look for "
                "extreme values in them, or add L2 regularization"
            )
        else:
            hint = (
                f"try a lower learning rate (it is {learning_rate:g}; try "
                f"{learning_rate / 10:g}), scale the inputs, or clip the gradients "
                "(the optimizer's clipnorm, e.g. SGD(..., clipnorm=1.0); --clipnorm 1 "
                "on the command line)"
            )
        super().__init__(
            f"training diverged{where}: the loss became {loss}; the model keeps the "
            f"last weights that gave a finite loss; {hint}"
        )


class ModelFormatError(ValueError):
    """A model file cannot be loaded: it is missing, damaged, not an mlplab
    model file, written by a newer mlplab, or inconsistent with itself.

    Raised by :func:`mlplab.persistence.load`; the message names the file and
    what is wrong with it. Nothing from a refused file is ever executed.
    """
