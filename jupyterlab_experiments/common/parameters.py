"""Zero-code capture: the literal assignments of a ``parameters`` cell.

Pure: no IO, no IPython. The server calls :func:`parse_parameters` on the source
of the cell tagged ``parameters`` (papermill's convention) and logs the result as
params, so the user writes nothing but ordinary assignments.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .jsonvalues import json_value

# Cell magics whose body is plain Python; the body of any other (%%bash, %%sql...) is not.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

# IPython syntax that is not Python: line magics, shell escapes, `x = !ls`, `x = %env`, `obj?`.
_IPYTHON_LINE = re.compile(
    r"""^(?P<indent>[ \t]*)(?:
        [%!]                              # %magic, !shell, %%magic in the middle of a cell
      | [\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!]   # x = !ls, a, b = %sx ...
      | [^#'"]*\?{1,2}\s*$                # obj? and obj?? help
    )""",
    re.VERBOSE,
)


def parse_parameters(source: str) -> dict[str, Any]:
    """Map each name assigned a literal at module level to its value (as JSON types).

    Understands ``lr = 0.1``, ``x: int = 3``, ``a = b = 1``, ``a, b = 1, 2``, negative
    numbers, strings, bools, None and containers of literals. A name later reassigned
    to anything but a literal (``lr = schedule()``, ``lr *= 2``) is dropped, since its
    value is no longer what the cell says. Everything else is ignored; a cell that is
    not valid Python gives ``{}``.
    """
    tree = _parse(source)
    if tree is None:
        return {}
    params: dict[str, Any] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                _bind(target, statement.value, params)
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:
                _bind(statement.target, statement.value, params)
        elif isinstance(statement, ast.AugAssign):
            _forget(statement.target, params)
    return params


def _parse(source: str) -> ast.Module | None:
    """The cell as Python; IPython-only lines become ``pass`` only if it does not parse as is,
    so that a ``%`` line inside a string literal is never rewritten."""
    for python in (source, _without_ipython_syntax(source)):
        if python is None:
            return None
        try:
            return ast.parse(python)
        # ValueError: NUL bytes; RecursionError and MemoryError: absurdly nested expressions.
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _without_ipython_syntax(source: str) -> str | None:
    """The source with IPython-only lines turned into ``pass``; None for a non-Python cell magic."""
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        words = lines[first].lstrip()[2:].split()
        if not words or words[0] not in _PYTHON_CELL_MAGICS:
            return None
        lines = lines[first + 1 :]
    # Keeping the indentation keeps blocks that contain a magic valid Python.
    return "\n".join(f"{match.group('indent')}pass" if (match := _IPYTHON_LINE.match(line)) else line for line in lines)


def _bind(target: ast.expr, value: ast.expr, params: dict[str, Any]) -> None:
    if isinstance(target, ast.Name):
        literal = _literal(value)
        if literal is _NOT_LITERAL:
            params.pop(target.id, None)
        else:
            params[target.id] = literal
    elif isinstance(target, (ast.Tuple, ast.List)):
        elements = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        starred = any(isinstance(element, ast.Starred) for element in target.elts)
        if elements is None or starred or len(elements) != len(target.elts):
            _forget(target, params)
            return
        for sub_target, sub_value in zip(target.elts, elements):
            _bind(sub_target, sub_value, params)


def _forget(target: ast.expr, params: dict[str, Any]) -> None:
    """Drop every name ``target`` assigns: their value is not a literal of the cell."""
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            params.pop(node.id, None)


_NOT_LITERAL = object()


def _literal(node: ast.expr) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL
    try:
        # bytes, complex and Ellipsis are literals but not params anyone can compare.
        return json_value("", value)
    except TypeError:
        return _NOT_LITERAL
