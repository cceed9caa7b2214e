"""Files the page uploads: kept in a temporary folder of the server's,
checked by the same loader as ``mlplab train --data``, within limits.

Nothing is written outside the folder: the file's name is reduced to safe
characters and stored under a random id.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import datasets
from ._pageconfig import LIMITS

__all__ = ["Upload", "Uploads", "safe_name"]

_EXTENSIONS = (".csv", ".txt")


def safe_name(name: Any) -> str:
    """The last part of ``name`` with only letters, digits, ``-``, ``_`` and
    ``.``; it must end in ``.csv`` or ``.txt``.

    >>> safe_name("../../etc/my data.csv")
    'my_data.csv'
    """
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"an upload needs the name of a .csv or .txt file; received name={name!r}"
        )
    base = re.sub(r"[^A-Za-z0-9._-]", "_", re.split(r"[\\/]", name)[-1]).lstrip(".")
    if not base.lower().endswith(_EXTENSIONS) or len(base) > 120:
        raise ValueError(
            f"upload a .csv or .txt file (a name under 120 characters); received "
            f"{name!r}"
        )
    return base


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its id, the name it had, where it is, its columns
    and rows, and a label column it loads with."""

    id: str
    name: str
    path: Path
    columns: list[str]
    rows: int
    label: str

    def to_json(self) -> dict[str, Any]:
        return {
            "upload": self.id,
            "name": self.name,
            "columns": self.columns,
            "rows": self.rows,
            "label_column": self.label,
        }


class Uploads:
    """The server's uploads, in one temporary folder removed by :meth:`close`."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="mlplab-playground-")
        self._found: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def add(self, name: Any, content: bytes) -> Upload:
        """Store and check an uploaded file; a malformed one raises
        ``ValueError`` with the loader's message (naming the file as the
        user named it)."""
        if len(content) > LIMITS["max_upload_bytes"]:
            raise ValueError(_too_big(len(content)))
        base = safe_name(name)
        uid = secrets.token_hex(8)
        folder = Path(self._folder.name) / uid
        folder.mkdir()
        path = folder / base
        path.write_bytes(content)
        try:
            upload = _checked(uid, base, path)
        except ValueError as exc:
            path.unlink()
            folder.rmdir()
            raise ValueError(str(exc).replace(str(path), base)) from None
        with self._lock:
            self._found[uid] = upload
        return upload

    def get(self, uid: str | None) -> Upload | None:
        if uid is None:
            return None
        with self._lock:
            found = self._found.get(uid)
        if found is None:
            raise ValueError(f"no upload {uid!r} on this server; upload the file again")
        return found

    def close(self) -> None:
        self._folder.cleanup()


def _too_big(size: int) -> str:
    limit = LIMITS["max_upload_bytes"] // (1024 * 1024)
    return f"the file has {size / 2**20:.1f} MB; the playground takes up to {limit} MB"


def _checked(uid: str, name: str, path: Path) -> Upload:
    """The upload of ``path``, read as ``mlplab train --data`` reads it with
    the last column, else the first, as labels."""
    columns = datasets.column_names(path)
    if len(columns) > LIMITS["max_upload_columns"]:
        raise ValueError(
            f"{path}: {len(columns)} columns; the playground takes up to "
            f"{LIMITS['max_upload_columns']}"
        )
    if len(columns) < 3:
        raise ValueError(
            f"{path}: {len(columns)} column(s); the playground needs two feature "
            "columns and a label column"
        )
    error: ValueError | None = None
    for label in (len(columns) - 1, 0):
        try:
            X, _ = datasets.load_file(path, label_column=label)
        except ValueError as exc:
            error = error or exc
            continue
        if X.shape[0] > LIMITS["max_upload_rows"]:
            raise ValueError(
                f"{path}: {X.shape[0]} rows; the playground takes up to "
                f"{LIMITS['max_upload_rows']}"
            )
        return Upload(uid, name, path, columns, int(X.shape[0]), columns[label])
    assert error is not None
    raise error
