"""Validation of logged values: loud, naming the key, never silently dropping."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from jupyterlab_experiments.client.values import (
    check_key,
    metric_value,
    param_value,
    step_value,
    tag_value,
)


class ScalarTensor:
    """Stands in for a one-element torch tensor or a numpy 0-d array: not a Real, but has __float__."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        if isinstance(self.value, list):
            raise TypeError("only one element tensors can be converted to Python scalars")
        return float(self.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, 1.5),
        (3, 3.0),
        (Fraction(1, 4), 0.25),
        (ScalarTensor(2), 2.0),
        (-0.0, -0.0),
    ],
)
def test_metric_values_convert_to_float(value, expected):
    converted = metric_value("loss", value)
    assert type(converted) is float and converted == expected


def test_non_finite_metrics_are_kept():
    assert math.isnan(metric_value("loss", float("nan")))
    assert metric_value("loss", float("inf")) == math.inf
    assert metric_value("loss", float("-inf")) == -math.inf


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        ("0.5", "str"),
        (None, "NoneType"),
        ([1.0], "list"),
        ({"a": 1}, "dict"),
        (1 + 2j, "complex"),
        (b"1", "bytes"),
    ],
)
def test_non_numeric_metrics_raise_type_error_naming_key_and_type(value, type_name):
    with pytest.raises(TypeError, match=rf"metric 'val_loss' must be a real number, got {type_name}"):
        metric_value("val_loss", value)


def test_bool_metric_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="metric 'converged'.*got bool.*float"):
        metric_value("converged", True)


def test_multi_element_tensor_is_refused():
    with pytest.raises(TypeError, match="metric 'w'.*does not convert"):
        metric_value("w", ScalarTensor([1, 2]))


def test_steps_must_be_integers():
    assert step_value("loss", 7) == 7
    for bad in (1.0, "1", True, None):
        with pytest.raises(TypeError, match="step for 'loss' must be an int"):
            step_value("loss", bad)


def test_keys_must_be_non_empty_strings():
    assert check_key("metric", "loss") == "loss"
    with pytest.raises(TypeError, match="metric key must be a str, got int"):
        check_key("metric", 3)
    with pytest.raises(ValueError, match="param key must not be empty"):
        check_key("param", "")


def test_params_become_json_types():
    assert param_value("shape", (1, 2)) == [1, 2]
    assert param_value("ids", {"b", "a"}) == ["a", "b"]
    assert param_value("cfg", {"depth": 3, 4: "four"}) == {"depth": 3, "4": "four"}
    assert param_value("ratio", Fraction(1, 2)) == 0.5
    assert param_value("flag", True) is True
    assert param_value("none", None) is None


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (object(), r"param 'model' must be JSON-serializable.*got object"),
        (
            [1, {2, print}],
            r"param 'model\[1\]\{\}' must be JSON-serializable.*builtin_function",
        ),
        ({(1, 2): "x"}, r"param 'model' has a dict key of type tuple"),
    ],
)
def test_non_json_params_raise_type_error_naming_key(value, pattern):
    with pytest.raises(TypeError, match=pattern):
        param_value("model", value)


def test_non_finite_params_are_refused():
    with pytest.raises(ValueError, match="param 'lr' contains NaN"):
        param_value("lr", float("nan"))
    with pytest.raises(ValueError, match="param 'grid' contains NaN or Infinity"):
        param_value("grid", [1.0, {"x": float("inf")}])


def test_tags_are_text():
    assert tag_value("stage", "prod") == "prod"
    assert tag_value("epochs", 3) == "3"
    with pytest.raises(TypeError, match="tag 'stage' value must be a str, got list"):
        tag_value("stage", ["a"])
