"""``mlplab recipe``: the classic experiments, one command each."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import recipes
from . import _options


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "recipe",
        help="list or run the classic experiments",
        description="The classic experiments of the from-scratch tutorials.",
    )
    rsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    _action(rsub, "list", run_list, "name and describe every recipe")
    r = _action(rsub, "run", run_one, "run one recipe and write its folder")
    r.add_argument(
        "name", metavar="NAME", help="a recipe name (see: mlplab recipe list)"
    )
    _options.add_folder_option(r, None, shown="runs/NAME")
    _options.add_quick_option(r)
    rd = _action(
        rsub,
        "readme",
        run_readme,
        "run every recipe and write the README's results table",
        description="Run every recipe into --out and replace the results section "
        "of --readme (between <!-- recipes:begin --> and <!-- recipes:end -->), "
        "copying each recipe's picture into --figures.",
    )
    rd.add_argument("--readme", metavar="FILE", default="README.md")
    rd.add_argument("--out", metavar="DIR", default="runs/recipes")
    rd.add_argument("--figures", metavar="DIR", default="docs/recipes")


def _action(
    rsub: Any,
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
    *,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """The parser of ``mlplab recipe NAME``; its description is the
    ``summary`` as a sentence unless given."""
    p: argparse.ArgumentParser = rsub.add_parser(
        name,
        help=summary,
        description=description or f"{summary[0].upper()}{summary[1:]}.",
    )
    p.set_defaults(run=run)
    return p


def run_list(args: argparse.Namespace) -> int:
    width = max(len(n) for n in recipes.RECIPES)
    for r in recipes.RECIPES.values():
        print(f"{r.name:<{width}}  {r.title}")
    print("\nrun one with: mlplab recipe run NAME [--out DIR]")
    return 0


def run_one(args: argparse.Namespace) -> int:
    recipe = recipes.get(args.name)
    out = Path(args.out) if args.out else Path("runs") / recipe.name
    print(f"{recipe.name}: {recipe.description}\n")
    result = recipe.run(out, epochs_factor=0.01 if args.quick else 1.0)
    print(result.text)
    print()
    print(recipes.table(result.rows))
    print(f"\nfolder: {out}")
    if result.figure is not None:
        print(f"picture: {result.figure}")
    print(f"report: {out / 'report.html'}")
    return 0


def run_readme(args: argparse.Namespace) -> int:
    results = []
    for name, recipe in recipes.RECIPES.items():
        print(f"running {name} ...", flush=True)
        results.append(recipe.run(Path(args.out) / name))
    section = recipes.readme_section(
        results, Path(args.figures), readme_dir=Path(args.readme).resolve().parent
    )
    recipes.write_readme(args.readme, section)
    print(f"wrote the results table into {args.readme}")
    return 0
