"""Who holds a claim on a document, and whether that holder is known to be dead.

A claim names its run as `host:pid:run:space:start`: the machine's name, the process id, the
Prefect flow run, the process space (a hash of the boot id and the PID namespace) and the
process's start time (clock ticks after boot). A run on the same machine can then tell for sure
that a holder is dead: same space, and either no process has that pid any more or the pid now
belongs to a process that started at another time (the pid was reused). Anything it cannot be
sure of -- a claim made on another machine, in another container, before a reboot, in the old
`host:pid:run` form, or where /proc cannot be read -- is left to the lease
(HOSO_CLAIM_LEASE_MINUTES). So a live run's claim is never taken.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Holder:
    host: str
    pid: int
    run: str
    space: str
    start: str


@cache
def process_space() -> str | None:
    """This boot and PID namespace (pids mean the same process only within one), or None."""
    try:
        boot = (PROC / "sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink(PROC / "self/ns/pid")
    except OSError:
        return None
    return hashlib.sha256(f"{boot}/{namespace}".encode()).hexdigest()[:10]


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process, or None when there is no such process."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) ", whatever comm holds
    return fields[0], fields[19]  # state; starttime is field 22 of the whole line


def holder_name(run_id: str, pid: int | None = None) -> str:
    """The claim this process (or the process `pid`) makes: at most 128 characters, the
    column's size."""
    pid = os.getpid() if pid is None else pid
    host = socket.gethostname().replace(":", "_")[:64]
    stat = _stat(pid)
    space = process_space() or "-"
    return f"{host}:{pid}:{run_id[:8]}:{space}:{stat[1] if stat else '-'}"


def parse(claimed_by: str) -> Holder | None:
    parts = claimed_by.split(":")
    if len(parts) != 5 or not parts[1].isdigit():
        return None  # the old form, or someone else's: the lease decides
    host, pid, run, space, start = parts
    return Holder(host, int(pid), run, space, start)


def is_dead(claimed_by: str) -> bool:
    """True only when the holder is known for sure to have died (see the module's doc)."""
    holder = parse(claimed_by)
    space = process_space()
    if holder is None or space is None or holder.space != space or holder.start == "-":
        return False
    if holder.pid == os.getpid():
        return False  # this very process (its start time is its own)
    stat = _stat(holder.pid)
    if stat is None:
        return True
    state, start = stat
    return start != holder.start or state in ("Z", "X")  # reused pid, or killed and not reaped
