"""Faults survived and bad inputs tried: crash and fault scenarios, then malformed files.

Scenarios (tests/faultlib/scenarios.py), each against real `hoso` subprocesses, a few rounds
each with the fault landing at a different point, followed by a recovery run and the
invariants (every file one document, read; no duplicate pages; every object the database
names present with its sha256; no partial file):
  kill-ocr     kill -9 of `hoso process` while Tesseract reads a page (PostgreSQL);
  kill-commit  kill -9 after a document's objects are written, before its commit (SQLite and
               PostgreSQL in turn);
  s3-stop      the S3 server (SeaweedFS) stopped in the middle of a batch, started again;
  db-drop      the run's PostgreSQL connections terminated in a commit, in a claim, then
               every 0.1 s for a few seconds; then the database refuses connections until the
               run stops (it must say so, exit 3);
  disk-full    the local store's disk full in the middle of a batch and of an intake.
Bad inputs, through the real reader path (flows.isolation: a worker process per document):
  malformed    --inputs files made from small files of every kind, the samples generator's
               files and the peers corpus: truncated, bit-flipped, overwritten, spliced,
               hostile numbers in PDF dictionaries and image headers (tests/faultlib/mutants.py);
  peers        every file of ../shared/corpus/peers (MANIFEST.tsv);
  batch        the first --batch malformed files ingested and read by one `hoso process`.
A crash is an exception other than a rejection escaping the reader, or the batch run dying; a
hang is a reading held past the per-file limit (6 x HOSO_OCR_PAGE_TIMEOUT_S without a page
done). The last line: `RESULT scenarios=<runs survived> lost=<n> duplicated=<n>
bad_inputs=<files tried> crashes=<n> hangs=<n>`.

Usage: python bench/faults.py [--rounds 2] [--inputs 1000] [--start 0] [--batch 60]
                              [--only scenarios|inputs] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="hoso-faults-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from faultlib.badinputs import Result, Tally, read_all  # noqa: E402
from faultlib.mutants import mutants, peer_seeds, sample_seeds, small_seeds  # noqa: E402
from faultlib.pg import scratch_postgres  # noqa: E402
from faultlib.runs import Deployment  # noqa: E402
from faultlib.scenarios import SCENARIOS, UNIT, Outcome  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from schemas.models import Document  # noqa: E402
from schemas.settings import Limits, OcrOptions  # noqa: E402

PEERS = ROOT.parent / "shared" / "corpus" / "peers"
# Which database each scenario runs on, round by round.
DATABASES = {"kill-ocr": ["postgresql"], "kill-commit": ["sqlite", "postgresql"],
             "s3-stop": ["sqlite"], "db-drop": ["postgresql"], "disk-full": ["sqlite", "postgresql"]}
# Malformed files are read with this page limit: a hang shows in 3 minutes, not 18.
FUZZ_LIMITS = Limits(ocr_page_timeout_s=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each scenario")
    parser.add_argument("--inputs", type=int, default=1000, help="malformed files to read")
    parser.add_argument("--start", type=int, default=0, help="number of the first malformed file")
    parser.add_argument("--batch", type=int, default=60, help="malformed files in the batch run")
    parser.add_argument("--only", choices=["scenarios", "inputs"])
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hoso-faults-"))
    outcomes: list[Outcome] = []
    tallies: dict[str, Tally] = {}
    batch_crashed = 0
    try:
        with prefect_server(work / "prefect") as api:
            if args.only != "inputs":
                outcomes = run_scenarios(work / "scenarios", api, args.rounds)
            if args.only != "scenarios":
                tallies, batch_crashed = run_inputs(work / "inputs", api, args)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    survived = sum(o.ok for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    duplicated = sum(o.duplicated for o in outcomes)
    tried = sum(len(t.results) for name, t in tallies.items() if name != "batch")
    crashes = sum(len(t.crashes) for t in tallies.values()) + batch_crashed
    hangs = sum(len(t.hangs) for t in tallies.values())
    print(f"\nscenario runs survived: {survived} of {len(outcomes)}; documents lost {lost}, "
          f"duplicated {duplicated} (target: all survived, 0 lost, 0 duplicated)")
    print(f"bad inputs tried: {tried}; crashes {crashes}, hangs {hangs} (target: >= 1,000 "
          "malformed files plus the peers corpus, 0 crashes, 0 hangs)")
    print(f"RESULT scenarios={survived} lost={lost} duplicated={duplicated} bad_inputs={tried} "
          f"crashes={crashes} hangs={hangs}")
    failed = survived < len(outcomes) or lost or duplicated or crashes or hangs
    return 1 if failed else 0


def run_scenarios(work: Path, api: str, rounds: int) -> list[Outcome]:
    print(f"{'scenario':12s} {'database':10s} {'round':>5s} {'result':>7s} {'lost':>5s} "
          f"{'dup':>4s} {'seconds':>8s}  what happened")
    outcomes = []
    for round_ in range(rounds):
        for name, scenario in SCENARIOS.items():
            kinds = DATABASES[name]
            kind = kinds[round_ % len(kinds)]
            root = work / f"{name}-{round_ + 1}"
            root.mkdir(parents=True)
            with database(kind, root) as url:
                try:
                    outcome = scenario(root, url, api, round_)
                except Exception as exc:  # noqa: BLE001  (a scenario that breaks is a failure)
                    outcome = Outcome(name, problems=[f"{type(exc).__name__}: {exc}"])
            outcomes.append(outcome)
            result = "ok" if outcome.ok else "FAILED"
            what = "; ".join(outcome.notes[1:3])
            what = what if len(what) <= 150 else what[:147] + "..."
            print(f"{name:12s} {kind:10s} {round_ + 1:5d} {result:>7s} {outcome.lost:5d} "
                  f"{outcome.duplicated:4d} {outcome.seconds:8.0f}  {what}", flush=True)
            if not outcome.ok:
                print("    " + str(outcome).replace("\n", "\n    "), flush=True)
    return outcomes


def run_inputs(work: Path, api: str, args: argparse.Namespace) -> tuple[dict[str, Tally], int]:
    work.mkdir(parents=True)
    seeds = small_seeds() + sample_seeds(work / "seeds") + peer_seeds(PEERS)
    print(f"\n{len(seeds)} seed files; malformed files {args.start}..{args.start + args.inputs - 1}"
          f", read {FUZZ_LIMITS.ocr_page_timeout_s:.0f} s a page at most")
    tallies = {}
    start = time.monotonic()
    made = list(mutants(seeds, args.inputs, args.start))
    tallies["malformed"] = read_all(((m.name, m.data) for m in made), FUZZ_LIMITS, OcrOptions(),
                                    on_result=_progress(args.inputs))
    print(f"  malformed: {args.inputs} files in {time.monotonic() - start:.0f} s")
    expected = _manifest()
    start = time.monotonic()
    tallies["peers"] = read_all(((name, (PEERS / name).read_bytes()) for name in expected),
                                Limits(), OcrOptions())
    print(f"  peers: {len(expected)} files in {time.monotonic() - start:.0f} s")
    batch_crashed, tallies["batch"] = run_batch(work / "batch", api, made[:args.batch])
    print(f"\n{'inputs':10s} {'files':>6s} {'read':>5s} {'rejected':>8s} {'crashes':>7s} "
          f"{'hangs':>5s} {'contained':>9s} {'slowest':>8s}  outcomes")
    for name, tally in tallies.items():
        outcomes = tally.outcomes
        rejected = sum(n for o, n in outcomes.items() if o.startswith("rejected"))
        slowest = max((r.seconds for r in tally.results), default=0.0)
        print(f"{name:10s} {len(tally.results):6d} {outcomes['read']:5d} {rejected:8d} "
              f"{len(tally.crashes):7d} {len(tally.hangs):5d} {len(tally.contained):9d} "
              f"{slowest:8.1f}  {dict(sorted(outcomes.items()))}")
        for bad in tally.crashes + tally.hangs:
            print(f"    {bad.name}: {bad.outcome} after {bad.seconds:.0f} s: {bad.detail[:200]}")
    wrong = [(name, want, got) for name, want, got in _peer_outcomes(tallies["peers"], expected)
             if not _as_expected(want, got)]
    print(f"peers ending otherwise than MANIFEST.tsv says: {len(wrong)}"
          + "".join(f"\n    {n}: expected {w}, got {g}" for n, w, g in wrong))
    return tallies, batch_crashed


def run_batch(work: Path, api: str, made: list) -> tuple[int, Tally]:
    """Malformed files in one batch through `hoso ingest` and `hoso process`: the run must
    end on its own (exit 0 or 1), every document read or rejected with a reason."""
    folder = work / "in"
    folder.mkdir(parents=True)
    for m in made:
        (folder / m.name).write_bytes(m.data)
    tally = Tally(0.0)
    with database("postgresql", work) as url:
        dep = Deployment(work, url, api)
        intake = dep.run("ingest", str(folder), *UNIT)
        start = time.monotonic()
        run = dep.run("process")
        seconds = time.monotonic() - start
        with Session(dep.engine) as session:
            docs = list(session.exec(select(Document)))
    for doc in docs:
        final = doc.status == "text_ready" or (doc.status == "rejected"
                                               and len(doc.reject_reason or "") >= 20)
        outcome = ("read" if doc.status == "text_ready" else f"rejected:{doc.reject_code}"
                   if final else f"crash:{doc.status}")
        tally.add(Result(doc.source_name, outcome, 0.0, doc.error or doc.reject_reason or ""))
    died = intake.code not in (0, 1) or run.code not in (0, 1)
    print(f"  batch: {len(made)} files, {len(docs)} documents (identical mutants are one), "
          f"`hoso process` exit {run.code} in {seconds:.0f} s")
    if died:
        print(f"    the batch run died:\n{run.output[-2000:]}")
    return int(died), tally


def _progress(total: int):  # type: ignore[no-untyped-def]
    done = Counter[str]()

    def show(result: Result) -> None:
        done["n"] += 1
        if result.crash or result.seconds > FUZZ_LIMITS.ocr_page_timeout_s:
            print(f"    {result.name}: {result.outcome} in {result.seconds:.0f} s "
                  f"{result.detail[:160]}", flush=True)
        if done["n"] % 100 == 0:
            print(f"  ... {done['n']} of {total}", flush=True)

    return show


def _manifest() -> dict[str, str]:
    with (PEERS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row["expected"] for row in csv.DictReader(fh, delimiter="\t")}


def _peer_outcomes(tally: Tally, expected: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    for result in tally.results:
        yield result.name, expected[result.name], result.outcome


def _as_expected(want: str, got: str) -> bool:
    if want.startswith("reject-"):
        return got == f"rejected:{want.removeprefix('reject-')}"
    return got == "read"


@contextmanager
def database(kind: str, root: Path) -> Iterator[str]:
    """A fresh database: SQLite in `root`, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{root / 'hoso.db'}"
        return
    with scratch_postgres("hoso_faults") as url:
        yield url


@contextmanager
def prefect_server(home: Path) -> Iterator[str]:
    """A Prefect server of its own for the `hoso` runs (PREFECT_API_URL set: used as is)."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    from flows.local_server import local_prefect_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with local_prefect_server(home, port) as url:
        yield url


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.TimeoutExpired as exc:
        sys.exit(f"a run did not end in time: {exc}")
