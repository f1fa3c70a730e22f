"""parse_parameters: the literal assignments of a papermill-style parameters cell."""

from __future__ import annotations

import pytest

from jupyterlab_experiments.common.parameters import parse_parameters


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("lr = 0.1", {"lr": 0.1}),
        ("n = 3\nname = 'run'", {"n": 3, "name": "run"}),
        ('objective = "binary"', {"objective": "binary"}),
        (
            "flag = True\noff = False\nnothing = None",
            {"flag": True, "off": False, "nothing": None},
        ),
        (
            "delta = -0.5\nbig = -10\nsci = 1e-3",
            {"delta": -0.5, "big": -10, "sci": 0.001},
        ),
        ("x = +4", {"x": 4}),
        ("layers = [64, 32]", {"layers": [64, 32]}),
        ("shape = (28, 28)", {"shape": [28, 28]}),
        ("cfg = {'depth': 3, 'act': 'relu'}", {"cfg": {"depth": 3, "act": "relu"}}),
        ("ids = {3, 1, 2}", {"ids": [1, 2, 3]}),
        ("n: int = 3", {"n": 3}),
        ("a = b = 1", {"a": 1, "b": 1}),
        ("a, b = 1, 2", {"a": 1, "b": 2}),
        ("(a, b), c = (1, 'x'), [2]", {"a": 1, "b": "x", "c": [2]}),
        ("[a, b] = [1, 2]", {"a": 1, "b": 2}),
        ("mapping = {1: 'one'}", {"mapping": {"1": "one"}}),
        ("nested = [[1, 2], {'k': (3, None)}]", {"nested": [[1, 2], {"k": [3, None]}]}),
    ],
)
def test_literal_assignments_are_read(source, expected):
    assert parse_parameters(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np",
        "x = np.zeros(3)",
        "y = compute()",
        "z = a + 1",
        "f = lambda: 1",
        "data = b'raw'",  # bytes: a literal, but not a param
        "c = 1j",
        "e = ...",
        "n: int",  # annotation without a value
        "cfg.lr = 0.1",  # attributes and subscripts are not names of the cell
        "d['k'] = 1",
        "a, b = pair",
        "a, *rest = 1, 2, 3",
        "a, b = 1, 2, 3",
        "if True:\n    inside = 1",
        "def f():\n    local = 1",
        "# lr = 0.1",
        "",
        "   \n\n",
    ],
)
def test_anything_else_is_ignored(source):
    assert parse_parameters(source) == {}


def test_a_cell_mixing_code_and_literals_keeps_the_literals():
    source = """
import math  # needed below
# learning rate
lr = 0.01
num_leaves = 31
objective = 'regression'
steps = int(math.sqrt(100))
"""
    assert parse_parameters(source) == {
        "lr": 0.01,
        "num_leaves": 31,
        "objective": "regression",
    }


def test_a_later_literal_wins_and_a_later_computation_drops_the_name():
    assert parse_parameters("lr = 0.1\nlr = 0.2") == {"lr": 0.2}
    assert parse_parameters("lr = 0.1\nlr = schedule(lr)\nk = 1") == {"k": 1}
    assert parse_parameters("lr = 0.1\nlr *= 2") == {}
    assert parse_parameters("a, b = 1, 2\na, b = f()") == {}


def test_ipython_magics_and_shell_lines_do_not_break_parsing():
    source = """%matplotlib inline
%load_ext autoreload
!pip install lightgbm
files = !ls data
env = %env
np.zeros?
lr = 0.1
if True:
    %time x = 1
objective = "binary"
"""
    assert parse_parameters(source) == {"lr": 0.1, "objective": "binary"}


def test_python_cell_magics_keep_their_body_and_others_are_ignored():
    assert parse_parameters("%%time\nlr = 0.1") == {"lr": 0.1}
    assert parse_parameters("\n%%capture out\nseed = 42\n") == {"seed": 42}
    assert parse_parameters("%%bash\nlr=0.1") == {}
    assert parse_parameters("%%\nlr = 0.1") == {}


def test_a_percent_line_inside_a_string_is_left_alone():
    assert parse_parameters('fmt = """\n%d items\n"""') == {"fmt": "\n%d items\n"}


@pytest.mark.parametrize("source", ["lr = ", "lr = 0.1\nfor", "x = (1,", "lr = 0.1\x00"])
def test_invalid_python_gives_an_empty_dict(source):
    assert parse_parameters(source) == {}


def test_a_pathologically_nested_value_gives_an_empty_dict_not_an_error():
    assert parse_parameters("x = " + "[" * 5000 + "]" * 5000) == {}
    assert parse_parameters("x = " + "-" * 5000 + "1") in ({}, {"x": 1})
    nested = parse_parameters("x = " + "[" * 50 + "]" * 50)["x"]
    for _ in range(49):
        (nested,) = nested
    assert nested == []
