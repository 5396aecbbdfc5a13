"""`downloads-api`'s command line: help, version, and a `check` that cannot pass a
deployment gate by checking the demo by accident. No database: the `unit` tier."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from app.cli import main
from app.ops import demo
from app.settings import VARIABLES
from app.settings.described import END, START, markdown_table


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """None of the service's variables set."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_check_without_a_database_url_fails_and_names_the_way_to_check_the_demo(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "DATABASE_URL is not set" in err and "downloads-api check --demo" in err


def test_check_demo_with_a_database_url_is_refused_rather_than_guessed(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("DATABASE_URL", "mysql://someone@db.internal/shop")

    assert main(["check", "--demo"]) == 2
    assert "use one or the other" in capsys.readouterr().err


def test_check_demo_checks_the_embedded_demo_on_purpose(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--demo"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "downloads-api check: bagisto tables in the embedded demo database"
    assert out[-1] == "no problems found"


def test_every_serve_option_has_help_and_a_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])

    text = " ".join(capsys.readouterr().out.split())
    for option, default in (("--host", "127.0.0.1"), ("--port", "8000"), ("--workers", "1")):
        assert option in text and f"(default: {default})" in text
    assert "--reload" in text


def test_check_help_names_the_variables_it_reads(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])

    text = " ".join(capsys.readouterr().out.split())
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "SOURCE", "MAGENTO_CRYPT_KEY", "--demo"):
        assert name in text


def test_settings_prints_the_table_whatever_the_environment(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("MAX_PAGE_SIZE", "lots")  # would stop `serve` and `check`

    assert main(["settings"]) == 0
    assert capsys.readouterr().out == markdown_table()


def test_settings_rewrites_the_table_between_the_markers_and_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{START}\n| old | table |\n{END}\n\nAfter.\n")

    assert main(["settings", "--readme", str(readme)]) == 0
    assert readme.read_text() == f"# Title\n\n{START}\n\n{markdown_table()}\n{END}\n\nAfter.\n"
    assert main(["settings", "--readme", str(readme)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("the settings table was up to date")

    readme.write_text("# No markers\n")
    assert main(["settings", "--readme", str(readme)]) == 2
    assert "no table between" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("downloads-api 0.")


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--workers", "0"])

    assert "--workers: must be a whole number from 1" in capsys.readouterr().err


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_demo_folders_of_processes_gone_are_removed(temp_dir: Path) -> None:
    gone = temp_dir / f"{demo.FOLDER_PREFIX}{2**31 - 2}-abc"  # no such process
    alive = temp_dir / f"{demo.FOLDER_PREFIX}{os.getppid()}-abc"
    unnamed_old = temp_dir / f"{demo.FOLDER_PREFIX}x1y2z3"  # made before folders had a pid
    unnamed_new = temp_dir / f"{demo.FOLDER_PREFIX}a1b2c3"
    for folder in (gone, alive, unnamed_old, unnamed_new):
        folder.mkdir()
    os.utime(unnamed_old, (0, 0))

    url = demo.build_demo_database("bagisto")

    [made] = [
        f for f in temp_dir.iterdir() if f.name.startswith(f"{demo.FOLDER_PREFIX}{os.getpid()}-")
    ]
    assert str(made) in url
    assert sorted(temp_dir.iterdir()) == sorted([made, alive, unnamed_new])
    # A folder named with this process's pid that it did not make is a namesake's.
    namesake = temp_dir / f"{demo.FOLDER_PREFIX}{os.getpid()}-old"
    namesake.mkdir()
    demo.remove_stale_folders()
    assert not namesake.exists() and made.exists()
