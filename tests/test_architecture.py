"""The package's wiring: every module imports on its own, the modules import
each other without cycles (function-level imports included), and an
underscored name is used only in the module that defines it."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mlplab

PACKAGE = Path(mlplab.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """The nodes under ``if TYPE_CHECKING:``, which never run."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(sub) for sub in ast.walk(node))
    return skip


def _source_of(name: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` reads from."""
    if not node.level:
        return node.module or ""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    base = package.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imported_modules(name: str, path: Path) -> set[str]:
    """The package modules ``name`` imports, at the top or inside functions:
    ``from .a import b`` is an import of ``mlplab.a.b`` when that is a module,
    else of ``mlplab.a``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            prefix = _source_of(name, path, node)
            for alias in node.names:
                sub = f"{prefix}.{alias.name}"
                found.add(sub if sub in MODULES else prefix)
    return {m for m in found if m in MODULES and m != name}


def import_graph() -> dict[str, set[str]]:
    return {name: _imported_modules(name, path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of nodes (first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_one_and_only_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # mlplab.runs imports the plots inside functions only (matplotlib loads late)
    assert "mlplab.plots" in graph["mlplab.runs"]
    # the trainer names the model's type for the type checker only
    assert "mlplab.model" not in graph["mlplab.training"]
    assert "mlplab.training" in graph["mlplab.model"]


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_every_module_imports_alone_in_a_fresh_interpreter():
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    procs = {}
    pending = sorted(MODULES)
    failures = []
    while pending or procs:
        while pending and len(procs) < 4:
            name = pending.pop()
            procs[name] = subprocess.Popen(
                [sys.executable, "-c", f"import {name}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
            )
        name, proc = next(iter(procs.items()))
        out, _ = proc.communicate(timeout=120)
        del procs[name]
        if proc.returncode != 0:
            failures.append(f"{name}:\n{out.decode(errors='replace')[-2000:]}")
    assert not failures, "\n".join(failures)


# -- underscored names --------------------------------------------------------------

# Underscored names that are public API of Python or a library.
_FOREIGN = {"_asdict", "_replace", "_fields", "_make"}


def _defined_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
    return names


def private_uses(path: Path, name: str = "mlplab.probe") -> list[str]:
    """``obj._name`` where no ``_name`` is defined in this file, and ``from
    .module import _name`` of another package module's private name (a
    private module, ``from . import _options``, is fine)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = _defined_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            attr = node.attr
            if (
                attr.startswith("_")
                and not attr.startswith("__")
                and attr not in defined
                and attr not in _FOREIGN
            ):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom) and node.level:
            source = _source_of(name, path, node)
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and f"{source}.{alias.name}" not in MODULES:
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
    return found


def test_private_uses_are_found(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import x\nfrom .a import _hidden\nfrom . import _validation\n"
        "y = x._inner + x.public + x._asdict()\n"
    )
    assert sorted(private_uses(probe)) == [
        "probe.py:2 import _hidden",
        "probe.py:4 x._inner",
    ]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_underscored_names_stay_in_their_module(name):
    uses = private_uses(MODULES[name], name)
    assert not uses, f"{name} uses other modules' private names: {uses}"


# -- the map in docs/architecture.md --------------------------------------------------
MAP = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def map_layers() -> dict[str, int]:
    """Module (as named in the map, without ``mlplab.``) -> layer number, from
    the table under "## Layers"."""
    text = MAP.read_text(encoding="utf-8").split("## Layers", 1)[1]
    table = text.split("\n## ", 1)[0]
    layers: dict[str, int] = {}
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0][:1].isdigit():
            continue
        number = int(cells[0].split()[0])
        for name in re.findall(r"`([^`]+)`", cells[1]):
            layers[name] = number
    return layers


def layer_of(module: str, layers: dict[str, int]) -> int | None:
    """A module's layer: its own entry, or that of the package holding it."""
    name = module.removeprefix("mlplab.") if module != "mlplab" else "mlplab"
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in layers:
            return layers[".".join(parts[:k])]
    return None


def test_the_map_names_every_module_and_only_real_ones():
    layers = map_layers()
    assert len(set(layers.values())) >= 6
    for name in layers:
        full = "mlplab" if name == "mlplab" else f"mlplab.{name}"
        assert full in MODULES, f"the map names {name!r}, which is no module"
    missing = [m for m in MODULES if layer_of(m, layers) is None]
    assert not missing, f"modules missing from docs/architecture.md: {missing}"


def test_imports_go_down_the_layers_of_the_map():
    layers = map_layers()
    upward = [
        f"{a} (layer {layer_of(a, layers)}) imports {b} (layer {layer_of(b, layers)})"
        for a, targets in import_graph().items()
        for b in targets
        if (layer_of(b, layers) or 0) > (layer_of(a, layers) or 0)
    ]
    assert not upward, "\n".join(upward)


def test_the_files_the_map_names_exist():
    root = MAP.parent.parent
    text = MAP.read_text(encoding="utf-8")
    for path in set(re.findall(r"`((?:[\w/]+/)?\w+\.py)`", text)):
        candidates = [root / path, PACKAGE / path, PACKAGE / "cli" / path]
        assert any(c.exists() for c in candidates), f"the map names {path}"
