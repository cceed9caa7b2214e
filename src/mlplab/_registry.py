"""One lookup, ``get``, shared by every component family.

Each family (activations, losses, initializers, optimizers, schedules,
regularizers) keeps a plain ``dict`` from name to class and calls
:func:`get_component` to turn what a user wrote -- ``None``, a name, an instance
or a config dict -- into an instance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def get_component(
    identifier: Any,
    registry: Mapping[str, Callable[..., Any]],
    kind: str,
    base: type,
    *,
    allow_none: bool = False,
) -> Any:
    """Resolve ``identifier`` to an instance of ``base``.

    Parameters
    ----------
    identifier : None, str, instance of ``base``, or dict
        A registered name (case-insensitive), an instance (returned as is), or a
        config dict ``{"name": ..., **kwargs}`` as written by ``get_config``.
    registry : mapping of str to class
        The family's named classes.
    kind : str
        The family's name, used in error messages ("activation", "loss", ...).
    base : type
        The family's base class.
    allow_none : bool
        Whether ``None`` is accepted (it is returned as ``None``).

    Raises
    ------
    ValueError
        For an unknown name, with the list of valid ones.
    TypeError
        For anything that is not a name, an instance or a config dict.
    """
    if identifier is None:
        if allow_none:
            return None
        raise TypeError(f"a {kind} is required; received None. {_valid(registry)}")
    if isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str):
        key = identifier.strip().lower()
        if key not in registry:
            raise ValueError(f"unknown {kind} {identifier!r}. {_valid(registry)}")
        return registry[key]()
    if isinstance(identifier, Mapping):
        config = dict(identifier)
        name = config.pop("name", None)
        if not isinstance(name, str) or name.lower() not in registry:
            raise ValueError(
                f"a {kind} config needs a valid 'name'; received {identifier!r}. "
                f"{_valid(registry)}"
            )
        try:
            return registry[name.lower()](**config)
        except TypeError as exc:
            raise ValueError(f"bad {kind} config {identifier!r}: {exc}") from None
    raise TypeError(
        f"a {kind} must be a name, a {base.__name__} instance or a config dict; "
        f"received {identifier!r} of type {type(identifier).__name__}. "
        f"{_valid(registry)}"
    )


def _valid(registry: Mapping[str, Any]) -> str:
    return "Valid names: " + ", ".join(repr(k) for k in registry) + "."
