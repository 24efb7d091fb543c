"""`caredove-agent classify`, run in-process on every example the project keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app, main
from agent.errors import AgentError

EXAMPLES = Path(__file__).parent / "data" / "error-examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text())
KEYS = {"http_code", "category", "clear", "field", "path", "problem", "fix", "decision", "rule", "reason"}
runner = CliRunner()


def classify(*args: str, stdin: str | None = None) -> dict[str, object]:
    result = runner.invoke(app, ["classify", *args], input=stdin)
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: c["file"])
def test_every_example_gets_its_expected_code_and_decision(case: dict[str, object]) -> None:
    data = classify(str(EXAMPLES / str(case["file"])))
    assert set(data) == KEYS
    assert (data["http_code"], data["decision"]) == (case["http_code"], case["decision"])
    assert data["clear"] is (case["decision"] == "fix")
    assert (data["fix"] is not None) is (case["decision"] == "fix")


def test_reads_the_block_from_stdin() -> None:
    data = classify("-", stdin=(EXAMPLES / "postal-code-missing.json").read_text())
    assert (data["decision"], data["rule"], data["path"]) == ("fix", "R5", "Patient.contact[0].address.postCode")


def test_reads_print_r_from_stdin() -> None:
    data = classify("-", stdin="Array\n(\n    [http_code] => 502\n    [text] => <html>bad gateway</html>\n)\n")
    assert (data["http_code"], data["decision"], data["rule"]) == (502, "resend", "R2")


def test_2xx_success_flag_clears_a_200() -> None:
    data = classify(str(EXAMPLES / "two-hundred-error.json"), "--2xx-success")
    assert (data["decision"], data["rule"]) == ("clear", "R7")


def test_max_resends_flag_is_checked() -> None:
    result = runner.invoke(app, ["classify", "--max-resends", "9", str(EXAMPLES / "nginx-502.json")])
    assert result.exit_code != 0


def test_health_card_number_is_not_printed(tmp_path: Path) -> None:
    block = tmp_path / "hcn.json"
    block.write_text(json.dumps({"http_code": 400, "text": "Health card 1234-567-890-AB is not valid"}))
    result = runner.invoke(app, ["classify", str(block)])
    assert result.exit_code == 0
    assert "1234" not in result.stdout


def test_missing_file_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", str(tmp_path / "nope.json")])
    assert result.exit_code != 0
    assert isinstance(result.exception, AgentError)
    assert "cannot read" in str(result.exception)


def test_missing_file_through_the_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["caredove-agent", "classify", str(tmp_path)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code not in (0, None)
    assert capsys.readouterr().err.startswith("caredove-agent: cannot read")


def test_binary_file_is_classified_as_unreadable(tmp_path: Path) -> None:
    block = tmp_path / "garbage.bin"
    block.write_bytes(bytes(range(256)) * 10)
    data = classify(str(block))
    assert (data["http_code"], data["decision"], data["rule"], data["category"]) == (
        None,
        "escalate",
        "R8",
        "unreadable",
    )
