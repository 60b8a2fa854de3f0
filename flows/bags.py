"""A dossier as a BagIt bag, out and back in.

Export writes one bag per dossier:

    ho-so-<code>/
      bagit.txt, bag-info.txt            Source-Organization (the unit's name), External-Identifier
                                         (the dossier's code), Bag-Group-Identifier (the unit's
                                         code), Bagging-Date, Hoso-Version, Hoso-Security-Class
      manifest-sha256.txt, manifest-sha512.txt, tagmanifest-*.txt
      data/originals/<document id>-<source name>   the files as handed in (checked against their sha256)
      data/searchable/<document id>.pdf            the searchable PDF, where the document has one
      data/record.json                             the dossier's record (flows.records.dossier_record)
      data/metadata.xml                            Thông tư 02/2019 metadata (flows.metadata_xml)

The bag is made in a hidden staging folder beside its final place and renamed into place in one
step, so a crash leaves a `.ho-so-….partial-…` folder, never a half bag under the real name.

Import checks the whole bag first (completeness, every checksum of both manifests and the tag
manifests) and writes nothing when anything is wrong; then its originals go through the normal
intake (once by content) into the dossier named by External-Identifier, at the unit named by
Bag-Group-Identifier or the one given, with the dossier's security class restored before any
file joins it. The process and extract flows then read them as any upload; the bag's record.json
is kept as `imports/<dossier id>/record-<sha256>.json` to compare with what they read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import bagit
from sqlmodel import Session, col, select

from flows.intake import keep_original
from flows.metadata_xml import DocumentMeta, DossierMeta, FileMeta, metadata_xml, mime_of
from flows.records import dossier_record, export_name, find_dossier
from flows.runtime import Runtime, runtime
from schemas.models import Batch, Cadre, Document, Dossier, Unit, utcnow
from schemas.status import AuditAction, SecurityClass
from storage import audit
from storage.access import Scope
from storage.db import session_scope
from storage.fields import corrections_of, values_of_dossier
from storage.objects import sha256_hex
from storage.queries import document_by_sha, get_or_create_dossier, get_or_create_unit, unit_by_code

# bagit logs every file it moves and every problem it finds; hoso says what matters itself.
logging.getLogger("bagit").setLevel(logging.ERROR)

CHECKSUMS = ("sha256", "sha512")
SECURITY_TAG = "Hoso-Security-Class"
VERSION_TAG = "Hoso-Version"
_ORIGINAL = re.compile(r"^(\d+)-(.+)$")


def hoso_version() -> str:
    try:
        return metadata.version("hoso")
    except metadata.PackageNotFoundError:
        return "unknown"


def safe_name(name: str) -> str:
    """A file name that is one path component, NFC (as bagit compares names), of sane length."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join("_" if unicodedata.category(c).startswith("C") else c for c in base).strip(" .")
    return (base or "file")[:150]


def bag_name(code: str | None, dossier_id: int) -> str:
    return export_name({"dossier": {"code": code, "id": dossier_id}}).removesuffix(".json")


# -- what an actor may export --------------------------------------------------------------------


class NotFound(LookupError):
    """No dossier or unit by that name that the actor reaches (which of the two is not said)."""


def dossiers_to_export(session: Session, scope: Scope, unit_code: str | None,
                       dossier_ref: str | None) -> list[Dossier]:
    """The one dossier named, or the unit's dossiers, that the scope reaches. A restricted dossier
    is silently left out of a unit's list for whoever may not see it, and named alone it is as
    unknown as a dossier that does not exist."""
    if dossier_ref:
        found = find_dossier(session, dossier_ref, unit_code, scope=scope)
        if found is None or not scope.reaches_dossier(found):
            raise NotFound(dossier_ref)
        return [found]
    unit = unit_by_code(session, unit_code or "")
    if unit is None or not scope.reaches_unit(unit.id):
        raise NotFound(unit_code)
    rows = session.exec(select(Dossier).where(Dossier.unit_id == unit.id).order_by(col(Dossier.id)))
    return [d for d in rows if scope.reaches_dossier(d)]


# -- export ---------------------------------------------------------------------------------------


@dataclass
class ExportedBag:
    dossier_id: int
    code: str | None
    path: Path
    record: dict
    originals: int
    searchable: int


@dataclass
class _Snapshot:
    """What a bag holds, read in one transaction."""

    dossier: Dossier
    unit: Unit
    cadre: Cadre | None
    documents: list[Document]
    record: dict
    parts: dict[int, list[tuple[str, dict[str, str]]]]  # document id -> (type, scalar values) per part


def _snapshot(session: Session, dossier: Dossier) -> _Snapshot:
    unit = session.get(Unit, dossier.unit_id)
    assert unit is not None
    documents = list(session.exec(select(Document).where(Document.dossier_id == dossier.id)
                                  .order_by(col(Document.id))))
    values = values_of_dossier(session, dossier.id)  # type: ignore[arg-type]
    latest = corrections_of(session, [v.id for v in values])  # type: ignore[misc]
    by_part: dict[int, dict[int, tuple[str, dict[str, str]]]] = {}
    for value in values:  # ordered by part: a file's documents in reading order
        _, scalars = by_part.setdefault(value.document_id, {}).setdefault(
            value.part, (value.document_type, {}))
        current = latest[value.id].value if value.id in latest else value.value  # type: ignore[index]
        if value.row is None and current:
            scalars[value.key] = current
    cadre = session.get(Cadre, dossier.cadre_id) if dossier.cadre_id else None
    return _Snapshot(dossier, unit, cadre, documents, dossier_record(session, dossier),
                     {doc: list(parts.values()) for doc, parts in by_part.items()})


def export_bag(dossier_id: int, folder: Path, scope: Scope, rt: Runtime | None = None) -> ExportedBag:
    """Write the dossier's bag into `folder` (replacing an older bag of it) and record the export."""
    rt = rt or runtime()
    with session_scope(rt.engine) as session:
        dossier = session.get(Dossier, dossier_id)
        if dossier is None or not scope.reaches_dossier(dossier):
            raise NotFound(str(dossier_id))
        snap = _snapshot(session, dossier)
    folder.mkdir(parents=True, exist_ok=True)
    name = bag_name(snap.dossier.code, dossier_id)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.partial-", dir=folder))
    final = folder / name
    placed = False
    try:
        counts = _fill(rt, staging, snap)
        bagit.make_bag(str(staging), _bag_info(snap), checksums=list(CHECKSUMS))
        _fsync_tree(staging)
        with session_scope(rt.engine) as session:
            audit.record(session, scope.actor, AuditAction.export, "dossier", dossier_id,
                         snap.dossier.unit_id, code=snap.dossier.code or "", bag=name,
                         originals=counts[0], searchable=counts[1])
            session.flush()  # the event is written before the bag appears
            _replace(staging, final)
            placed = True
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if placed:  # the bag is in place but its export was not recorded: take it back
            shutil.rmtree(final, ignore_errors=True)
        raise
    return ExportedBag(dossier_id, snap.dossier.code, final, snap.record, *counts)


def _fill(rt: Runtime, staging: Path, snap: _Snapshot) -> tuple[int, int]:
    """The payload, written where make_bag will find it (it moves it all under data/)."""
    (staging / "originals").mkdir()
    documents = []
    searchable = 0
    for doc in snap.documents:
        original = f"originals/{doc.id}-{safe_name(doc.source_name)}"
        (staging / original).write_bytes(rt.store.get_bytes(doc.object_key, expect_sha256=doc.sha256))
        meta = DocumentMeta(
            id=doc.id, source_name=doc.source_name, pages=doc.page_count,  # type: ignore[arg-type]
            status=doc.status.value, parts=snap.parts.get(doc.id, []),  # type: ignore[arg-type]
            original=FileMeta(original, doc.sha256, doc.size, mime_of(doc.kind, doc.source_name)),
            note=doc.reject_reason or "")
        if doc.pdf_sha256 == doc.sha256:  # a PDF whose pages all have text is its own searchable copy
            meta.searchable = meta.original
        elif doc.pdf_key and doc.pdf_sha256:
            pdf = rt.store.get_bytes(doc.pdf_key, expect_sha256=doc.pdf_sha256)
            (staging / "searchable").mkdir(exist_ok=True)
            (staging / f"searchable/{doc.id}.pdf").write_bytes(pdf)
            meta.searchable = FileMeta(f"searchable/{doc.id}.pdf", doc.pdf_sha256, len(pdf),
                                       "application/pdf")
            searchable += 1
        documents.append(meta)
    (staging / "record.json").write_text(json.dumps(snap.record, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    (staging / "metadata.xml").write_bytes(metadata_xml(DossierMeta(
        code=snap.dossier.code or f"id-{snap.dossier.id}", title=_title(snap),
        unit_code=snap.unit.code, unit_name=snap.unit.name, security_class=snap.dossier.security_class,
        exported_at=datetime.now(UTC), software=f"hoso {hoso_version()}", documents=documents)))
    return len(snap.documents), searchable


def _title(snap: _Snapshot) -> str:
    if snap.dossier.title and snap.dossier.title != snap.dossier.code:
        return snap.dossier.title
    if snap.cadre is not None and snap.cadre.full_name:
        return f"Hồ sơ cán bộ, công chức, viên chức: {snap.cadre.full_name}"
    return f"Hồ sơ {snap.dossier.code or snap.dossier.id}"


def _bag_info(snap: _Snapshot) -> dict[str, str]:
    return {
        "Source-Organization": snap.unit.name,
        "External-Identifier": snap.dossier.code or f"id-{snap.dossier.id}",
        "External-Description": _title(snap),
        "Bag-Group-Identifier": snap.unit.code,
        "Bagging-Date": datetime.now(UTC).date().isoformat(),
        VERSION_TAG: hoso_version(),
        SECURITY_TAG: snap.dossier.security_class.value,
    }


def _fsync_tree(root: Path) -> None:
    """Everything on disk before the rename makes the bag visible."""
    for path in sorted(root.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace(staging: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(final, old)
    os.rename(staging, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# -- checking a bag -------------------------------------------------------------------------------


class BagRefused(Exception):
    """A bag that is not taken in, with every reason (nothing was written)."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: " + "; ".join(problems))
        self.path = path
        self.problems = problems


def _detail(problem: bagit.ManifestErrorDetail) -> str:
    if isinstance(problem, bagit.ChecksumMismatch):
        return (f"{problem.path}: nội dung không khớp tổng kiểm tra {problem.algorithm} "
                "(checksum mismatch: the file was changed or damaged)")
    if isinstance(problem, bagit.FileMissing):
        return f"{problem.path}: thiếu tệp (listed in the manifest, missing from the bag)"
    if isinstance(problem, bagit.UnexpectedFile):
        return f"{problem.path}: tệp lạ (in the bag, but not in its manifest)"
    return str(problem)


def _details(problems: list[bagit.ManifestErrorDetail]) -> list[str]:
    """One line per file: a changed file fails both manifests."""
    lines: dict[str, str] = {}
    algorithms: dict[str, list[str]] = {}
    for problem in problems:
        if isinstance(problem, bagit.ChecksumMismatch):
            algorithms.setdefault(str(problem.path), []).append(str(problem.algorithm))
        lines.setdefault(str(getattr(problem, "path", problem)), _detail(problem))
    for path, names in algorithms.items():
        lines[path] = (f"{path}: nội dung không khớp tổng kiểm tra {', '.join(sorted(names))} "
                       "(checksum mismatch: the file was changed or damaged)")
    return list(lines.values())


def _mismatched(bag: bagit.Bag) -> list[str]:
    """Files whose sha256 differs from the manifest (bagit's size count says only 'some')."""
    bad = []
    for rel, hashes in sorted(bag.entries.items()):
        expected = hashes.get("sha256")
        path = Path(bag.path) / bag.normalized_filesystem_names.get(rel, rel)
        if expected and path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != expected.lower():
                bad.append(_detail(bagit.ChecksumMismatch(rel, "sha256", expected, digest.hexdigest())))
    return bad


def _tag(bag: bagit.Bag, name: str) -> str:
    value = bag.info.get(name, "")
    return (value[0] if isinstance(value, list) else value).strip()


def check_bag(path: Path) -> bagit.Bag:
    """The bag, when it is complete, every file matches every manifest, and it is a hoso
    dossier bag; otherwise BagRefused listing every problem found."""
    if not path.is_dir():
        raise BagRefused(path, ["không phải thư mục túi BagIt (not a bag folder)"])
    try:
        bag = bagit.Bag(str(path))
    except (bagit.BagError, OSError, ValueError) as exc:
        raise BagRefused(path, [f"không phải túi BagIt hợp lệ (not a valid bag): {exc}"]) from exc
    try:
        missing, extra = bag.compare_manifests_with_fs()
        problems = [_detail(bagit.FileMissing(p)) for p in sorted(missing)] + \
                   [_detail(bagit.UnexpectedFile(p)) for p in sorted(extra)]
        if not problems:
            bag.validate(processes=1)  # Payload-Oxum, then every checksum of every manifest
    except bagit.BagValidationError as exc:
        problems = _details(exc.details) or [
            f"kích thước không khớp Payload-Oxum (payload size mismatch): {exc}", *_mismatched(bag)]
    except (bagit.BagError, OSError, ValueError) as exc:
        problems = [f"không kiểm tra được túi (cannot validate the bag): {exc}"]
    if problems:
        raise BagRefused(path, problems)
    shape = [f"thiếu {what} (missing {why})" for what, why, ok in (
        ("data/record.json", "the dossier's record", (path / "data/record.json").is_file()),
        ("data/originals/", "the originals", any((path / "data/originals").glob("*"))),
        ("External-Identifier", "the dossier's code in bag-info.txt", _tag(bag, "External-Identifier")),
        ("Bag-Group-Identifier", "the unit's code in bag-info.txt", _tag(bag, "Bag-Group-Identifier")),
    ) if not ok]
    security = _tag(bag, SECURITY_TAG) or SecurityClass.ordinary.value
    if security not in {s.value for s in SecurityClass}:
        shape.append(f"{SECURITY_TAG} '{security}' không hợp lệ (unknown security class)")
    if shape:
        raise BagRefused(path, shape)
    return bag


# -- import ---------------------------------------------------------------------------------------


@dataclass
class ImportedBag:
    path: Path
    unit_code: str
    dossier_code: str
    dossier_id: int | None = None
    new: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    already: bool = False  # every original was held already: nothing changed
    record_key: str | None = None


@dataclass
class _Original:
    path: Path
    name: str  # the source name it was handed in with
    sha256: str
    order: int


def _originals(bag: bagit.Bag, record: dict) -> list[_Original]:
    """The bag's originals in their first upload order (which extraction reads them in), with
    the names they were handed in with."""
    names = {d["id"]: d["source_name"] for d in record.get("documents", []) if "id" in d}
    found = []
    for rel, hashes in bag.entries.items():
        if not rel.startswith("data/originals/"):
            continue
        file_name = rel.removeprefix("data/originals/")
        match = _ORIGINAL.match(file_name)
        order = int(match.group(1)) if match else 1 << 62
        name = names.get(order) or (match.group(2) if match else file_name)
        path = Path(bag.path) / bag.normalized_filesystem_names.get(rel, rel)
        sha = hashes.get("sha256") or sha256_hex(path.read_bytes())  # a bag made with sha512 only
        found.append(_Original(path, name, sha.lower(), order))
    return sorted(found, key=lambda o: (o.order, o.name))


class ImportRefused(Exception):
    """The actor may not import this bag where it would go (nothing was written)."""


@dataclass
class ImportPlan:
    """A checked bag, where it goes, and whether it is held already."""

    bag: bagit.Bag
    dossier_code: str
    unit_code: str
    unit_name: str | None
    security: SecurityClass
    originals: list[_Original]
    record_bytes: bytes
    already: ImportedBag | None = None  # set when every original is held: nothing to do


def plan_import(bag: bagit.Bag, scope: Scope, unit_code: str | None = None,
                rt: Runtime | None = None) -> ImportPlan:
    """Where a checked bag (see check_bag) would go; ImportRefused when the actor may not put
    it there. Writes nothing."""
    rt = rt or runtime()
    path = Path(bag.path)
    bag_unit = _tag(bag, "Bag-Group-Identifier")
    record_bytes = (path / "data/record.json").read_bytes()
    try:
        record = json.loads(record_bytes)
    except ValueError as exc:
        raise BagRefused(path, [f"data/record.json không đọc được (not JSON): {exc}"]) from exc
    plan = ImportPlan(bag, _tag(bag, "External-Identifier"), unit_code or bag_unit,
                      _tag(bag, "Source-Organization") or None,
                      SecurityClass(_tag(bag, SECURITY_TAG) or SecurityClass.ordinary.value),
                      _originals(bag, record), record_bytes)
    with session_scope(rt.engine) as session:
        unit = unit_by_code(session, plan.unit_code)
        if unit is None and (plan.unit_code != bag_unit or scope.unit_ids is not None):
            raise ImportRefused(f"không có đơn vị '{plan.unit_code}' (unknown unit, or not yours): "
                                "check the code with `hoso units list`")
        if unit is not None and not scope.reaches_unit(unit.id):
            raise ImportRefused(f"đơn vị '{plan.unit_code}' ngoài phạm vi của bạn (the unit is "
                                "outside what you may reach)")
        if plan.security == SecurityClass.restricted and not scope.sees_restricted:
            raise ImportRefused("hồ sơ mật (restricted dossier): only a security user "
                                "(role security, --as) may import it")
        dossier = session.exec(select(Dossier).where(Dossier.unit_id == unit.id,
                                                     Dossier.code == plan.dossier_code)).first() \
            if unit is not None else None
        if dossier is not None and not scope.reaches_dossier(dossier):
            raise ImportRefused(f"không được nhập vào hồ sơ '{plan.dossier_code}' (you may not add "
                                "to this dossier)")
        held = [document_by_sha(session, o.sha256) for o in plan.originals]
        if all(held):
            plan.already = ImportedBag(path, plan.unit_code, plan.dossier_code,
                                       dossier.id if dossier else None, already=True,
                                       duplicates=[d.id for d in held])  # type: ignore[misc, union-attr]
    return plan


def import_bag(plan: ImportPlan, scope: Scope, on_file: Callable[[int, int], None] | None = None,
               rt: Runtime | None = None) -> ImportedBag:
    """Take a planned bag in: its originals through intake into its dossier, the import audited."""
    if plan.already is not None:
        return plan.already
    rt = rt or runtime()
    path = Path(plan.bag.path)
    result = ImportedBag(path, plan.unit_code, plan.dossier_code)
    # The dossier and its class first, so no file of a restricted dossier is ever ordinary.
    with session_scope(rt.engine) as session:
        unit = get_or_create_unit(session, plan.unit_code, plan.unit_name)
        dossier = get_or_create_dossier(session, unit.id, plan.dossier_code)  # type: ignore[arg-type]
        if plan.security == SecurityClass.restricted and dossier.security_class != plan.security:
            dossier.security_class = plan.security  # never lowered: a restricted dossier stays so
            session.add(dossier)
        batch = Batch(unit_id=unit.id, files=len(plan.originals))
        session.add(batch)
        session.flush()
        unit_id, batch_id, result.dossier_id = unit.id, batch.id, dossier.id
    duplicate_files = []
    total = len(plan.originals)
    for done, original in enumerate(plan.originals):
        if on_file:
            on_file(done, total)
        data = original.path.read_bytes()
        if sha256_hex(data) != original.sha256:  # changed since it was checked
            raise BagRefused(path, [_detail(bagit.ChecksumMismatch(
                str(original.path.relative_to(path)), "sha256", original.sha256, sha256_hex(data)))])
        outcome, doc_id = keep_original(data, original.name, unit_id, batch_id,  # type: ignore[arg-type]
                                        plan.dossier_code, actor=scope.actor)
        if outcome == "new":
            result.new.append(doc_id)
        else:
            result.duplicates.append(doc_id)
            duplicate_files.append({"name": original.name, "sha256": original.sha256,
                                    "document_id": doc_id})
    if on_file:
        on_file(total, total)
    result.record_key = rt.store.put_bytes(
        f"imports/{result.dossier_id}/record-{sha256_hex(plan.record_bytes)}.json",
        plan.record_bytes, "application/json").key
    with session_scope(rt.engine) as session:
        batch_row = session.get(Batch, batch_id)
        assert batch_row is not None
        batch_row.new_documents, batch_row.duplicates = len(result.new), len(result.duplicates)
        batch_row.duplicate_files = duplicate_files
        batch_row.finished_at = utcnow()
        session.add(batch_row)
        audit.record(session, scope.actor, AuditAction.import_bag, "dossier", result.dossier_id,
                     unit_id, code=plan.dossier_code, bag=path.name, security_class=plan.security.value,
                     bagging_date=_tag(plan.bag, "Bagging-Date"), source=plan.unit_name or "",
                     originals=total, new=len(result.new), duplicates=len(result.duplicates),
                     record_key=result.record_key)
    return result


def bags_in(paths: list[Path]) -> list[Path]:
    """The bags named, and those directly inside a folder that is not a bag itself (a unit's
    export folder)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not (path / "bagit.txt").exists():
            inner = sorted(p for p in path.iterdir() if p.is_dir() and (p / "bagit.txt").exists()
                           and not p.name.startswith("."))
            found.extend(inner or [path])
        else:
            found.append(path)
    return found
