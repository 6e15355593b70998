"""One error hierarchy (ingest.errors, re-exported by moneytrail.errors): user errors exit 2 with
their message, internal errors exit 1, and only the CLI names command-line flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.manifest import TableNameError
from ingest.presets.fec import PresetError
from ingest.runfile import RunFileError
from ingest.sqldump.errors import DumpRejected
from ingest.sqlquote import UnsafeName
from ingest.tabular import TabularError
from ingest.warehouse import WarehouseError
from moneytrail import cli
from moneytrail.errors import InternalError, MoneytrailError, UserError, exit_code
from moneytrail.gate import GateError
from moneytrail.match_cli import InputError
from moneytrail.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "cls",
    [
        TabularError,
        RunFileError,
        DumpRejected,
        SettingsError,
        TableNameError,
        UnsafeName,
        WarehouseError,
        PresetError,
        cli.WarehouseWriteError,
        InputError,
        GateError,
    ],
)
def test_every_input_error_is_a_user_error(cls):
    assert issubclass(cls, UserError)
    assert issubclass(cls, MoneytrailError)


def test_ingest_errors_stay_value_errors():
    # callers (and tests) that caught ValueError keep working
    for cls in (TabularError, RunFileError, TableNameError, UnsafeName, WarehouseError, PresetError):
        assert issubclass(cls, IngestError) and issubclass(cls, ValueError)


def test_exit_codes_by_branch():
    assert exit_code(TabularError("x")) == 2
    assert exit_code(InternalError("x")) == 1
    assert exit_code(MoneytrailError("x")) == 1


def test_a_user_error_exits_2_with_its_message(tmp_path, capsys):
    code = cli.main(["ingest", str(tmp_path / "missing.csv"), "--table", "t", "--db", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert capsys.readouterr().err == "error: input file not found: missing.csv\n"


def test_an_internal_error_exits_1_with_its_message(monkeypatch, tmp_path, capsys):
    def broken(args):
        raise InternalError("the report schema does not match the report (a bug)")

    monkeypatch.setattr(cli, "cmd_report", broken)
    assert cli.main(["report", "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == "error: the report schema does not match the report (a bug)\n"


def test_the_cli_adds_the_flags_of_the_options_an_error_names(tmp_path, capsys):
    path = tmp_path / "h.csv"
    path.write_text("1,2\n", encoding="utf-8")
    code = cli.main(["ingest", str(path), "--table", "t", "--no-header", "--db", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: no column names: the file has no header line, so give header_file or columns "
        "(command line: --header-file, --columns)\n"
    )


def test_run_files_get_no_flag_hints_for_their_own_keys():
    exc = TabularError("give column names once: header_file or columns, not both", options=("header_file", "columns"))
    assert cli.error_message(exc, "run") == "give column names once: header_file or columns, not both"
    assert cli.error_message(exc, "ingest") == (
        "give column names once: header_file or columns, not both (command line: --header-file, --columns)"
    )


# Known exceptions, each with its reason; the list must shrink, never grow (the test fails either way).
IMPORTS_THE_APPLICATION = {
    # load_run_file validates settings with moneytrail.settings (lazily imported); moving the
    # settings validator below the application is the run-file schema work of issue 9
    "ingest/runfile.py",
}


def test_ingest_does_not_import_the_application():
    offending = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "ingest").rglob("*.py"))
        if re.search(r"^\s*(from|import) moneytrail\b", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offending == sorted(IMPORTS_THE_APPLICATION)


def test_library_messages_do_not_name_cli_flags():
    # flags of other programs (mysqldump --hex-blob) are advice about those programs, not ours
    ours = re.compile(r"--(?!hex-blob)[a-z][a-z-]+")
    library = sorted((ROOT / "ingest").rglob("*.py")) + [
        ROOT / "moneytrail" / name for name in ("settings.py", "exports.py", "dbt_runner.py", "errors.py")
    ]
    found = []
    for path in library:
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"raise \w+\((.*?)\)(?: from \w+)?$", text, re.S | re.M):
            if ours.search(call.group(1)):
                found.append(f"{path.relative_to(ROOT)}: {call.group(1)[:80]}")
    assert found == []
