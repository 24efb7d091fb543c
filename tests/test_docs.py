"""Documentation that cannot drift: every setting is in the README's table, and docs/cli.md is what
the real ``--help`` says (datasette's ``test_settings_are_documented`` is the model)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel

from agent.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _settings_table() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Settings")
    end = readme.index("\n### ", start + 1)
    return readme[start:end]


def _documented() -> set[str]:
    """The names in the first column of the table's rows."""
    names: set[str] = set()
    for line in _settings_table().splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([a-z_][a-z0-9_.*]*)`", line.split("|")[1]))
    return names


def _setting_names() -> list[str]:
    names: list[str] = []
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names += [f"{name}.{sub}" for sub in kind.model_fields]
        else:
            names.append(name)
    return names


def test_every_setting_is_in_the_readme_table() -> None:
    documented = _documented()
    missing = [
        name for name in _setting_names() if name not in documented and f"{name.split('.')[0]}.*" not in documented
    ]
    assert not missing, f"settings missing from README.md's Settings table: {', '.join(missing)}"


def test_the_readme_table_names_no_setting_that_does_not_exist() -> None:
    known = set(_setting_names()) | {n.split(".")[0] + ".*" for n in _setting_names() if "." in n}
    assert sorted(_documented() - known) == []


def test_cli_reference_is_what_help_says(tmp_path: Path) -> None:
    out = tmp_path / "cli.md"
    subprocess.run(
        [sys.executable, "-m", "typer", "agent.cli", "utils", "docs", "--name", "caredove-agent", "--output", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"), (
        "docs/cli.md is out of date: run ./dev docs"
    )
