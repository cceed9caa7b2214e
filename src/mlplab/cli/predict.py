"""``mlplab predict``: a saved model's predictions for the rows of a file."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..config import RunConfig
from . import _model_file


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "predict",
        help="predictions of a saved model for the rows of a CSV file",
        description=(
            "Predict every row of --input (features only, no label column) and "
            "write CSV: the predicted label (or value), then for classifiers the "
            "probability of each class. A run trained on some columns of its file "
            "(--feature-columns) reads the same columns of --input when it has "
            "them (by name, or by index when --input has more columns), so the "
            "training file itself can be given."
        ),
        epilog="example: mlplab predict --model runs/demo/01-2-10-1-sigmoid-network "
        "--input points.csv --output predictions.csv",
    )
    p.add_argument(
        "--model", metavar="FILE", required=True, help="a model file or a run folder"
    )
    p.add_argument(
        "--input",
        metavar="FILE",
        required=True,
        help="a .csv (or .npy) file of features, one row per sample",
    )
    p.add_argument(
        "--header",
        choices=("auto", "yes", "no"),
        default="auto",
        help="whether the CSV's first row names the columns (default: detected)",
    )
    p.add_argument(
        "--output",
        metavar="FILE",
        default=None,
        help="where to write the CSV (default: standard output)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    model, classes, config = _model_file.load(args.model)
    header: bool | str = "auto" if args.header == "auto" else args.header == "yes"
    columns = _run_columns(config, args.input, header)
    X, _ = datasets.load_file(
        args.input, label_column=None, header=header, feature_columns=columns
    )
    A = model.predict(X)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if model.task == "regression":
        names = (
            ["prediction"]
            if A.shape[1] == 1
            else [f"prediction_{j + 1}" for j in range(A.shape[1])]
        )
        writer.writerow(names)
        writer.writerows([[repr(float(v)) for v in row] for row in A])
    elif model.task == "binary" and A.shape[1] > 1:  # k independent 0/1 labels
        k = A.shape[1]
        names = [f"prediction_{j + 1}" for j in range(k)]
        writer.writerow([*names, *(f"p_{j + 1}" for j in range(k))])
        for code_row, row in zip(model.output_labels(A).tolist(), A, strict=True):
            writer.writerow([*code_row, *(f"{float(p):.6g}" for p in row)])
    else:
        n_classes = max(2, A.shape[1])  # one sigmoid unit: two classes
        if classes and len(classes) != n_classes:
            raise ValueError(
                f"{args.model}: the model file lists {len(classes)} classes "
                f"({', '.join(repr(c) for c in classes)}) for a model that predicts "
                f"{n_classes}; the file is inconsistent"
            )
        labels = classes or list(range(n_classes))
        probs = np.column_stack([1.0 - A[:, 0], A[:, 0]]) if A.shape[1] == 1 else A
        codes = model.output_labels(A)
        writer.writerow(["prediction", *(f"p_{c}" for c in labels)])
        for code, row in zip(codes.tolist(), probs, strict=True):
            writer.writerow([labels[code], *(f"{float(p):.6g}" for p in row)])
    text = buf.getvalue()
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ValueError(
                f"cannot write --output {args.output}: {exc.strerror or exc}"
            ) from None
        print(f"wrote {len(A)} predictions to {args.output}", file=sys.stderr)
    return 0


def _run_columns(
    config: RunConfig | None, path: str, header: bool | str
) -> tuple[int | str, ...] | None:
    """The columns of ``path`` to read: a run's ``feature_columns`` when the
    file has them (every named one in its header; for indices, more columns
    than the run used), else None (every column, as the file holds them)."""
    if config is None or config.feature_columns is None:
        return None
    wanted = config.feature_columns
    names = datasets.column_names(path, header)
    named = [c for c in wanted if isinstance(c, str)]
    if not set(named) <= set(names):
        return None
    if len(named) < len(wanted) and len(names) <= len(wanted):
        return None  # indices into a file that holds only the features
    return wanted
