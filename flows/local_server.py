"""A Prefect server for `hoso serve` on one machine, when no PREFECT_API_URL names one.

Prefect's temporary in-process server does not run schedules, so a schedule needs a real
server; this starts one beside the data (its own SQLite database) and stops it on exit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def local_prefect_server(home: Path, port: int, timeout_s: float = 120.0) -> Iterator[str]:
    """Start `prefect server start` on 127.0.0.1:port with its data in `home`; yields its API URL."""
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}/api"
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                        "PREFECT_API_URL": url}
    prefect = Path(sys.executable).with_name("prefect")
    with open(home / "server.log", "ab") as log:
        server = subprocess.Popen([str(prefect), "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, stdout=log, stderr=log)
    try:
        _wait_healthy(url, server, timeout_s, home / "server.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_healthy(url: str, server: subprocess.Popen, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerDidNotStart(f"the Prefect server stopped at once (exit {server.returncode}); "
                                    f"see {log} — is port {url.split(':')[2].split('/')[0]} taken?")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise ServerDidNotStart(f"the Prefect server did not answer at {url} within {timeout_s:.0f} s; see {log}")
