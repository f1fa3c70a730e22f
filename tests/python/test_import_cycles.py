"""The import-cycle check of ``make lint`` finds cycles, function-level imports included, and the package has none."""

from __future__ import annotations

import sys

import pytest
from import_cycles import find_cycles


@pytest.fixture
def package(tmp_path, monkeypatch):
    """Writes modules of a throwaway package ``cyclic`` importable from ``tmp_path``."""
    root = tmp_path / "cyclic"
    root.mkdir()
    (root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield lambda name, text: (root / f"{name}.py").write_text(text)
    for name in [module for module in sys.modules if module == "cyclic" or module.startswith("cyclic.")]:
        del sys.modules[name]


def test_a_cycle_through_a_function_level_import_is_found(package):
    package("a", "from . import b\n")
    package("b", "def later():\n    from . import c\n")
    package("c", "from .a import x\n")
    package("d", "from . import a\n")
    assert find_cycles("cyclic") == [["cyclic.a", "cyclic.b", "cyclic.c", "cyclic.a"]]


def test_modules_without_a_cycle_pass(package):
    package("a", "from . import b\n")
    package("b", "import json\n")
    assert find_cycles("cyclic") == []


def test_the_package_has_no_import_cycle():
    assert find_cycles("jupyterlab_experiments") == []
