"""Reading your own data: ``.csv`` / ``.txt``, ``.npy`` and ``.npz`` files.

Re-exported by :mod:`mlplab.datasets`; a malformed file raises a
``ValueError`` that names the file, the line and the problem.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
import tokenize
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path
from types import EllipsisType
from typing import Any, BinaryIO, TypeVar

import numpy as np
from numpy.lib import format as npy_format

from ._validation import all_finite

__all__ = [
    "EXTENSIONS",
    "column_names",
    "load_csv",
    "load_file",
    "load_npy",
    "load_npz",
]

StrPath = str | PathLike[str]
Columns = Sequence[int | str]

EXTENSIONS = (".csv", ".txt", ".npy", ".npz")
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_T = TypeVar("_T")


def _existing_file(path: StrPath) -> Path:
    if not isinstance(path, str | PathLike):
        raise TypeError(f"path must be a str or a Path; received {path!r}")
    p = Path(path)
    if not p.exists():
        raise ValueError(f"no such file: {path}")
    if p.is_dir():
        raise ValueError(f"{path} is a directory, not a file")
    return p


def _check_label_column(label_column: Any, *, names: bool = True) -> None:
    ok = label_column is None or (
        isinstance(label_column, numbers.Integral)
        and not isinstance(label_column, bool)
    )
    if not ok and not (names and isinstance(label_column, str)):
        what = "an int, a column name or None" if names else "an int or None"
        raise TypeError(
            f"label_column must be {what}; received label_column={label_column!r}"
        )


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _as_labels(values: np.ndarray) -> np.ndarray:
    """Numeric labels: int64 when every value is a whole number (classes),
    float64 otherwise (regression targets)."""
    values = np.asarray(values)
    if values.dtype.kind in "biu":
        return values.astype(np.int64)
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2.0**53):
        return values.astype(np.int64)
    return values.astype(np.float64)


def _read_rows(
    path: Path, shown: str, delimiter: str | None
) -> tuple[list[list[str]], list[int]]:
    """The file's non-blank rows, cells stripped, with their 1-based lines."""
    rows: list[list[str]] = []
    lines: list[int] = []
    reader = None
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            if delimiter is None:  # any run of whitespace separates fields
                for line, text in enumerate(f, 1):
                    cells = text.split()
                    if cells:
                        rows.append(cells)
                        lines.append(line)
            else:
                reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True)
                for row in reader:
                    line = reader.line_num
                    cells = [cell.strip() for cell in row]
                    if cells and cells != [""]:
                        rows.append(cells)
                        lines.append(line)
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{shown} is not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 text, or as .npy / .npz"
        ) from None
    except csv.Error as exc:
        line = reader.line_num if reader is not None else len(lines) + 1
        raise ValueError(f"{shown}: line {line}: {exc}") from None
    return rows, lines


def _header_in(first: list[str]) -> bool:
    """``header="auto"``: line 1 is a header when none of its cells is a number
    (a data row with a text label still has numbers in it)."""
    return any(first) and not any(_is_number(cell) for cell in first)


def load_csv(
    path: StrPath,
    label_column: int | str | None = -1,
    header: bool | str = "auto",
    delimiter: str | None = ",",
    feature_columns: Columns | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a table of numbers, and optionally a label column, from a text file.

    Parameters
    ----------
    path : str or Path
    label_column : int, str or None, default -1
        The column holding the labels: an index (negative counts from the end),
        a name from the header row, or ``None`` when there are no labels.
    header : True, False or "auto", default "auto"
        Whether the first non-blank line holds column names. ``"auto"`` takes it
        for a header when none of its cells is a number (or, when
        ``label_column`` is a name, when it contains that name).
    delimiter : str or None, default ","
        The field separator; ``None`` splits on any run of whitespace (the
        format ``np.savetxt`` writes by default).
    feature_columns : list of int or str, optional
        The columns of ``X``, in this order: indices (negative counts from the
        end) or names from the header. By default every column but the label
        column.

    Returns
    -------
    X : float64 array of shape (n_rows, n_columns - 1), or all columns when
        ``label_column`` is None, or the ``feature_columns``
    y : array of shape (n_rows,) or None
        int64 when every label is a whole number, float64 for other numbers
        (regression targets); text labels stay text (a ``str`` array, class
        names for a classifier, which encodes them itself).

    Raises
    ------
    ValueError
        For a missing file, or a malformed one; the message names the file, the
        line (counted from 1, blank lines included) and the problem: an empty
        file, a row with the wrong number of fields, an empty, non-numeric,
        NaN or infinite cell, labels mixing numbers and text, or a label or
        feature column that does not exist (or a feature column that is the
        label column). Columns without a header are counted from 0.

    Notes
    -----
    Blank lines are skipped; spaces around cells are ignored; quoting follows
    the ``csv`` module.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "pets.csv"
    ...     _ = path.write_text("weight,height,kind\\n4,30,cat\\n30,60,dog\\n")
    ...     X, y = load_csv(path, label_column="kind")
    >>> X.tolist(), y.tolist()
    ([[4.0, 30.0], [30.0, 60.0]], ['cat', 'dog'])
    """
    _check_csv_options(label_column, header, delimiter)
    _check_feature_columns(feature_columns)
    shown = str(path)
    rows, lines = _read_table(path, shown, delimiter)
    names = _header(rows, lines, header, label_column, shown)
    return _parse_columns(
        rows, lines, names, (label_column, feature_columns), shown, delimiter
    )


def _check_csv_options(label_column: Any, header: Any, delimiter: Any) -> None:
    _check_label_column(label_column)
    if not (header is True or header is False or header == "auto"):
        raise ValueError(
            f'header must be True, False or "auto"; received header={header!r}'
        )
    if delimiter is not None and (
        not isinstance(delimiter, str) or len(delimiter) != 1
    ):
        raise ValueError(
            f"delimiter must be one character or None; received delimiter={delimiter!r}"
        )


def _read_table(
    path: StrPath, shown: str, delimiter: str | None
) -> tuple[list[list[str]], list[int]]:
    """The file's rows and their lines (:func:`_read_rows`), checked: at least
    one row, and every row as long as the first."""
    rows, lines = _read_rows(_existing_file(path), shown, delimiter)
    if not rows:
        raise ValueError(f"{shown} is empty: it has no rows of data")
    n_fields = len(rows[0])
    for row, line in zip(rows, lines, strict=True):
        if len(row) != n_fields:
            raise ValueError(
                f"{shown}: line {line} has {len(row)} fields, expected {n_fields} "
                f"(as on line {lines[0]})"
            )
    return rows, lines


def _header(
    rows: list[list[str]],
    lines: list[int],
    header: bool | str,
    label_column: int | str | None,
    shown: str,
) -> list[str] | None:
    """The column names on the first row, or ``None`` when it is data."""
    if header == "auto":
        header = _header_in(rows[0]) or (
            isinstance(label_column, str) and label_column in rows[0]
        )
    if not header:
        return None
    if len(rows) == 1:
        raise ValueError(
            f"{shown}: line {lines[0]} is a header and no data rows follow it"
        )
    return rows[0]


def _parse_columns(
    rows: list[list[str]],
    lines: list[int],
    names: list[str] | None,
    columns: tuple[int | str | None, Columns | None],
    shown: str,
    delimiter: str | None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` from the feature columns (by default every column but the label
    column), ``y`` from the label column; ``columns`` is ``(label_column,
    feature_columns)``."""
    label_column, feature_columns = columns
    n_fields = len(rows[0])
    label = _resolve_label(label_column, names, n_fields, shown, lines[0])
    data, data_lines = (rows, lines) if names is None else (rows[1:], lines[1:])

    def column(j: int) -> str:
        return f"column {names[j]!r}" if names else f"column {j} (counting from 0)"

    if feature_columns is None:
        features = [j for j in range(n_fields) if j != label]
    else:
        no_names = (
            None
            if names is not None
            else f"the file is read without a header (line {lines[0]} is data)"
        )
        features = _resolve_features(
            feature_columns, names, n_fields, label, shown, no_names
        )
    if not features:
        raise ValueError(
            f"{shown}: no feature columns: the only column is the label column "
            f"(read with delimiter={delimiter!r}; is that the file's delimiter?)"
        )
    table = np.array(data, dtype=str)  # (n_rows, n_fields)
    X = _parse_features(table[:, features], data, data_lines, features, column, shown)
    if label is None:
        return X, None
    y = _parse_labels(table[:, label], data_lines, f"the label {column(label)}", shown)
    return X, y


def _resolve_label(
    label_column: int | str | None,
    names: list[str] | None,
    n_fields: int,
    shown: str,
    first_line: int,
) -> int | None:
    available = (
        f"available columns: {', '.join(repr(n) for n in names)}"
        if names
        else f"the file has {n_fields} columns and no header"
    )
    if label_column is None:
        return None
    if isinstance(label_column, str):
        if names is None:
            raise ValueError(
                f"{shown}: label_column={label_column!r} names a column, but the "
                f"file is read without a header (line {first_line} is data); give "
                "the label column's index, or pass header=True"
            )
        matches = [j for j, name in enumerate(names) if name == label_column]
        if not matches:
            raise ValueError(
                f"{shown}: no column named {label_column!r} in the header on line "
                f"{first_line}; {available}"
            )
        if len(matches) > 1:
            raise ValueError(
                f"{shown}: the header on line {first_line} has {len(matches)} columns "
                f"named {label_column!r}; give the label column's index instead"
            )
        return matches[0]
    if not -n_fields <= label_column < n_fields:
        raise ValueError(
            f"{shown}: label_column={label_column} is out of range for "
            f"{n_fields} columns (valid: {-n_fields} to {n_fields - 1}); {available}"
        )
    return int(label_column) % n_fields


def _check_feature_columns(feature_columns: Any) -> None:
    ok = feature_columns is None or (
        isinstance(feature_columns, list | tuple)
        and all(
            isinstance(c, str)
            or (isinstance(c, numbers.Integral) and not isinstance(c, bool))
            for c in feature_columns
        )
    )
    if not ok:
        raise TypeError(
            "feature_columns must be a list of column indices or names, or None; "
            f"received feature_columns={feature_columns!r}"
        )
    if feature_columns is not None and not feature_columns:
        raise ValueError(
            "feature_columns must name at least one column; received "
            f"feature_columns={feature_columns!r}"
        )


def _resolve_features(
    feature_columns: Columns,
    names: list[str] | None,
    n_fields: int,
    label: int | None,
    shown: str,
    no_names: str | None,
) -> list[int]:
    """The indices of ``feature_columns`` among ``n_fields`` columns (named
    ``names``, or without names because of ``no_names``), none of them the
    label column and none twice; errors list the valid columns."""
    valid = [j for j in range(n_fields) if j != label]
    if names is not None:
        listed = ", ".join(f"{j} {names[j]!r}" for j in valid)
    else:
        listed = ", ".join(str(j) for j in valid)
    choose = f"valid feature columns: {listed}"
    found: list[int] = []
    for column in feature_columns:
        if isinstance(column, str) and names is None:
            raise ValueError(
                f"{shown}: feature_columns has the name {column!r}, but {no_names}; "
                f"give column indices (counting from 0); {choose}"
            )
        if isinstance(column, str):
            j = names.index(column) if names and column in names else None
        else:
            j = int(column) % n_fields if -n_fields <= column < n_fields else None
        if j is None:
            raise ValueError(
                f"{shown}: feature_columns has {column!r}, which is not a column of "
                f"the file ({n_fields} columns); {choose}"
            )
        if j == label:
            raise ValueError(
                f"{shown}: feature_columns has {column!r}, which is the label "
                f"column; {choose}"
            )
        if j in found:
            raise ValueError(
                f"{shown}: feature_columns lists column {j} twice (as {column!r}); "
                f"{choose}"
            )
        found.append(j)
    return found


def _parse_features(
    cells: np.ndarray,
    data: list[list[str]],
    data_lines: list[int],
    features: list[int],
    column: Callable[[int], str],
    shown: str,
) -> np.ndarray:
    try:
        X = cells.astype(np.float64)  # one C loop; rows are searched only on error
    except ValueError:
        for row, line in zip(data, data_lines, strict=True):
            for j in features:
                if row[j] == "":
                    raise ValueError(
                        f"{shown}: line {line}, {column(j)} is empty; fill in or "
                        "remove the missing values"
                    ) from None
                if not _is_number(row[j]):
                    hint = ""
                    if line == data_lines[0]:
                        hint = " (if this line is a header, pass header=True)"
                    elif any(sep in row[j] for sep in ";\t,"):
                        hint = " (is the delimiter right?)"
                    raise ValueError(
                        f"{shown}: line {line}, {column(j)}: {row[j]!r} is not a "
                        f"number{hint}"
                    ) from None
        raise
    if not all_finite(X):
        i, jj = (int(v) for v in np.argwhere(~np.isfinite(X))[0])
        raise ValueError(
            f"{shown}: line {data_lines[i]}, {column(features[jj])}: "
            f"{data[i][features[jj]]!r} is not a finite number; remove or impute "
            "NaN and infinite values"
        )
    return X


def _parse_labels(
    cells: np.ndarray, data_lines: list[int], name: str, shown: str
) -> np.ndarray:
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise ValueError(
            f"{shown}: line {data_lines[empty[0]]}, {name} is empty; "
            "every row needs a label"
        )
    try:
        values = cells.astype(np.float64)
    except ValueError:
        numeric = np.array([_is_number(cell) for cell in cells])
        if numeric.any():
            i, j = int(np.argmin(numeric)), int(np.argmax(numeric))
            raise ValueError(
                f"{shown}: {name} mixes numbers and text: line {data_lines[j]} "
                f"has {str(cells[j])!r} but line {data_lines[i]} has "
                f"{str(cells[i])!r}; labels must be all numbers or all text"
            ) from None
        return cells.astype(str)  # class names
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise ValueError(
            f"{shown}: line {data_lines[bad[0]]}, {name}: "
            f"{str(cells[bad[0]])!r} is not a finite number"
        )
    return _as_labels(values)


def _check_format(path: Path, shown: str, kind: str) -> None:
    """Refuse a file whose first bytes are not those of ``kind`` (".npy" or
    ".npz"), naming the loader to use when they are the other format's."""
    with path.open("rb") as f:
        magic = f.read(len(_NPY_MAGIC))
    is_npy, is_npz = magic == _NPY_MAGIC, magic.startswith(_ZIP_MAGICS)
    if kind == ".npy" and is_npz:
        raise ValueError(f"{shown} is an .npz archive, not a .npy file; use load_npz")
    if kind == ".npy" and not is_npy:
        raise ValueError(
            f"{shown} is not a .npy file (it does not start with NumPy's magic "
            "bytes); is it a text file? Try load_csv"
        )
    if kind == ".npz" and is_npy:
        raise ValueError(f"{shown} is a .npy file, not an .npz archive; use load_npy")
    if kind == ".npz" and not is_npz:
        raise ValueError(
            f"{shown} is not an .npz archive (it is not a zip file); save one with "
            "np.savez(path, X=X, y=y)"
        )


def _read_binary(
    path: Path,
    shown: str,
    kind: str,
    read: Callable[[BinaryIO, str], _T],
    errors: tuple[type[Exception], ...],
) -> _T:
    """``read(f, shown)`` on the open file, with failures that name the file:
    our own ``ValueError`` as it is, NumPy's about an object array as a refusal
    to unpickle, and any other ``ValueError`` or one of ``errors`` as a file
    that cannot be read as ``kind``."""
    try:
        with path.open("rb") as f:  # closed even when reading fails
            return read(f, shown)
    except ValueError as exc:
        if str(exc).startswith(shown):
            raise
        raise _refuse_pickle(exc, shown, kind) from None
    except errors as exc:
        article = "an" if kind == ".npz" else "a"
        raise ValueError(
            f"{shown} could not be read as {article} {kind} file: {exc}"
        ) from None


def _numeric_array(arr: np.ndarray, what: str, shown: str, ndim: int) -> np.ndarray:
    """``arr`` as float64 with ``ndim`` dimensions, finite and non-empty."""
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{shown}: {what} must hold numbers; received dtype {arr.dtype}"
        )
    if arr.ndim != ndim:
        expected = "(n_samples, n_features)" if ndim == 2 else "(n_samples,)"
        raise ValueError(
            f"{shown}: {what} must be {ndim}-D {expected}; received shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{shown}: {what} is empty; received shape {arr.shape}")
    with np.errstate(over="ignore"):  # a long double beyond float64: inf
        out = np.ascontiguousarray(arr, dtype=np.float64)
    if not all_finite(out):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
        if np.isfinite(arr[where]):
            raise ValueError(
                f"{shown}: {what} holds {arr[where]!s} at index {where}, too large "
                "for float64; scale the data"
            )
        raise ValueError(
            f"{shown}: {what} holds {out[where]} at index {where}; remove or impute "
            "NaN and infinite values"
        )
    return out


def _refuse_pickle(exc: ValueError, shown: str, kind: str) -> ValueError:
    if "allow_pickle" in str(exc):  # numpy's words for an object array
        return ValueError(
            f"{shown} holds Python objects (an object array), which are loaded "
            f"only with pickle, and mlplab never unpickles files; save numeric "
            f"arrays instead"
        )
    return ValueError(f"{shown} could not be read as a {kind} file: {exc}")


def _check_npy_size(f: BinaryIO, shown: str) -> None:
    """Refuse a header that declares more data than the file holds, before
    ``np.load`` allocates memory for it (a damaged header can ask for
    terabytes); leaves ``f`` at its start."""
    version = npy_format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = npy_format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = npy_format.read_array_header_2_0(f)
    else:  # np.load reads (or refuses) other versions itself
        f.seek(0)
        return
    held = os.fstat(f.fileno()).st_size - f.tell()
    declared = math.prod(shape) * dtype.itemsize
    if not dtype.hasobject and declared > held:
        raise ValueError(
            f"{shown} is truncated or damaged: its header declares an array of "
            f"shape {shape} and dtype {dtype} ({declared} bytes), but only {held} "
            "bytes of data follow"
        )
    f.seek(0)


def load_npy(
    path: StrPath,
    label_column: int | None = None,
    feature_columns: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a 2-D numeric array saved with ``np.save``.

    Parameters
    ----------
    path : str or Path
    label_column : int, optional
        A column to split off as the labels (negative counts from the end).
    feature_columns : list of int, optional
        The columns of ``X``, in this order (negative counts from the end); by
        default every column but the label column.

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or None
        int64 when every label is a whole number, float64 otherwise.

    Raises
    ------
    ValueError
        For a missing file, a file that is not ``.npy``, an object (pickled)
        array, a non-numeric dtype, an array that is not 2-D, NaN or
        infinite values, or a label or feature column out of range (or a
        column name: an array has none). Files are always read with
        ``allow_pickle=False``.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "data.npy"
    ...     np.save(path, np.array([[0.5, 1.0, 0], [1.5, 2.0, 1]]))
    ...     X, y = load_npy(path, label_column=-1)
    >>> X.shape, y.tolist()
    ((2, 2), [0, 1])
    """
    _check_label_column(label_column, names=False)
    _check_feature_columns(feature_columns)
    p = _existing_file(path)
    shown = str(path)
    _check_format(p, shown, ".npy")
    arr = _read_binary(p, shown, ".npy", _npy_array, _NPY_ERRORS)
    table = _numeric_array(arr, "the array", shown, ndim=2)
    if feature_columns is not None:
        return _pick_columns(table, label_column, feature_columns, shown)
    if label_column is None:
        return table, None
    return _split_label_column(table, label_column, shown)


_NO_NAMES = "an array's columns have no names"


def _pick_columns(
    table: np.ndarray,
    label_column: int | None,
    feature_columns: Sequence[int | str],
    shown: str,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The ``feature_columns`` of ``table``, and its label column if any."""
    n_columns = table.shape[1]
    label = None
    if label_column is not None:
        if not -n_columns <= label_column < n_columns:
            raise ValueError(
                f"{shown}: label_column={label_column} is out of range for an array "
                f"of {n_columns} columns (valid: {-n_columns} to {n_columns - 1})"
            )
        label = int(label_column) % n_columns
    features = _resolve_features(
        feature_columns, None, n_columns, label, shown, _NO_NAMES
    )
    X = np.ascontiguousarray(table[:, features])
    return X, (None if label is None else _as_labels(table[:, label]))


# SyntaxError and TokenError: NumPy parses a damaged header as Python.
_NPY_ERRORS = (OSError, EOFError, SyntaxError, tokenize.TokenError)


def _npy_array(f: BinaryIO, shown: str) -> np.ndarray:
    _check_npy_size(f, shown)
    return np.load(f, allow_pickle=False)


def _split_label_column(
    table: np.ndarray, label_column: int, shown: str
) -> tuple[np.ndarray, np.ndarray]:
    """The columns of ``table`` but ``label_column``, and the labels in it."""
    n_columns = table.shape[1]
    if not -n_columns <= label_column < n_columns:
        raise ValueError(
            f"{shown}: label_column={label_column} is out of range for an array of "
            f"{n_columns} columns (valid: {-n_columns} to {n_columns - 1})"
        )
    if n_columns == 1:
        raise ValueError(
            f"{shown}: no feature columns: the only column is the label column"
        )
    label = int(label_column) % n_columns
    X = np.ascontiguousarray(np.delete(table, label, axis=1))
    return X, _as_labels(table[:, label])


def load_npz(
    path: StrPath, feature_columns: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read features ``X`` and optional labels ``y`` saved with ``np.savez``.

    Parameters
    ----------
    path : str or Path
        An archive with the key ``"X"`` (2-D, numeric) and optionally ``"y"``
        (one label per row: numbers, or text class names kept as text). Other
        keys are ignored.
    feature_columns : list of int, optional
        The columns of ``X`` to keep, in this order (negative counts from the
        end); by default all of them.

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or None
        int64 for whole numbers and text, float64 for other numbers.

    Raises
    ------
    ValueError
        For a missing file, a file that is not ``.npz``, a missing ``"X"``,
        object (pickled) arrays, bad dtypes or shapes, or mismatched lengths.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "data.npz"
    ...     np.savez(path, X=np.zeros((3, 2)), y=np.array(["b", "a", "b"]))
    ...     X, y = load_npz(path)
    >>> X.shape, y.tolist()
    ((3, 2), ['b', 'a', 'b'])
    """
    p = _existing_file(path)
    shown = str(path)
    _check_format(p, shown, ".npz")
    X_raw, y_raw = _read_binary(p, shown, ".npz", _npz_arrays, (Exception,))
    _check_feature_columns(feature_columns)
    X = _numeric_array(X_raw, "'X'", shown, ndim=2)
    if feature_columns is not None:
        X, _ = _pick_columns(X, None, feature_columns, shown)
    if y_raw is None:
        return X, None
    y = _npz_labels(y_raw, shown)
    if len(y) != len(X):
        raise ValueError(
            f"{shown}: 'X' has {len(X)} rows but 'y' has {len(y)} labels; they must "
            "match"
        )
    return X, y


def _npz_arrays(f: BinaryIO, shown: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The archive's ``X`` and its ``y`` (``None`` when it has none)."""
    with np.load(f, allow_pickle=False) as archive:
        keys = list(archive.files)
        if "X" not in keys:
            raise ValueError(
                f"{shown} has no array named 'X' (it holds "
                f"{', '.join(repr(k) for k in keys) or 'nothing'}); save one "
                "with np.savez(path, X=X, y=y)"
            )
        return archive["X"], (archive["y"] if "y" in keys else None)


def _npz_labels(y_raw: np.ndarray, shown: str) -> np.ndarray:
    """An archive's ``y`` as labels: text kept as ``str``, numbers as
    :func:`_as_labels` makes them."""
    if y_raw.ndim == 2 and y_raw.shape[1] == 1:
        y_raw = y_raw.reshape(-1)
    if not (y_raw.dtype.kind in "US" and y_raw.ndim == 1 and y_raw.size):
        return _as_labels(_numeric_array(y_raw, "'y'", shown, ndim=1))
    try:
        return y_raw.astype(str)
    except UnicodeDecodeError as exc:  # bytes labels that are not ASCII
        raise ValueError(
            f"{shown}: 'y' holds bytes that are not ASCII text "
            f"({exc.object[exc.start : exc.end]!r}); save the labels as str"
        ) from None


def _sniff_delimiter(path: Path, whitespace: bool) -> str | None:
    """The most frequent of ``,``, tab and ``;`` on the first non-blank line;
    if none is there, whitespace (``None``) or a comma."""
    try:
        with path.open(encoding="utf-8-sig") as f:
            first = next((line for line in f if line.strip()), "")
    except UnicodeDecodeError:
        first = ""  # load_csv reports it
    counts = {sep: first.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best]:
        return best
    return None if whitespace else ","


def load_file(
    path: StrPath,
    label_column: int | str | EllipsisType | None = ...,
    header: bool | str = "auto",
    feature_columns: Columns | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read ``(X, y)`` from a ``.csv``, ``.txt``, ``.npy`` or ``.npz`` file.

    Parameters
    ----------
    path : str or Path
        The extension picks the reader: :func:`load_csv` for ``.csv`` and
        ``.txt`` (the delimiter -- comma, tab, semicolon or, in ``.txt`` files,
        whitespace -- is read off the first line), :func:`load_npy`,
        :func:`load_npz`.
    label_column : int, str or None, optional
        As in :func:`load_csv` and :func:`load_npy`. Left out, each format's
        default: the last column of a text file, no labels in a ``.npy``.
        An ``.npz`` file keeps its labels under ``"y"``: leave
        ``label_column`` out to read them, or pass ``None`` to drop them.
    header : True, False or "auto"
        For text files only, as in :func:`load_csv`.
    feature_columns : list of int or str, optional
        The columns of ``X``: indices of the file's columns (counted from 0
        like ``label_column``, negative from the end) or, for text files with
        a header, names. For an ``.npz`` file, indices of its ``X`` array. By
        default every column but the label column.

    Returns
    -------
    X : float64 array of shape (n_samples, n_features)
    y : array of shape (n_samples,) or None

    Raises
    ------
    ValueError
        For an unknown extension (listing the valid ones), a missing file, an
        argument that does not apply to the format, a column that is not in
        the file, or a malformed file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "points.txt"
    ...     _ = path.write_text("0.5 1.5 0\\n2.5 3.5 1\\n")
    ...     X, y = load_file(path)
    >>> X.tolist(), y.tolist()
    ([[0.5, 1.5], [2.5, 3.5]], [0, 1])
    """
    suffix = _extension(path)
    p = _existing_file(path)
    if suffix in (".csv", ".txt"):
        delimiter = _sniff_delimiter(p, whitespace=suffix == ".txt")
        label = -1 if label_column is ... else label_column
        return load_csv(path, label, header, delimiter, feature_columns)
    _refuse_header(header, path)
    indices = _array_columns(feature_columns, path)
    if suffix == ".npy":
        return load_npy(path, _npy_label_column(label_column, path), indices)
    keep_y = _npz_keeps_y(label_column, path)
    X, y = load_npz(path, indices)
    return X, (y if keep_y else None)


def _refuse_header(header: Any, path: StrPath) -> None:
    """``header`` is for text files: an array file takes only ``"auto"``."""
    if header != "auto":
        raise ValueError(
            f"header applies to .csv and .txt files only; received header={header!r} "
            f"for {path!s}"
        )


def _array_columns(feature_columns: Any, path: StrPath) -> list[int] | None:
    """``feature_columns`` for an array file: indices only."""
    _check_feature_columns(feature_columns)
    if feature_columns is None:
        return None
    named = [c for c in feature_columns if isinstance(c, str)]
    if named:
        raise ValueError(
            f"a {Path(path).suffix.lower()} file has no column names; received "
            f"feature_columns={feature_columns!r} for {path!s}; give the columns' "
            "indices"
        )
    return [int(c) for c in feature_columns]


def column_names(path: StrPath, header: bool | str = "auto") -> list[str]:
    """The names of a file's columns, as :func:`load_file` reads the file.

    Parameters
    ----------
    path : str or Path
        A ``.csv``, ``.txt``, ``.npy`` or ``.npz`` file.
    header : True, False or "auto"
        For text files, as in :func:`load_csv`.

    Returns
    -------
    list of str
        The header's names; for a text file without a header, and for arrays,
        the indices ``"0"``, ``"1"``, ... (for an ``.npz`` file, of its ``X``
        array), which ``label_column`` and ``feature_columns`` take as numbers.

    Raises
    ------
    ValueError
        As :func:`load_file` does for a missing, unreadable or malformed file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "pets.csv"
    ...     _ = path.write_text("weight,height,kind\\n4,30,cat\\n30,60,dog\\n")
    ...     named = column_names(path)
    ...     _ = path.write_text("4,30,0\\n30,60,1\\n")
    ...     numbered = column_names(path)
    >>> named, numbered
    (['weight', 'height', 'kind'], ['0', '1', '2'])
    """
    suffix = _extension(path)
    p = _existing_file(path)
    if suffix in (".csv", ".txt"):
        _check_csv_options(None, header, ",")
        delimiter = _sniff_delimiter(p, whitespace=suffix == ".txt")
        rows, lines = _read_table(path, str(path), delimiter)
        names = _header(rows, lines, header, None, str(path))
        return names if names is not None else [str(j) for j in range(len(rows[0]))]
    _refuse_header(header, path)
    X, _ = load_npy(path) if suffix == ".npy" else load_npz(path)
    return [str(j) for j in range(X.shape[1])]


def _extension(path: Any) -> str:
    """The file's extension, lower-case, if :func:`load_file` reads it."""
    suffix = Path(path).suffix.lower() if isinstance(path, str | PathLike) else ""
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"cannot read {path!s}: unsupported extension {suffix!r}; valid "
            f"extensions: {', '.join(EXTENSIONS)}"
        )
    return suffix


def _npy_label_column(
    label_column: int | str | EllipsisType | None, path: StrPath
) -> int | None:
    """``label_column`` for :func:`load_npy`: an index, or ``None`` left out."""
    if isinstance(label_column, str):
        raise ValueError(
            f"a .npy file has no column names; received label_column="
            f"{label_column!r} for {path!s}; give the column's index"
        )
    return None if label_column is ... else label_column


def _npz_keeps_y(label_column: Any, path: StrPath) -> bool:
    """Whether to keep an archive's ``y``: yes with ``label_column`` left out,
    no with ``None``; any other value is refused."""
    if label_column is not ... and label_column is not None:
        raise ValueError(
            f"label_column does not apply to .npz files, whose labels are the array "
            f"'y'; received label_column={label_column!r} for {path!s}; leave it "
            "out to read 'y', or pass None to drop it"
        )
    return label_column is ...
