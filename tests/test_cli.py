"""The `hoso` command as a clerk or a script uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_common import EXIT_SOME_REJECTED, EXIT_UNAVAILABLE, EXIT_USAGE

runner = CliRunner()


@pytest.mark.parametrize("command", ["init", "ingest", "process", "status", "demo", "report",
                                     "nightly", "serve", "units import", "units seed", "units list",
                                     "inventory import"])
def test_every_command_explains_itself(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "--data-dir" in result.output


def test_ingest_process_status_json(tmp_path: Path, peers: Path, prefect_harness: None) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(app, ["init", *data]).exit_code == 0
    files = [str(peers / "qpdf__bad-xref.pdf"), str(peers / "pdfplumber__empty.pdf")]
    taken = runner.invoke(app, ["ingest", *files, "--unit", "HU-LAMHA", "--unit-name", "Huyện ủy Lâm Hà",
                                *data])
    assert taken.exit_code == 0, taken.output
    assert "2 tệp mới" in taken.output
    processed = runner.invoke(app, ["process", *data])
    assert processed.exit_code == EXIT_SOME_REJECTED  # one file was rejected
    shown = runner.invoke(app, ["status", *data])
    assert "tệp rỗng (empty)" in shown.output and "pdfplumber__empty.pdf" in shown.output

    report = json.loads(runner.invoke(app, ["status", "--json", *data]).output)
    assert report["counts"]["text_ready"] == 1 and report["counts"]["rejected"] == 1
    assert report["units"] == {"HU-LAMHA": {"text_ready": 1, "rejected": 1}}
    by_name = {d["source_name"]: d for d in report["documents"]}
    empty = by_name["pdfplumber__empty.pdf"]
    assert empty["status"] == "rejected" and empty["reject_code"] == "empty"
    assert empty["sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert by_name["qpdf__bad-xref.pdf"]["warnings"] == ["the PDF was damaged and has been repaired"]


def test_no_files_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty-folder").mkdir()
    result = runner.invoke(app, ["ingest", str(tmp_path / "empty-folder"), "--unit", "X",
                                 "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == EXIT_USAGE


def test_unreachable_database_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOSO_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = runner.invoke(app, ["status", "--data-dir", str(tmp_path)])
    assert result.exit_code == EXIT_UNAVAILABLE
    assert "cannot reach the database" in result.output


def test_nightly_command_says_what_it_left_in_the_inbox(tmp_path: Path, peers: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       prefect_harness: None) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "HU-KHONGCO").mkdir(parents=True)
    (inbox / "HU-KHONGCO" / "a.pdf").write_bytes((peers / "qpdf__inherited-rotate.pdf").read_bytes())
    monkeypatch.setenv("HOSO_INBOX", str(inbox))
    monkeypatch.setenv("HOSO_INBOX_SETTLE_SECONDS", "0")
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(app, ["units", "seed", *data]).exit_code == 0
    result = runner.invoke(app, ["nightly", *data])
    output = " ".join(result.output.split())
    assert result.exit_code == EXIT_SOME_REJECTED, output
    assert "HU-KHONGCO/a.pdf" in output and "no unit with code 'HU-KHONGCO'" in output
    assert (inbox / "HU-KHONGCO" / "a.pdf").exists()  # kept for the clerk to move
    assert list((tmp_path / "data" / "reports").glob("bao-cao-tien-do-*.xlsx"))
