"""Integrity checks: the objects read back and compared with the database (fixity), and the
audit chain walked and anchored. Plain functions, and the Prefect task and flow around them
(`hoso verify`; the nightly run checks a sample and anchors the chain)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.runtime import report, runtime
from schemas.status import AuditAction
from storage.audit import ChainCheck, check_chain, record, write_anchor
from storage.db import session_scope
from storage.fixity import FixityReport, check_fixity


def verify_objects(sample: int | None = None, seed: int | None = None,
                   actor: str = "system") -> FixityReport:
    """Every object (or a random sample) read back and compared; orphans listed. The outcome is
    an audit event (verify) with the counts. Progress goes to the runtime's listeners."""
    rt = runtime()
    with session_scope(rt.engine) as session:
        result = check_fixity(session, rt.store, sample, seed,
                              on_progress=lambda done, total: report("objects", 0, done, total))
    with session_scope(rt.engine) as session:
        record(session, actor, AuditAction.verify, "objects", "", None, store=rt.store.location(),
               sample=sample, seed=seed, ok=result.ok, **result.counts())
    return result


def verify_audit(actor: str = "system") -> ChainCheck:
    """Walk the audit chain and check the anchors kept in the store. The check itself is an
    event; when the chain is intact, that event becomes the new anchor (written after its
    transaction commits, so an anchor never names an event that is not there)."""
    rt = runtime()
    with session_scope(rt.engine) as session:
        check = check_chain(session, rt.store)
        event = record(session, actor, AuditAction.verify, "audit", "", None, ok=check.ok,
                       events=check.events, anchors=check.anchors, problems=len(check.problems))
    if check.ok:
        write_anchor(rt.store, event, rt.settings.today())
    return check


@task(name="check-fixity", cache_policy=NO_CACHE)
def check_objects(sample: int | None = None, seed: int | None = None,
                  actor: str = "system") -> FixityReport:
    """Read the objects back (all, or a random sample) and say what is wrong."""
    result = verify_objects(sample, seed, actor)
    logger = get_run_logger()
    for problem in result.problems[:50]:
        logger.warning("fixity: %s %s (documents %s) %s", problem.kind, problem.key,
                       problem.document_ids, problem.detail)
    logger.info("fixity: %s", result.counts())
    return result


@task(name="check-audit-chain", cache_policy=NO_CACHE)
def check_audit(actor: str = "system") -> ChainCheck:
    """Walk and anchor the audit chain; a break is logged as an error."""
    check = verify_audit(actor)
    if not check.ok:
        first = check.problems[0]
        get_run_logger().error("audit chain broken at event %s: %s", first.event_id, first.problem)
    return check


@flow(name="fixity")
def fixity(sample: int | None = None, seed: int | None = None, actor: str = "system") -> FixityReport:
    """Compare the object store with the database: missing, changed and orphan objects."""
    return check_objects(sample, seed, actor)


def summary_markdown(result: FixityReport, chain: ChainCheck | None = None) -> str:
    """The nightly artifact: what was checked and what is wrong, in Vietnamese."""
    counts = result.counts()
    read = ("mẫu ngẫu nhiên " if result.sample is not None else "tất cả ") + str(counts["checked"])
    lines = [
        "# Kiểm tra toàn vẹn (integrity checks)", "",
        f"Đã đọc lại {read} / {counts['referenced']} đối tượng được cơ sở dữ liệu tham chiếu; "
        f"{counts['stored']} đối tượng trong kho.", "",
        "| Loại | Số lượng |", "| --- | ---: |",
        f"| Thiếu (missing) | {counts['missing']} |",
        f"| Bị thay đổi (changed) | {counts['changed']} |",
        f"| Thừa, không được tham chiếu (orphan) | {counts['orphan']} |", "",
        "**Đối tượng: nguyên vẹn (intact).**" if result.ok else "**Đối tượng: CÓ LỖI (problems found).**",
    ]
    if chain is not None:
        lines += ["", f"Nhật ký kiểm toán (audit trail): {chain.events} sự kiện, {chain.anchors} mốc — "
                  + ("**nguyên vẹn (intact)**." if chain.ok else
                     f"**BỊ PHÁ VỠ (broken)** tại sự kiện {chain.problems[0].event_id}: "
                     f"{chain.problems[0].problem}.")]
    if result.problems:
        lines += ["", "| Loại | Khóa (key) | Văn bản |", "| --- | --- | --- |"]
        lines += [f"| {p.kind} | `{p.key}` | {', '.join(map(str, p.document_ids)) or '-'} |"
                  for p in result.problems[:100]]
    return "\n".join(lines)
