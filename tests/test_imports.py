"""The module graph stays plain: no import cycle, no lazy or fallback import of the project's own
modules, and every module imports first, on its own, in a fresh interpreter."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AGENT = ROOT / "agent"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(AGENT.rglob("*.py")) if p.name != "__main__.py"}


def _own(name: str | None) -> bool:
    return name is not None and (name == "agent" or name.startswith("agent."))


def _imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found: list[tuple[ast.AST, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node, node.module)]
            found += [(node, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {name for node, name in _imports(tree) if node in tree.body and name in MODULES}
    guarded = [n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]
    return found - {name for block in guarded for node, name in _imports(block) if name in MODULES}


def test_no_lazy_or_fallback_import_of_the_projects_own_modules() -> None:
    offenders = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set(tree.body)
        for block in tree.body:  # imports for type annotations only never run
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
                top |= set(block.body)
        for node, imported in _imports(tree):
            if _own(imported) and node not in top:
                offenders.append(f"{name}:{getattr(node, 'lineno', '?')} imports {imported} inside a block")
    assert offenders == []


def test_the_agents_modules_form_no_import_cycle() -> None:
    graph = {name: _top_level_imports(path) - {name} for name, path in MODULES.items()}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycles.append([*trail[trail.index(node) :], node])
            return
        for nxt in sorted(graph.get(node, ())):
            if not nxt.startswith(node + "."):  # a package importing its own submodules is no cycle
                visit(nxt, [*trail, node])

    for start in graph:
        visit(start, [])
    assert cycles == [], f"import cycles: {sorted({' -> '.join(c) for c in cycles})[:5]}"


FORK_EACH = """
import os, sys, traceback
import jinja2, pydantic, pydantic_settings, playwright.sync_api, typer  # third-party, loaded once
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:  # a child with none of the project's modules loaded yet
        try:
            __import__(name)
        except BaseException:
            print(f"{name}: {traceback.format_exc().strip().splitlines()[-1]}", flush=True)
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
sys.exit(1 if failed else 0)
"""
"""One interpreter that has imported none of the project's modules forks a child per module: each
child imports its module first, as a fresh interpreter would (heavy third-party imports are paid once)."""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a child per module")
def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORK_EACH, *sorted(MODULES)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
