"""Each RunConfig key is declared once (mlplab.config.setting): its default,
check, help and command-line option. These tests fail when a field lacks one
of them, or when the parser, the validation or the command line stop being
derived from the declaration."""

from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import pytest

from mlplab import config
from mlplab._validation import check_int
from mlplab.cli import _options, build_parser
from mlplab.config import Check, RunConfig, Setting, parse_value, setting, settings

SETTINGS = settings()
ON_COMMAND_LINE = [s for s in SETTINGS if s.cli]
COMMANDS = ("train", "compare", "sweep", "explain", "gradcheck")


def _ids(items: list[Setting]) -> list[str]:
    return [s.key for s in items]


def _subparser(command: str) -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


# -- every field is declared --------------------------------------------------


def test_settings_follow_the_fields() -> None:
    fields = dataclasses.fields(RunConfig)
    assert [s.key for s in SETTINGS] == [f.name for f in fields]
    assert [s.default for s in SETTINGS] == [f.default for f in fields]
    assert settings() is SETTINGS  # read once


@pytest.mark.parametrize("s", SETTINGS, ids=_ids(list(SETTINGS)))
def test_every_field_has_help_and_a_check(s: Setting) -> None:
    assert s.help.strip() and s.help == s.help.strip()
    assert "(default" not in s.help  # appended from the field default
    assert isinstance(s.check, Check)
    assert callable(s.check.validate) and callable(s.check.parse)
    if s.cli:
        assert s.metavar and s.group in _options.GROUPS
        assert s.option.startswith("--")
    if s.default is None:
        # The help must say what no value means.
        assert not s.cli or s.unset or s.none_word


@pytest.mark.parametrize("s", SETTINGS, ids=_ids(list(SETTINGS)))
def test_every_check_refuses_a_wrong_value(s: Setting) -> None:
    with pytest.raises((TypeError, ValueError), match=s.key):
        s.validate(object())
    with pytest.raises((TypeError, ValueError), match=s.key):
        RunConfig(**{s.key: object()})


@pytest.mark.parametrize("s", SETTINGS, ids=_ids(list(SETTINGS)))
def test_the_default_passes_its_own_check(s: Setting) -> None:
    assert s.validate(s.default) == s.default
    assert getattr(RunConfig(), s.key) == s.default


def test_choices_are_checked_and_listed() -> None:
    scale = next(s for s in SETTINGS if s.key == "scale")
    assert scale.choices == ("none", "standard", "minmax")
    assert "none, standard or minmax" in _options.option_help(scale)
    with pytest.raises(
        ValueError, match="scale must be one of none, standard, minmax; received"
    ):
        RunConfig(scale="zscore")


@pytest.mark.parametrize(
    "s",
    [s for s in SETTINGS if s.none_word],
    ids=_ids([s for s in SETTINGS if s.none_word]),
)
def test_the_word_for_none_reads_back_as_none(s: Setting) -> None:
    assert getattr(RunConfig(**{s.key: s.none_word}), s.key) is None
    assert RunConfig(**{s.key: None}).to_dict()[s.key] == s.none_word


def test_the_docstring_lists_every_field_in_order() -> None:
    doc = RunConfig.__doc__ or ""
    section = doc.split("Attributes\n    ----------\n", 1)[1]
    names: list[str] = []
    for line in section.splitlines():
        m = re.match(r"    (\w+(?:, \w+)*) :", line)
        if m:
            names += m.group(1).split(", ")
    assert names == [s.key for s in SETTINGS]


# -- the command line is derived from the fields ------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_built_from_its_field(command: str) -> None:
    actions = {a.dest: a for a in _subparser(command)._actions}
    for s in SETTINGS:
        if not s.cli:
            assert s.key not in actions, f"{s.key} is marked cli=False"
            continue
        action = actions[s.key]
        assert action.option_strings == [s.option]
        assert action.default is None  # only what is typed overrides --config
        assert action.metavar == s.metavar
        assert action.help == _options.option_help(s)
        assert action.type is None  # typed by the setting, see given()
        assert action.container.title == _options.GROUPS[s.group]  # type: ignore[attr-defined]


@pytest.mark.parametrize("s", ON_COMMAND_LINE, ids=_ids(ON_COMMAND_LINE))
def test_help_shows_the_field_default(s: Setting) -> None:
    text = _options.option_help(s)
    if s.default is None and s.none_word is None:
        assert text.endswith(f" (default: {s.unset})")
        return
    shown = s.shown_default()
    assert text.endswith(f" (default {shown})")
    # What the help shows is the default itself: typed back, it gives it.
    assert getattr(RunConfig(**{s.key: parse_value(s.key, shown)}), s.key) == (
        s.default
    )


def test_help_output_shows_every_option_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mlplab.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = "".join(capsys.readouterr().out.split())  # argparse wraps lines
    for s in ON_COMMAND_LINE:
        assert "".join(f"{s.option} {s.metavar}".split()) in out
        assert "".join(_options.option_help(s).split()) in out


@pytest.mark.parametrize("s", ON_COMMAND_LINE, ids=_ids(ON_COMMAND_LINE))
def test_given_types_each_option_with_its_setting(s: Setting) -> None:
    text = s.shown_default() or "7"
    args = _subparser("train").parse_args([s.option, text])
    typed = _options.given(args)
    assert typed == {s.key: s.parse(text)}
    assert type(typed[s.key]) is type(parse_value(s.key, text))


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [("epochs", "12", 12), ("lr", "0.5", 0.5), ("label_column", "-1", -1)],
)
def test_given_numbers(key: str, text: str, expected: object) -> None:
    s = next(s for s in SETTINGS if s.key == key)
    args = _subparser("train").parse_args([s.option, text])
    assert _options.given(args) == {key: expected}


# -- a new key is one declaration ---------------------------------------------


def _at_most_one(key: str, value: Any) -> Any:
    if not isinstance(value, float) or not 0.0 <= value < 1.0:
        raise ValueError(f"{key} must be in [0, 1); received {key}={value!r}")
    return value


@dataclass(frozen=True)
class _Extended(RunConfig):
    momentum: float = setting(
        0.9,
        Check(_at_most_one, lambda key, text: float(text)),
        "momentum of SGD",
        metavar="M",
    )


def test_a_new_field_needs_only_its_declaration() -> None:
    s = settings(_Extended)[-1]
    assert (s.key, s.default, s.option, s.group) == (
        "momentum",
        0.9,
        "--momentum",
        "model",
    )
    assert _options.option_help(s) == "momentum of SGD (default 0.9)"
    assert s.parse("0.5") == 0.5
    assert _Extended().momentum == 0.9
    assert _Extended.from_dict({"momentum": 0.5, "hidden": "3"}).momentum == 0.5
    assert _Extended(momentum=0.5).to_dict()["momentum"] == 0.5
    with pytest.raises(ValueError, match=r"momentum=1\.5"):
        _Extended(momentum=1.5)
    p = argparse.ArgumentParser()
    p.add_argument(
        s.option, dest=s.key, metavar=s.metavar, help=_options.option_help(s)
    )
    assert p.parse_args(["--momentum", "0.5"]).momentum == "0.5"


def test_an_undeclared_field_is_refused() -> None:
    @dataclass(frozen=True)
    class Plain(RunConfig):
        extra: int = 0

    with pytest.raises(TypeError, match=r"Plain\.extra is not declared"):
        Plain()


def test_setting_takes_the_field_options() -> None:
    name = next(s for s in SETTINGS if s.key == "name")
    assert not name.cli
    assert RunConfig(name="a") == RunConfig(name="b")  # compare=False
    f = {f.name: f for f in dataclasses.fields(RunConfig)}["name"]
    assert f.compare is False
    assert config.setting(1, Check(lambda k, v: v), "x").metadata["help"] == "x"


# -- check_int ------------------------------------------------------------------


@pytest.mark.parametrize(("value", "low"), [(0, 0), (5, 1), (-3, None), (2**70, 1)])
def test_check_int_accepts(value: int, low: int | None) -> None:
    assert check_int("n", value, low=low) == value


def test_check_int_accepts_numpy_integers() -> None:
    np = pytest.importorskip("numpy")
    assert check_int("n", np.int64(3), low=1) == 3
    assert type(check_int("n", np.int64(3), low=1)) is int


@pytest.mark.parametrize("value", [True, False, 1.0, "3", None, 2.5])
def test_check_int_refuses_non_integers(value: object) -> None:
    with pytest.raises(
        TypeError, match=re.escape(f"n must be an integer; received n={value!r}")
    ):
        check_int("n", value, low=0)


@pytest.mark.parametrize(("value", "low"), [(0, 1), (-1, 0)])
def test_check_int_refuses_too_small(value: int, low: int) -> None:
    with pytest.raises(
        ValueError, match=re.escape(f"n must be >= {low}; received n={value!r}")
    ):
        check_int("n", value, low=low)
