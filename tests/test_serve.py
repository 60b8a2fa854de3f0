"""`hoso serve`: the nightly deployment on its schedule, a run it executes, a clean stop that
leaves the schedule active; and, with no Prefect server named, the one it starts itself."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

HOSO = [sys.executable, "-m", "flows.cli"]


def _wait(what: str, check, timeout_s: float = 120.0, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"hoso serve stopped early while waiting for {what}:\n{proc.stdout.read().decode()}")
        try:
            found = check()
        except Exception:  # noqa: BLE001  (not there yet)
            found = None
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def _stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)  # what Ctrl+C or systemd's stop sends
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode()


def test_serve_schedules_runs_and_stops_cleanly(tmp_path: Path, prefect_harness: None) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    data = tmp_path / "data"
    env = os.environ | {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    subprocess.run([*HOSO, "units", "seed", "--data-dir", str(data)], env=env, check=True,
                   capture_output=True)
    serving = subprocess.Popen([*HOSO, "serve", "--data-dir", str(data)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with get_client(sync_client=True) as client:
            deployment = _wait("the deployment", lambda: client.read_deployment_by_name("nightly/nightly"),
                               proc=serving)
            (schedule,) = deployment.schedules
            assert schedule.schedule.cron == "0 1 * * *"
            assert schedule.schedule.timezone == "Asia/Ho_Chi_Minh" and schedule.active
            run = client.create_flow_run_from_deployment(deployment.id)
            final = _wait("the nightly run", lambda: (state := client.read_flow_run(run.id).state)
                          and state.is_final() and state, timeout_s=180, proc=serving)
            assert final.is_completed(), final
    finally:
        output = _stop(serving)
    assert serving.returncode == 0, output
    reports = list((data / "reports").glob("bao-cao-tien-do-*.html"))
    assert len(reports) == 1  # the run wrote the report where the served data folder says
    with get_client(sync_client=True) as client:
        after = client.read_deployment_by_name("nightly/nightly")
    assert not after.paused and after.schedules[0].active  # stopping did not pause the schedule


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_its_own_prefect_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    serving = subprocess.Popen([*HOSO, "serve", "--data-dir", str(tmp_path / "data"),
                                "--server-port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"

    def deployments() -> list[str]:
        request = urllib.request.Request(f"{api}/deployments/filter", data=b"{}", method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return [d["name"] for d in json.load(response)]

    try:
        assert _wait("the deployment on the server it started", deployments, proc=serving) == ["nightly"]
    finally:
        output = _stop(serving)
    assert serving.returncode == 0, output
    assert (tmp_path / "data" / "prefect" / "server.log").exists()
    with pytest.raises(OSError):  # the server went away with it
        urllib.request.urlopen(f"{api}/health", timeout=2)
