"""Running the Node.js clients in e2e/ (Apollo Client, graphql-js, Playwright) from the tests.

Each script prints one JSON report and exits non-zero when its client failed. Node.js 20.19+ (or
22.12+) and npm must be installed; the packages are installed here (`npm ci` in e2e/) when
`e2e/node_modules` is missing or older than `e2e/package-lock.json`. Nothing skips: a missing
tool fails the test with the command that installs it.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import fixtures
from app.settings import Settings
from tests.served import serving

ROOT = Path(__file__).resolve().parent.parent
E2E = ROOT / "e2e"
SPEC = ROOT / "tests" / "spec"

NODE_HINT = """
The Node.js clients in e2e/ need Node.js 20.19 or later (22: 22.12 or later) with npm
({problem}). Machines of this project's kind come with them; elsewhere install a current
Node.js from https://nodejs.org or your distribution (Debian 12's own `nodejs` is 18: too old).
`./scripts/test` then installs the e2e/ packages itself.
"""


def node_modules() -> Path:
    """e2e/node_modules, installed with `npm ci` when missing or older than the lock file
    (once per run: a failure is remembered too)."""
    installed = _install()
    if isinstance(installed, str):
        pytest.fail(installed, pytrace=False)
    return installed


@functools.cache
def _install() -> Path | str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return NODE_HINT.format(problem="`node` or `npm` is not on PATH")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    found = re.match(r"v(\d+)\.(\d+)", version.stdout)
    release = (int(found[1]), int(found[2])) if found else (0, 0)
    if not ((20, 19) <= release < (21, 0) or release >= (22, 12)):  # e2e/package.json's engines
        return NODE_HINT.format(problem=f"found {version.stdout.strip()}")

    installed = E2E / "node_modules"
    stamp = installed / ".package-lock.json"  # npm writes it on every install
    lock = E2E / "package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=E2E,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            return f"`npm ci` in e2e/ failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return installed


def run_node(script: str, *args: str, timeout: float = 120) -> tuple[int, dict[str, Any]]:
    """Run an e2e/ script; its exit code and its JSON report."""
    node_modules()
    done = subprocess.run(
        ["node", script, *args], cwd=E2E, capture_output=True, text=True, timeout=timeout
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{script} exited {done.returncode} without a JSON report:\n"
            f"{done.stdout}\n{done.stderr}",
            pytrace=False,
        )
    return done.returncode, report


@contextmanager
def service(settings: Settings) -> Iterator[str]:
    """`downloads-api serve` on the test database, in a process of its own; its base URL."""
    environment = {
        "DATABASE_URL": settings.database_url or "",
        "SOURCE": settings.source,
        "PUBLIC_BASE_URL": settings.public_base_url or "",
        "MAGENTO_CRYPT_KEY": fixtures.magento.CRYPT_KEY,
    }
    with serving(environment) as base:
        yield base
