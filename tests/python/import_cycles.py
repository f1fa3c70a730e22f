"""Fail on any import cycle between modules of a package (``make lint`` runs it on jupyterlab_experiments).

    python tests/python/import_cycles.py [package]

Imports made inside functions count too: a cycle hidden in a function body is
still a cycle of the design. Each cycle found is printed as a chain of modules.
"""

from __future__ import annotations

import sys

import grimp


def find_cycles(package: str) -> list[list[str]]:
    """One import chain ``[a, b, ..., a]`` per group of modules that import each other, largest group first."""
    graph = grimp.build_graph(package)
    modules = sorted(graph.modules)
    imports = {module: sorted(graph.find_modules_directly_imported_by(module)) for module in modules}
    cycles = []
    for group in _strongly_connected(modules, imports):
        if len(group) > 1 or group[0] in imports[group[0]]:
            cycles.append(_cycle_through(group, imports))
    return sorted(cycles, key=lambda cycle: (-len(cycle), cycle))


def _strongly_connected(modules: list[str], imports: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a deep package must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(imports[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(imports[target])))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                groups.append(sorted(group))
    return groups


def _cycle_through(group: list[str], imports: dict[str, list[str]]) -> list[str]:
    """A shortest chain from the group's first module back to itself, within the group (breadth first)."""
    start, members = group[0], set(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in imports[module]:
                if target == start:
                    chain = [module]
                    while chain[-1] != start:
                        chain.append(previous[chain[-1]])
                    return [start, *reversed(chain[:-1]), start]
                if target in members and target not in previous:
                    previous[target] = module
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def main(argv: list[str]) -> int:
    package = argv[1] if len(argv) > 1 else "jupyterlab_experiments"
    cycles = find_cycles(package)
    for cycle in cycles:
        print("import cycle: " + " -> ".join(cycle))
    if cycles:
        return 1
    print(f"{package}: no import cycles")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
