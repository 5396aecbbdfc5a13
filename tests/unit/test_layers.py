"""The layout keeps the architecture: no import cycle among the modules of app/ and
resolvers/, and a short top level. Every import counts, wherever it is in a module
(under `if TYPE_CHECKING:`, inside a function): a cycle hidden there still ties the two
modules together. Which layer may import which is `lint-imports`' job (pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "resolvers")


def modules() -> dict[str, Path]:
    """Every module of app/ and resolvers/ by its dotted name (a package by its own)."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that the module imports, anywhere in it."""

    def module_of(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(module_of(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                # `from app.sources import base` imports the module; `import X` the package.
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else module_of(base))
    return {target for target in targets if target is not None and target != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_app_and_resolvers() -> None:
    graph = import_graph()
    assert "app.graphql.views" in graph and "resolvers.query" in graph  # the walk found them
    found = cycles(graph)
    assert found == [], "\n".join(
        " <-> ".join(f"{m} (imports {sorted(graph[m] & set(c))})" for m in c) for c in found
    )


def test_a_cycle_is_found_however_it_is_imported(tmp_path: Path) -> None:
    # The check itself: a cycle through a function-local import, and one through a package.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    source = "def f():\n    from app.sources import SOURCES\n"
    path = tmp_path / "probe.py"
    path.write_text(source, encoding="utf-8")
    assert imports("probe", path, {"app.sources", "app.sources.base"}) == {"app.sources"}


def test_at_most_eight_modules_at_the_top_of_app() -> None:
    top = sorted(p.stem for p in (ROOT / "app").glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 8, top


# Modules allowed past 300 lines, each with its reason: none.
LONGER: set[str] = set()


def test_no_module_over_300_lines() -> None:
    longer = {
        str(path.relative_to(ROOT)): lines
        for path in modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 300
    }
    assert set(longer) <= LONGER, longer


def test_the_bench_stays_within_two_thousand_lines_of_python() -> None:
    # Timings and ratios only: what a profiler or the database's statistics do is theirs.
    lines = sum(len(path.read_text().splitlines()) for path in (ROOT / "bench").glob("*.py"))
    assert lines <= 2000, lines
