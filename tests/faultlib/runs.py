"""`hoso` as the operator runs it: subprocesses against one database and one object store,
which the harness then kills, starves or cuts off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from schemas.settings import Settings
from storage.db import get_engine
from storage.objects import ObjectStore, make_store

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
HOOKED = "from faultlib.hook import main; main()"
RUN_TIMEOUT_S = 600.0


@dataclass
class Deployment:
    """One hoso installation: a data folder, a database, an object store, a Prefect server."""

    root: Path
    database_url: str
    prefect_api_url: str
    s3: dict[str, str] = field(default_factory=dict)  # HOSO_S3_* when the store is S3

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSO_", "PREFECT_"))}
        env |= {"HOSO_DATA_DIR": str(self.root / "data"), "HOSO_DATABASE_URL": self.database_url,
                "PREFECT_API_URL": self.prefect_api_url, "PREFECT_LOGGING_LEVEL": "WARNING",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
        if "PREFECT_HOME" in os.environ:
            env["PREFECT_HOME"] = os.environ["PREFECT_HOME"]
        return env | self.s3

    def settings(self) -> Settings:
        """The same settings, for looking at the result from this process."""
        extra = {k.removeprefix("HOSO_").lower(): v for k, v in self.s3.items()}
        return Settings(data_dir=self.root / "data", database_url=self.database_url, **extra)

    @property
    def engine(self) -> Engine:
        return get_engine(self.database_url)

    def store(self) -> ObjectStore:
        return make_store(self.settings())

    def start(self, *args: str, fault: str = "", fault_dir: Path | None = None,
              ) -> subprocess.Popen[bytes]:
        """`hoso ARGS` in the background, with HOSO_FAULT injected by faultlib.hook."""
        env = self.env
        if fault:
            env |= {"HOSO_FAULT": fault, "HOSO_FAULT_DIR": str(fault_dir or self.root)}
        log = (self.root / "runs.log").open("ab")
        log.write(f"\n$ hoso {' '.join(args)}  {fault}\n".encode())
        log.flush()
        return subprocess.Popen([sys.executable, "-c", HOOKED, *args], env=env, cwd=self.root,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def run(self, *args: str, fault: str = "", timeout: float = RUN_TIMEOUT_S) -> Finished:
        """`hoso ARGS` to the end; returns its exit code and what it printed."""
        before = self.log_size()
        proc = self.start(*args, fault=fault)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            raise
        return Finished(code, self.log_since(before))

    def log_size(self) -> int:
        path = self.root / "runs.log"
        return path.stat().st_size if path.exists() else 0

    def log_since(self, offset: int) -> str:
        with (self.root / "runs.log").open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode(errors="replace")


@dataclass(frozen=True)
class Finished:
    code: int
    output: str


def wait_for(what: str, check: Callable[[], object], timeout: float = 120.0,
             proc: subprocess.Popen[bytes] | None = None, poll: float = 0.05) -> object:
    """Poll `check` until it returns something true; fail naming `what` after `timeout` or
    when `proc` ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended (exit {proc.returncode}) before {what}")
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def children() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree, found, todo = children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running (a zombie, killed but not reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def tesseract_of(proc: subprocess.Popen[bytes]) -> int | None:
    """A Tesseract process working for the run, if one is running now."""
    for pid in descendants(proc.pid):
        if command_name(pid) == "tesseract" and alive(pid):
            return pid
    return None


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Clean-up after a failed test: the run and everything it started."""
    for pid in [proc.pid, *descendants(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()
