"""The shape of the code: no import circles, thin command-line modules.

The import graph is read from the source with ``ast`` (nothing is imported), in
two layers: module-level imports (those under ``if TYPE_CHECKING:`` included: a
circle a type checker sees is a circle), and those plus the imports inside
functions. Both must be acyclic. Imports made by name through ``importlib``
(the command and reporter registries) are not edges: they run only on use.

One kind of edge is left out: a type-only import of a module's own package
(``checks/dates.py`` naming ``spbe_lint.checks.CheckContext`` under
TYPE_CHECKING). Python initialises a package before any module in it, so that
dependency exists for every submodule whether written or not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import spbe_lint

PACKAGE = Path(spbe_lint.__file__).parent
MAX_CLI_LINES = 400

Graph = Mapping[str, frozenset[str]]


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at *root*."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    """Every import with (inside a function, under TYPE_CHECKING)."""

    def walk(
        node: ast.AST, in_function: bool, typing: bool
    ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function, typing
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for part in child.body:
                    yield from walk(ast.Module([part], []), in_function, True)
                for part in child.orelse:
                    yield from walk(ast.Module([part], []), in_function, typing)
            else:
                function = isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
                )
                yield from walk(child, in_function or function, typing)

    yield from walk(tree, False, False)


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: set[str]
) -> set[str]:
    """The package's modules an import statement loads (the nearest known one)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
            for alias in node.names
        ]
    found = set()
    for imported in names:
        nearest = imported
        while nearest and nearest not in known:
            nearest = nearest.rpartition(".")[0]
        if nearest:
            found.add(nearest)
    return found


def import_graphs(root: Path) -> tuple[Graph, Graph]:
    """(module-level graph, graph of every import) of the package at *root*."""
    modules = _modules(root)
    known = set(modules)
    top: dict[str, set[str]] = {name: set() for name in modules}
    every: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node, in_function, typing in _imports(tree):
            for target in _targets(node, name, is_package, known):
                own_package = name.startswith(target + ".")
                if target == name or (typing and own_package):
                    continue
                every[name].add(target)
                if not in_function:
                    top[name].add(target)
    freeze = {name: frozenset(edges) for name, edges in top.items()}
    return freeze, {name: frozenset(edges) for name, edges in every.items()}


def find_cycle(graph: Graph) -> list[str] | None:
    """One import circle (a, b, ..., a), or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def reachable(graph: Graph, start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(scope="module")
def graphs() -> tuple[Graph, Graph]:
    return import_graphs(PACKAGE)


HOW_TO_FIX = (
    "move the type both sides need into a lower module and import it from there "
    "(as rule.Severity, evaluation.Evaluation, probes.options.ProbeOptions)"
)


def test_module_level_imports_have_no_circle(graphs):
    top, _ = graphs
    assert "spbe_lint.findings" in top and "spbe_lint.cli.check" in top
    cycle = find_cycle(top)
    assert cycle is None, f"import circle: {' -> '.join(cycle)}; {HOW_TO_FIX}"


def test_imports_inside_functions_close_no_circle_either(graphs):
    _, every = graphs
    cycle = find_cycle(every)
    assert cycle is None, f"import circle: {' -> '.join(cycle)}; {HOW_TO_FIX}"


def test_findings_stand_below_the_rule_engine_and_scoring(graphs):
    top, every = graphs
    below = reachable(top, "spbe_lint.findings") | reachable(
        every, "spbe_lint.findings"
    )
    above = {
        "spbe_lint.scoring",
        "spbe_lint.engine",
        "spbe_lint.rulepack",
        "spbe_lint.rulefile",
        "spbe_lint.schema",
        "spbe_lint.errors",
    }
    assert not below & above, sorted(below & above)
    assert below <= {"spbe_lint.i18n", "spbe_lint.rule", "spbe_lint.evaluation"}


@pytest.mark.parametrize(
    "module",
    [
        "facts",
        "checks",
        "tls",
        "redirects",
        "options",
        "plan",
        "scheduler",
        "transport",
        "pinning",
        "lanes",
    ],
)
def test_probe_facts_and_checks_do_not_import_the_session(graphs, module):
    _, every = graphs
    below = reachable(every, f"spbe_lint.probes.{module}")
    assert "spbe_lint.probes.session" not in below
    assert "spbe_lint.probes.collect" not in below


def test_the_finder_sees_type_only_and_function_level_circles(tmp_path):
    """The checks above would pass on a broken graph if the finder saw nothing."""
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (package / "b.py").write_text("from pkg import a\n")
    (package / "c.py").write_text("def f():\n    from . import d\n")
    (package / "d.py").write_text("import pkg.c\n")
    (package / "sub" / "__init__.py").write_text("from pkg.sub import e\n")
    (package / "sub" / "e.py").write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from pkg.sub import X\n"
    )
    top, every = import_graphs(package)
    assert find_cycle(top) in (["pkg.a", "pkg.b", "pkg.a"], ["pkg.b", "pkg.a", "pkg.b"])
    assert top["pkg.c"] == frozenset() and every["pkg.c"] == {"pkg.d"}
    assert every["pkg.sub.e"] == frozenset()  # a type-only import of its own package
    (package / "a.py").write_text("")
    top, every = import_graphs(package)
    assert find_cycle(top) is None
    assert find_cycle(every) == ["pkg.c", "pkg.d", "pkg.c"]


def test_command_line_modules_are_thin():
    modules = sorted((PACKAGE / "cli").glob("*.py"))
    assert len(modules) >= 7  # the package, shared options, one per command family
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert max(sizes.values()) <= MAX_CLI_LINES, sizes
