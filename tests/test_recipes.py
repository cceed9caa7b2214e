"""Tests for mlplab.recipes: every recipe at 1% of its epochs, the content
that stays meaningful at that scale, and the README section."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mlplab import recipes
from mlplab.recipes import README_BEGIN, README_END, RecipeResult

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROW_KEYS = {
    "run",
    "epochs",
    "first_loss",
    "final_loss",
    "train_accuracy",
    "test_accuracy",
    "diverged",
    "note",
}
NAMES = [
    "moons-vs-logistic",
    "moons-tanh-softmax",
    "logic-gates",
    "moons-elu",
    "moons-he-tanh",
    "learning-rates",
    "batch-modes",
    "optimizers",
]


@pytest.fixture(scope="module")
def ran(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], tuple[RecipeResult, Path]]:
    """Run each recipe once, at 1% of its epochs, shared by the tests below."""
    cache: dict[str, tuple[RecipeResult, Path]] = {}

    def run(name: str) -> tuple[RecipeResult, Path]:
        if name not in cache:
            out = tmp_path_factory.mktemp("recipes") / name
            cache[name] = (recipes.get(name).run(out, epochs_factor=0.01), out)
        return cache[name]

    return run


def test_recipe_names() -> None:
    assert list(recipes.RECIPES) == NAMES
    for name, recipe in recipes.RECIPES.items():
        assert recipe.name == name
        assert recipe.title and recipe.description


@pytest.mark.parametrize("name", NAMES)
def test_recipe_runs(
    name: str, ran: Callable[[str], tuple[RecipeResult, Path]]
) -> None:
    result, out = ran(name)
    assert result.name == name
    assert result.folder == out
    assert result.rows
    for row in result.rows:
        assert set(row) == ROW_KEYS
        assert row["epochs"] >= 1
    assert result.text.strip()
    # The rows are what recipes.table shows, one line each.
    assert len(recipes.table(result.rows).splitlines()) == 2 + len(result.rows)
    md = (out / "results.md").read_text(encoding="utf-8")
    assert md.startswith(f"# {name}: ")
    for row in result.rows:
        assert f"| {row['run']} " in md
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved == result.rows
    if result.figure is not None:
        assert result.figure.is_file()
        assert result.figure.read_bytes()[:8] == PNG_MAGIC
        assert out in result.figure.parents


def test_recipe_without_out_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = recipes.get("moons-he-tanh").run(None, epochs_factor=0.01)
    assert result.folder is None and result.figure is None
    assert len(result.rows) == 1
    assert list(tmp_path.iterdir()) == []


# -- what the recipes show, where 1% of the epochs still shows it -----------------


def test_logic_gates_single_neuron_cannot_learn_xor(
    ran: Callable[[str], tuple[RecipeResult, Path]],
) -> None:
    result, _ = ran("logic-gates")
    rows = {row["run"]: row for row in result.rows}
    assert list(rows) == [
        "single neuron, OR",
        "single neuron, XOR",
        "2-3-1 network, XOR",
        "single neuron + x1*x2, XOR",
    ]
    # No line through the plane separates XOR, however long it trains.
    assert rows["single neuron, XOR"]["train_accuracy"] < 1.0
    assert rows["single neuron, XOR"]["note"].startswith("not learned")
    assert all(row["test_accuracy"] is None for row in result.rows)  # no split


def test_learning_rates_too_large_diverges(
    ran: Callable[[str], tuple[RecipeResult, Path]],
) -> None:
    # 1% of 2000 epochs is 20; the large rate diverges within about 6.
    result, _ = ran("learning-rates")
    assert len(result.rows) == 3
    small, good, large = result.rows
    assert "too small" in small["run"] and "too large" in large["run"]
    assert large["diverged"] is True
    assert large["final_loss"] is None
    assert large["note"].startswith("diverged in epoch")
    assert large["epochs"] < 20
    assert not small["diverged"] and not good["diverged"]
    assert good["final_loss"] < small["final_loss"]
    assert "diverged" in recipes.table(result.rows).splitlines()[-1]


def test_moons_vs_logistic_two_rows(
    ran: Callable[[str], tuple[RecipeResult, Path]],
) -> None:
    result, _ = ran("moons-vs-logistic")
    assert len(result.rows) == 2
    assert len(result.results) == 2
    assert result.results[0].config.hidden == (10,)
    assert result.results[1].config.hidden == ()
    assert result.rows[0]["run"] == "2-10-1 sigmoid network"
    assert result.rows[1]["run"] == "logistic regression"


def test_tanh_softmax_sweeps_hidden_sizes(
    ran: Callable[[str], tuple[RecipeResult, Path]],
) -> None:
    result, out = ran("moons-tanh-softmax")
    assert [row["run"] for row in result.rows[1:]] == [
        f"hidden={h}" for h in (1, 2, 3, 4, 5, 20, 50)
    ]
    assert [r.config.hidden for r in result.results[1:]] == [
        (h,) for h in (1, 2, 3, 4, 5, 20, 50)
    ]
    # 1% of 20000 epochs.
    assert all(row["epochs"] == 200 for row in result.rows)
    assert (out / "sweep" / "results.md").is_file()


def test_batch_modes_steps(ran: Callable[[str], tuple[RecipeResult, Path]]) -> None:
    result, out = ran("batch-modes")
    # 500 samples, 20% held out: 400 training samples.
    notes = [row["note"].split(" steps")[0] for row in result.rows]
    assert notes == ["1", "13", "400"]
    assert (out / "loss_vs_epoch.png").is_file()


# -- lookup and arguments ---------------------------------------------------------


def test_get_unknown_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown recipe 'nope'") as info:
        recipes.get("nope")
    for name in NAMES:
        assert name in str(info.value)


def test_get_and_run_by_name() -> None:
    assert recipes.get("logic-gates") is recipes.RECIPES["logic-gates"]
    with pytest.raises(ValueError, match="unknown recipe"):
        recipes.run("nope")


@pytest.mark.parametrize("factor", [0, 2, -0.5, 1.01, float("nan"), "0.5", None])
def test_epochs_factor_refused(factor: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="epochs_factor") as info:
        recipes.get("logic-gates").run(tmp_path, epochs_factor=factor)  # type: ignore[arg-type]
    assert repr(factor) in str(info.value)
    assert list(tmp_path.iterdir()) == []  # refused before anything ran


# -- table ------------------------------------------------------------------------


def _row(run: str, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "run": run,
        "epochs": 10,
        "first_loss": 0.5,
        "final_loss": 0.25,
        "train_accuracy": 0.875,
        "test_accuracy": None,
        "diverged": False,
        "note": "",
    }
    row.update(changes)
    return row


def test_table_cells() -> None:
    rows = [
        _row("net", note="fine"),
        _row("big", final_loss=None, diverged=True, first_loss=None),
    ]
    lines = recipes.table(rows).splitlines()
    assert lines[0].split() == [
        "run",
        "epochs",
        "first",
        "loss",
        "final",
        "loss",
        "train",
        "acc",
        "test",
        "acc",
        "note",
    ]
    assert lines[2].split() == ["net", "10", "0.5", "0.25", "87.5%", "-", "fine"]
    assert lines[3].split() == ["big", "10", "-", "diverged", "87.5%", "-"]


def test_table_with_recipe_column() -> None:
    rows = [{"recipe": "r1", **_row("a")}, {"recipe": "r2", **_row("b")}]
    lines = recipes.table(rows, markdown=True).splitlines()
    assert lines[0].startswith("| recipe | run ")
    assert lines[2].startswith("| r1     | a ")
    assert lines[3].startswith("| r2     | b ")


# -- README -----------------------------------------------------------------------


README = f"""# project

Intro text that must stay.

{README_BEGIN}
old table
{README_END}

## After

More text that must stay.
"""


@pytest.fixture
def fake_results(tmp_path: Path) -> list[RecipeResult]:
    pic = tmp_path / "runs" / "one" / "boundaries.png"
    pic.parent.mkdir(parents=True)
    pic.write_bytes(PNG_MAGIC + b"fake picture")
    return [
        RecipeResult("one", [_row("first net"), _row("second net")], "t", figure=pic),
        RecipeResult("two", [_row("third net", diverged=True)], "t", figure=None),
        RecipeResult(
            "three", [_row("fourth net")], "t", figure=tmp_path / "missing.png"
        ),
    ]


def test_readme_section(
    fake_results: list[RecipeResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    section = recipes.readme_section(fake_results, Path("figures"))
    lines = section.splitlines()
    assert lines[0] == README_BEGIN and lines[-1] == README_END
    for run in ("first net", "second net", "third net", "fourth net"):
        assert f"| {run} " in section
    assert "| one " in section and "| two " in section  # the recipe column
    # Only the existing picture is copied and linked.
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["one.png"]
    assert (tmp_path / "figures" / "one.png").read_bytes() == (
        PNG_MAGIC + b"fake picture"
    )
    assert "![one](figures/one.png)" in lines
    assert "two.png" not in section and "three.png" not in section


def test_readme_section_without_figures(fake_results: list[RecipeResult]) -> None:
    section = recipes.readme_section(fake_results, None)
    assert "![" not in section
    assert section.startswith(README_BEGIN) and section.endswith(README_END)


def test_write_readme_replaces_only_the_section(
    fake_results: list[RecipeResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    section = recipes.readme_section(fake_results, Path("figures"))
    recipes.write_readme(readme, section)
    text = readme.read_text(encoding="utf-8")
    before, rest = README.split(README_BEGIN)
    after = rest.split(README_END)[1]
    assert text == before + section + after
    assert "old table" not in text
    assert text.count(README_BEGIN) == 1 and text.count(README_END) == 1
    inside = text[text.index(README_BEGIN) : text.index(README_END)]
    assert "| first net " in inside and "![one](figures/one.png)" in inside
    assert (tmp_path / "figures" / "one.png").is_file()
    # Writing again replaces the section instead of adding a second one.
    recipes.write_readme(readme, section)
    assert readme.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "text",
    [
        "# no markers\n",
        f"only the start {README_BEGIN}\n",
        f"only the end {README_END}\n",
        f"{README_END} reversed {README_BEGIN}\n",
    ],
)
def test_write_readme_without_markers(text: str, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="recipes:begin") as info:
        recipes.write_readme(readme, f"{README_BEGIN}\nnew\n{README_END}")
    assert str(readme) in str(info.value)
    assert readme.read_text(encoding="utf-8") == text  # left as it was
