"""The README's promises point at tests that exist."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _guarantees() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    return section


def test_every_test_the_guarantees_cite_exists():
    cited = CITED.findall(_guarantees())
    assert len(cited) >= 20, cited
    defined: dict[str, set[str]] = {}
    for path, name in cited:
        if path not in defined:
            tree = ast.parse((ROOT / path).read_text())
            defined[path] = {
                node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            }
        assert name in defined[path], f"README cites {path}::{name}, not defined"


def test_every_row_of_the_guarantees_cites_a_test():
    rows = [
        line
        for line in _guarantees().splitlines()
        if line.startswith("| ") and not line.startswith("| promise")
    ]
    assert len(rows) >= 15
    for row in rows:
        assert CITED.search(row), f"a guarantee without a test: {row}"
