"""One registry mechanism for every component family.

Each family (activations, losses, initializers, optimizers, schedules,
regularizers, layers, metrics) keeps a :class:`Registry` of its named classes
and offers its ``get``, ``register`` and ``names`` from it. ``get`` turns what
a user wrote -- ``None``, a name, an instance or a config dict -- into an
instance; ``register`` makes a user's own class available by its name
everywhere a name is accepted (configs, saved models, the command line).

>>> class Greeting:
...     name = ""
>>> class Hello(Greeting):
...     name = "hello"
>>> greetings = Registry("greeting", Greeting, [Hello])
>>> type(greetings.get("HELLO")).__name__
'Hello'
>>> greetings.get("bye")
Traceback (most recent call last):
...
ValueError: unknown greeting 'bye'. Valid names: 'hello'.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """The named classes of one component family.

    Parameters
    ----------
    kind : str
        The family's name in messages ("activation", "loss", ...).
    base : type
        The family's base class: ``get`` returns its instances and
        ``register`` takes its subclasses.
    classes : iterable of classes
        The built-in members.
    aliases : mapping of str to str, optional
        Other names accepted by ``get`` (``"xavier"`` for ``"glorot_normal"``).
    none : callable, optional
        What ``get(None)`` returns (called with no arguments); without it,
        ``None`` is refused unless ``allow_none``.
    allow_none : bool
        Whether ``get(None)`` returns ``None``.
    key : callable, optional
        A class's name (default: its ``name`` attribute, matched without
        regard to case); the layer family uses the class name itself.
    case_sensitive : bool
        Whether names must match exactly (layers' class names do).
    """

    def __init__(
        self,
        kind: str,
        base: type[T],
        classes: Iterable[type[T]] = (),
        *,
        aliases: Mapping[str, str] | None = None,
        none: Callable[[], T] | None = None,
        allow_none: bool = False,
        key: Callable[[type], Any] | None = None,
        case_sensitive: bool = False,
    ) -> None:
        self.kind, self.base = kind, base
        self._aliases = dict(aliases or {})
        self._none, self._allow_none = none, allow_none
        self._key = key or (lambda cls: getattr(cls, "name", ""))
        self._case_sensitive = case_sensitive
        self._classes: dict[str, type[T]] = {
            self._normal(self._key(c)): c for c in classes
        }

    def _normal(self, name: str) -> str:
        return name.strip() if self._case_sensitive else name.strip().lower()

    # -- lookup ---------------------------------------------------------------
    def names(self) -> list[str]:
        """The registered names, built-in ones first."""
        return list(self._classes)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._normal(name) in self._classes

    def __getitem__(self, name: str) -> type[T]:
        """The class registered under ``name``."""
        return self._classes[self._normal(name)]

    def parameter(self, name: str) -> str | None:
        """The name of the one constructor parameter of the class ``name``
        (ELU's ``alpha``, Huber's ``delta``), or None when it takes none or
        several: what ``"elu:2"``-style specs set."""
        params = list(inspect.signature(self[name]).parameters)
        return params[0] if len(params) == 1 else None

    def valid_names(self) -> str:
        """``"Valid names: 'a', 'b'."``, for messages."""
        return "Valid names: " + ", ".join(repr(k) for k in self._classes) + "."

    def get(self, identifier: Any) -> Any:
        """Resolve ``identifier`` to an instance of the family's base class.

        ``None`` (see the constructor's ``none`` and ``allow_none``), a
        registered name or alias (case-insensitive unless the family says
        otherwise), an instance (returned as is), or a config dict ``{"name":
        ..., **kwargs}`` as ``get_config`` writes it.

        Raises
        ------
        ValueError
            For an unknown name or a bad config, with the list of valid names.
        TypeError
            For anything that is not a name, an instance or a config dict.
        """
        if identifier is None:
            if self._none is not None:
                return self._none()
            if self._allow_none:
                return None
            raise TypeError(
                f"a {self.kind} is required; received None. {self.valid_names()}"
            )
        if isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            key = self._normal(self._aliases.get(identifier.lower(), identifier))
            if key not in self._classes:
                raise ValueError(
                    f"unknown {self.kind} {identifier!r}. {self.valid_names()}"
                )
            return self._classes[key]()
        if isinstance(identifier, Mapping):
            return self._from_config(identifier)
        raise TypeError(
            f"a {self.kind} must be a name, a {self.base.__name__} instance or a "
            f"config dict; received {identifier!r} of type "
            f"{type(identifier).__name__}. {self.valid_names()}"
        )

    def _from_config(self, identifier: Mapping[str, Any]) -> Any:
        config = dict(identifier)
        name = config.pop("name", None)
        if not isinstance(name, str) or self._normal(name) not in self._classes:
            raise ValueError(
                f"a {self.kind} config needs a valid 'name'; received "
                f"{identifier!r}. {self.valid_names()}"
            )
        try:
            return self._classes[self._normal(name)](**config)
        except TypeError as exc:
            raise ValueError(f"bad {self.kind} config {identifier!r}: {exc}") from None

    # -- registration -----------------------------------------------------------
    def register(self, cls: Any) -> Any:
        """Add a subclass of the base class under its name; usable as a class
        decorator. Running the same definition again (a notebook cell, a file
        imported twice) replaces it; another class, or one of mlplab's own,
        may not take a registered name."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(
                f"register takes a subclass of {self.base.__name__}; received {cls!r}"
            )
        name = self._key(cls)
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{cls.__name__} needs a class attribute name = '...'")
        key = self._normal(name)
        old = self._classes.get(key)
        rerun = old is not None and (
            old.__qualname__ == cls.__qualname__
            and not old.__module__.startswith("mlplab.")
        )
        if old is not None and old is not cls and not rerun:
            raise ValueError(f"the {self.kind} name {key!r} is taken by {old.__name__}")
        self._classes[key] = cls
        return cls

    def unregister(self, name: str) -> None:
        """Remove a registered name (a user's own class; for tests and
        notebooks)."""
        del self._classes[self._normal(name)]
