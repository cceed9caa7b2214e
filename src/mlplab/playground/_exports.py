"""The page's run as files a user keeps: the configuration as TOML, the
``mlplab train`` command, and a short Python script. Each reproduces the run
exactly: same configuration, same seed, same epochs, so the same bits.

>>> from mlplab.config import RunConfig
>>> config = RunConfig(dataset="xor", hidden=(4,), epochs=30, seed=3)
>>> print(command(config))
mlplab train --dataset xor --hidden 4 --epochs 30 --seed 3 --out runs/playground
"""

from __future__ import annotations

import shlex
from typing import Any

from ..config import RunConfig, settings

__all__ = ["command", "export", "python_script", "toml"]


def _header(epochs: int, losses: dict[str, float | None], uploaded: bool) -> list[str]:
    lines = [
        f"mlplab playground run: {epochs} epochs trained on the page",
        f"training loss {losses['train']}, test loss {losses['test']}",
    ]
    if uploaded:
        lines.append("data: the file you uploaded, expected in the current folder")
    return lines


def _text(value: Any) -> str:
    """A value as the command line reads it."""
    if isinstance(value, list | tuple):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _changed(config: RunConfig) -> dict[str, Any]:
    """The keys of ``config`` that differ from their defaults, as ``to_dict``
    writes them (the epochs always)."""
    values = config.to_dict()
    found = {}
    for s in settings():
        if s.key in values and (
            s.key == "epochs" or getattr(config, s.key) != s.default
        ):
            found[s.key] = values[s.key]
    return found


def command(config: RunConfig, out: str = "runs/playground") -> str:
    """The ``mlplab train`` command line that runs ``config``."""
    known = {s.key: s for s in settings()}
    words = ["mlplab", "train"]
    for key, value in _changed(config).items():
        if known[key].cli:
            words += [known[key].option, _text(value)]
    words += ["--out", out]
    return shlex.join(words)


def toml(config: RunConfig) -> str:
    """The configuration file ``mlplab train --config`` reads."""
    return config.to_toml()


def python_script(config: RunConfig) -> str:
    """A short script that trains ``config`` with the library and prints the
    losses the page showed."""
    args = ",\n".join(f"    {k}={v!r}" for k, v in _changed(config).items())
    return f"""from mlplab.config import RunConfig
from mlplab.rundata import load_data
from mlplab.runmodel import build_model

config = RunConfig(
{args},
)
data = load_data(config)  # generated or read, split into training and test parts
model = build_model(config, data)  # the network, compiled
test = (data.X_test, data.y_test) if data.X_test is not None else None
model.fit(
    data.X_train,
    data.y_train,
    epochs=config.epochs,
    batch_size=config.batch_size,
    validation_data=test,
)
print("training loss:", model.evaluate(data.X_train, data.y_train)["loss"])
if test is not None:
    print("test loss:", model.evaluate(*test)["loss"])
"""


def export(
    kind: str,
    config: RunConfig,
    epochs: int,
    losses: dict[str, float | None],
    uploaded: bool,
) -> tuple[str, str, bytes]:
    """``(filename, content type, bytes)`` of the export ``kind``: ``toml``,
    ``command`` or ``python``."""
    header = _header(epochs, losses, uploaded)
    if kind == "toml":
        text = "".join(f"# {line}\n" for line in header) + toml(config)
        return "config.toml", "application/toml", text.encode()
    if kind == "command":
        text = "".join(f"# {line}\n" for line in header) + command(config) + "\n"
        return "mlplab-command.sh", "text/x-shellscript", text.encode()
    if kind == "python":
        doc = '"""' + "\n".join(header) + '\n"""\n\n'
        return "mlplab_run.py", "text/x-python", (doc + python_script(config)).encode()
    raise ValueError(
        f"unknown export {kind!r}; valid exports: toml, command, python, model"
    )
