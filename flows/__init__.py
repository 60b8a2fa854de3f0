"""Prefect flows and tasks, the only place that joins extractors and storage; also the CLI."""

import os

# Before Prefect is imported: no telemetry leaves a closed network, the ephemeral server
# gets time to start on a busy machine, and the clerk's terminal is not flooded with logs.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("DO_NOT_TRACK", "1")
