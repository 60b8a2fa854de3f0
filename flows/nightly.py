"""The overnight run: take in the inbox, read what waits (retrying failures a bounded number of
times), snapshot progress, store the report and publish its summary in the Prefect UI.

No `from __future__ import annotations` here: Prefect builds the flow's parameter model from
the annotations when a deployment runs it, and needs them evaluated.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.errors import full_store_text, retry_if_transient, store_full
from flows.extract import extract
from flows.fixity import check_audit, check_objects
from flows.fixity import summary_markdown as integrity_markdown
from flows.intake import IntakeResult, close_batch, keep_original, open_batch
from flows.process import process
from flows.progress import progress_report, snapshot_rows
from flows.report_render import encode_report, summary_markdown, summary_table, write_report
from flows.runtime import runtime
from schemas.progress import ProgressReport
from storage.db import session_scope
from storage.inbox import InboxItem
from storage.progress import save_snapshots
from storage.queries import unit_by_code


@dataclass
class InboxResult:
    taken: int = 0
    duplicates: int = 0
    unreadable: list[dict] = field(default_factory=list)  # {"name", "error"}: left in the inbox
    left: list[dict] = field(default_factory=list)  # {"name", "why"}: no known unit; left in place


@task(name="take-from-inbox", retries=3, retry_delay_seconds=5,
      retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE)
def take_from_inbox(key: str, size: int, unit_id: int, batch_id: int) -> tuple[str, int]:
    """Keep one inbox file and commit its record; only then does it leave the inbox."""
    inbox = runtime().inbox
    item = InboxItem(key, size)
    outcome = keep_original(inbox.read(item), item.name, unit_id, batch_id, item.dossier_code,
                            actor="nightly")
    inbox.remove(item)
    return outcome


def take_in_inbox() -> InboxResult:
    """Every settled file of the inbox, one intake batch per unit folder."""
    logger = get_run_logger()
    inbox = runtime().inbox
    result = InboxResult()
    by_unit: dict[str, list[InboxItem]] = defaultdict(list)
    for item in inbox.items():
        if item.unit_code is None:
            result.left.append({"name": item.key, "why": "not in a unit folder (<unit code>/<file>)"})
        else:
            by_unit[item.unit_code].append(item)
    full: str | None = None  # the store filled up: nothing more can be taken tonight
    for code, items in sorted(by_unit.items()):
        if full:
            result.left += [{"name": i.key, "why": full} for i in items]
            continue
        with session_scope(runtime().engine) as session:
            known = unit_by_code(session, code) is not None
        if not known:
            result.left += [{"name": i.key, "why": f"no unit with code '{code}'"} for i in items]
            continue
        unit_id, batch_id = open_batch(code, None, len(items))
        batch = IntakeResult(batch_id=batch_id)
        for position, item in enumerate(items):
            try:
                outcome, doc_id = take_from_inbox(item.key, item.size, unit_id, batch_id)
            except OSError as exc:
                if store_full(exc):  # the rest stays in the inbox for the next night
                    batch.store_full = full_store_text(exc, "hand in the files not taken again")
                    batch.not_taken = [rest.key for rest in items[position:]]
                    break
                batch.unreadable.append({"name": item.key, "error": f"{type(exc).__name__}: {exc}"})
                continue
            if outcome == "new":
                batch.new.append(doc_id)
            else:
                batch.duplicates.append({"name": item.key, "document_id": doc_id})
        close_batch(batch)
        result.taken += len(batch.new)
        result.duplicates += len(batch.duplicates)
        result.unreadable += batch.unreadable
        if batch.store_full:
            full = batch.store_full
            result.left += [{"name": key, "why": full} for key in batch.not_taken]
    for item in result.left:
        logger.warning("inbox file %s left in place: %s", item["name"], item["why"])
    return result


@task(name="snapshot-progress", cache_policy=NO_CACHE)
def snapshot_progress(as_of: date | None = None) -> ProgressReport:
    """Today's figures kept as the day's snapshot (replacing an earlier one of the same day)."""
    rt = runtime()
    with session_scope(rt.engine) as session:
        report = progress_report(session, rt.settings, as_of)
        save_snapshots(session, report.as_of, snapshot_rows(session, report))
    with session_scope(rt.engine) as session:  # the report's history includes today
        return progress_report(session, rt.settings, as_of)


@task(name="store-report", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5,
      retry_condition_fn=retry_if_transient)
def store_report(report: ProgressReport) -> dict[str, str]:
    """The report files in the reports folder, and a copy in the object store."""
    rt = runtime()
    written = write_report(report, rt.settings.reports_path)
    for fmt, path in written.items():
        rt.store.put_bytes(f"reports/{report.as_of.isoformat()}/{path.name}", encode_report(report, fmt))
    return {fmt: str(path) for fmt, path in written.items()}


def publish_summary(report: ProgressReport) -> None:
    """The summary where leadership looks: the Prefect UI's artifacts of the run."""
    create_markdown_artifact(key="tien-do-so-hoa", markdown=summary_markdown(report),
                             description="Tiến độ số hóa hồ sơ (progress summary)")
    create_table_artifact(key="tien-do-theo-don-vi", table=summary_table(report),
                          description="Tiến độ theo đơn vị (progress by unit)")


@flow(name="nightly")
def nightly(as_of: date | None = None) -> dict:
    """Take in the inbox, read what waits, extract the fields, snapshot progress, store and
    publish the report; read back a sample of the objects and anchor the audit chain."""
    logger = get_run_logger()
    taken = take_in_inbox()
    outcomes = process()
    extracted = extract()
    report = snapshot_progress(as_of)
    files = store_report(report)
    publish_summary(report)
    objects = check_objects(runtime().settings.fixity_sample, actor="nightly")
    chain = check_audit(actor="nightly")
    create_markdown_artifact(key="kiem-tra-toan-ven", markdown=integrity_markdown(objects, chain),
                             description="Kiểm tra toàn vẹn (integrity: objects and audit trail)")
    province = report.province
    logger.info("province: %s of %s dossiers electronic (%s)", province.electronic_counted,
                province.inventoried, province.state.value)
    return {
        "inbox": asdict(taken), "processed": outcomes, "extracted": extracted, "report": files,
        "as_of": report.as_of.isoformat(), "province": province.as_dict(),
        "at_risk": [u.code for u in report.at_risk()],
        "fixity": objects.as_dict(limit=100),
        "audit": {"events": chain.events, "anchors": chain.anchors, "ok": chain.ok,
                  "problems": [f"{p.event_id}: {p.problem}" for p in chain.problems]},
    }
