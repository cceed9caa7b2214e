"""``mlplab evaluate``: a saved model's loss and accuracy on some data."""

from __future__ import annotations

import argparse
from typing import Any

from .. import datasets
from ..config import parse_value
from ..rundata import load_data
from ..runtable import format_table
from . import _model_file


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="a saved model's loss and accuracy on some data",
        description=(
            "Evaluate a saved model. Given a run folder alone, on that run's own "
            "training and test split; given data options, on all of that data."
        ),
        epilog="examples: mlplab evaluate runs/demo/01-2-10-1-sigmoid-network;  "
        "mlplab evaluate --model model.npz --data points.csv --label-column label",
    )
    p.add_argument(
        "run_dir", nargs="?", metavar="RUN_DIR", help="a run folder (from mlplab train)"
    )
    p.add_argument("--model", metavar="FILE", help="a model file or run folder")
    g = p.add_argument_group("data (default: the run's own split)")
    g.add_argument("--dataset", metavar="NAME", help="a built-in data set")
    g.add_argument("--data", metavar="FILE", help="a .csv, .npy or .npz file")
    g.add_argument(
        "--label-column",
        metavar="C",
        default=None,
        help="the label column of --data (default: the run's, else the last "
        "column; y in .npz); a run trained on some columns (feature_columns) "
        "reads the same ones",
    )
    g.add_argument("--samples", metavar="N", help="points of a synthetic data set")
    g.add_argument("--noise", metavar="F", help="noise of a synthetic data set")
    g.add_argument("--seed", metavar="N", help="seed of a synthetic data set")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    where = args.model or args.run_dir
    if where is None:
        raise ValueError("give a run folder or --model FILE")
    if args.model and args.run_dir:
        raise ValueError("give a run folder or --model FILE, not both")
    model, classes, config = _model_file.load(where)
    rows: list[tuple[str, int, dict[str, float]]] = []
    if args.dataset is None and args.data is None:
        if config is None:
            raise ValueError(
                f"{where} is a model file: say which data to evaluate it on with "
                "--dataset or --data"
            )
        data = load_data(config)
        parts = [("train", data.X_train, data.y_train)]
        if data.X_test is not None:
            assert data.y_test is not None
            parts.append(("test", data.X_test, data.y_test))
        for part, Xp, yp in parts:
            rows.append((part, len(Xp), model.evaluate(Xp, yp)))
    else:
        if args.data is not None:
            kw: dict[str, Any] = {}
            if config is not None and config.feature_columns is not None:
                # a run trained on some columns of its file reads the same ones
                kw["feature_columns"] = config.feature_columns
                if config.label_column is not None:
                    kw["label_column"] = config.label_column
            if args.label_column is not None:
                kw["label_column"] = parse_value("label_column", args.label_column)
            X, y = datasets.load_file(args.data, **kw)
            if y is None:
                raise ValueError(f"{args.data}: evaluating needs a label column")
            name = args.data
        else:
            kw = {
                k: parse_value(k, getattr(args, k))
                for k in ("samples", "noise", "seed")
                if getattr(args, k) is not None
            }
            X, y = datasets.load_dataset(
                args.dataset,
                n_samples=kw.get("samples"),
                noise=kw.get("noise"),
                seed=kw.get("seed"),
            )
            name = args.dataset
        rows.append(
            (name, len(X), model.evaluate(X, _model_file.encode(y, classes, model)))
        )
    keys = list(rows[0][2])
    header = ["data", "samples", *keys]
    body = [
        [name, str(n)]
        + [f"{100 * ev[k]:.1f}%" if k == "accuracy" else f"{ev[k]:.4g}" for k in keys]
        for name, n, ev in rows
    ]
    print(format_table(header, body))
    return 0
