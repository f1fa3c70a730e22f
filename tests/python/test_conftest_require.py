"""A missing test dependency is a skip on a developer's machine and an error under CI."""

from __future__ import annotations

import conftest
import pytest
from _pytest.outcomes import Failed, Skipped
from conftest import require, require_executable


def test_a_present_module_is_returned():
    assert require("json").dumps([1]) == "[1]"


@pytest.mark.parametrize("in_ci, outcome", [(False, Skipped), (True, Failed)])
def test_a_missing_module_skips_locally_and_fails_under_ci(monkeypatch, in_ci, outcome):
    monkeypatch.setattr(conftest, "IN_CI", in_ci)
    with pytest.raises(outcome, match="no_such_module_for_the_test"):
        require("no_such_module_for_the_test")
    with pytest.raises(outcome, match="no-such-command-for-the-test"):
        require_executable("no-such-command-for-the-test")
