"""Fixtures shared by the tests: real PostgreSQL, a real S3 server, real Tesseract, and one
Prefect test harness for the whole session."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

# Before anything imports Prefect: its home in a temp folder, no analytics, time to start.
_PREFECT_HOME = tempfile.mkdtemp(prefix="hoso-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "90"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

import psycopg  # noqa: E402
import pytest  # noqa: E402

# tests/ is not a package: pytest puts this folder on sys.path, so the module imports by name.
from faultlib.pg import scratch_postgres  # noqa: E402
from s3server import S3Server, s3_server  # noqa: E402, F401

from schemas.settings import Limits, OcrOptions, Settings  # noqa: E402

PEERS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peers"

__all__ = ["S3Server", "s3_server"]


def need(ok: bool, what: str) -> None:
    """A required component is missing: fail, never skip (`make test` installs them all)."""
    if not ok:
        pytest.fail(f"required component missing: {what}. Run `make test`, which installs it.")


@pytest.fixture(scope="session", autouse=True)
def tesseract() -> None:
    need(shutil.which("tesseract") is not None, "tesseract (Debian: tesseract-ocr)")
    import pytesseract

    langs = pytesseract.get_languages()
    need("vie" in langs and "osd" in langs,
         "Tesseract data vie and osd (tesseract-ocr-vie, tesseract-ocr-osd)")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for every flow-level test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


def _pg_database() -> Iterator[str]:
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_postgres("hoso_test"))
        except psycopg.OperationalError as exc:
            need(False, f"PostgreSQL at 127.0.0.1:5432 ({exc})")
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty database: SQLite in a temp folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hoso.db'}"
    else:
        yield from _pg_database()


def make_settings(tmp_path: Path, db_url: str, **extra: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=db_url,
                    limits=Limits(), ocr=OcrOptions(), **extra)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Iterator[Settings]:
    """Settings for a fresh database and local object store, made current for the flows."""
    from flows.runtime import use_settings
    from storage.db import upgrade

    settings = make_settings(tmp_path, db_url)
    runtime = use_settings(settings)
    upgrade(runtime.engine)
    yield settings


@pytest.fixture(scope="session")
def peers() -> Path:
    need(PEERS.is_dir(), f"the peers corpus at {PEERS}")
    return PEERS
