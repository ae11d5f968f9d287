"""The records of a partnership: indicators (baseline, target) and their measurements over
time, notes, and documents (PDF, size-limited, always served as a download)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from libpolis.errors import DataError, LibpolisError
from libpolis.store.tables import Indicator, User
from libpolis.web import crud
from libpolis.web.deps import Db, MaybeUser, PathId, WebConfig, Writer
from libpolis.web.routes._common import form_model, redirect
from libpolis.web.schemas import (
    DocumentPublic,
    IndicatorCreate,
    IndicatorPublic,
    IndicatorUpdate,
    MeasurementCreate,
    MeasurementPublic,
    NoteCreate,
    NotePublic,
)

__all__ = ["indicator_public", "pages", "router"]

router = APIRouter(prefix="/api", tags=["partnerships"])
pages = APIRouter(include_in_schema=False)


class PayloadTooLargeError(LibpolisError):
    """An upload is larger than the configured limit."""

    status = 413


def indicator_public(db: Session, rows: list[Indicator]) -> list[IndicatorPublic]:
    """Indicators with their measurements (one query for all)."""
    found = crud.measurements_of(db, indicator_ids=[r.id for r in rows])
    out = []
    for r in rows:
        item = IndicatorPublic.model_validate(r)
        item.measurements = [MeasurementPublic.model_validate(m) for m in found[r.id]]
        out.append(item)
    return out


async def _read_upload(request: Request, file: UploadFile) -> bytes:
    cfg: WebConfig = request.app.state.config
    data = await file.read(cfg.max_upload_bytes + 1)
    if len(data) > cfg.max_upload_bytes:
        raise PayloadTooLargeError(
            f"{file.filename} is larger than the limit of {cfg.max_upload_bytes:,} bytes"
        )
    return data


async def _store_upload(
    request: Request, db: Session, partnership_id: int, file: UploadFile, title: str, user: User
) -> Any:
    data = await _read_upload(request, file)
    cfg: WebConfig = request.app.state.config
    return crud.add_document(
        db,
        partnership_id=partnership_id,
        title=title,
        filename=file.filename or "document",
        content_type=file.content_type or "",
        data=data,
        user=user,
        storage=cfg.documents_dir,
    )


# -- API ------------------------------------------------------------------------------------


@router.post(
    "/partnerships/{partnership_id}/indicators", response_model=IndicatorPublic, status_code=201
)
def api_add_indicator(
    partnership_id: PathId, data: IndicatorCreate, db: Db, user: Writer
) -> IndicatorPublic:
    """Add an indicator; a measured value given here is its first measurement."""
    row = crud.add_indicator(db, partnership_id=partnership_id, data=data, user=user)
    return indicator_public(db, [row])[0]


@router.patch("/indicators/{indicator_id}", response_model=IndicatorPublic)
def api_update_indicator(
    indicator_id: PathId, data: IndicatorUpdate, db: Db, user: Writer
) -> IndicatorPublic:
    """Edit an indicator; a new ``measured`` value is recorded as a measurement (dated
    ``measured_on``, else today)."""
    row = crud.update_indicator(db, indicator_id=indicator_id, data=data, user=user)
    return indicator_public(db, [row])[0]


@router.post(
    "/indicators/{indicator_id}/measurements", response_model=MeasurementPublic, status_code=201
)
def api_add_measurement(
    indicator_id: PathId, data: MeasurementCreate, db: Db, user: Writer
) -> MeasurementPublic:
    """Record a measured value of an indicator (value, date, source)."""
    row = crud.add_measurement(db, indicator_id=indicator_id, data=data, user=user)
    return MeasurementPublic.model_validate(row)


@router.post("/partnerships/{partnership_id}/notes", response_model=NotePublic, status_code=201)
def api_add_note(partnership_id: PathId, data: NoteCreate, db: Db, user: Writer) -> NotePublic:
    row = crud.add_note(db, partnership_id=partnership_id, body=data.body, user=user)
    return NotePublic.model_validate(row)


@router.post(
    "/partnerships/{partnership_id}/documents",
    response_model=DocumentPublic,
    status_code=201,
    responses={413: {"description": "Too large"}, 415: {"description": "Not a PDF"}},
)
async def api_add_document(
    request: Request,
    partnership_id: PathId,
    db: Db,
    user: Writer,
    file: Annotated[UploadFile, File(description="A PDF (size-limited)")],
    title: Annotated[str, Form(max_length=300)] = "",
) -> DocumentPublic:
    """Upload a PDF; its metadata is recorded and the file kept under the workspace."""
    row = await _store_upload(request, db, partnership_id, file, title, user)
    return DocumentPublic.model_validate(row)


def _download(request: Request, db: Session, document_id: PathId, user: User | None) -> Response:
    row = crud.get_document(db, document_id=document_id, user=user)
    cfg: WebConfig = request.app.state.config
    path = (cfg.documents_dir / row.stored_as).resolve()
    if cfg.documents_dir.resolve() not in path.parents or not path.is_file():
        raise DataError(f"the file of document {document_id} is missing from the store")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=row.filename,
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/documents/{document_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def api_document(request: Request, document_id: PathId, db: Db, user: MaybeUser) -> Response:
    """Download a document (as an attachment)."""
    return _download(request, db, document_id, user)


# -- pages ----------------------------------------------------------------------------------


_INDICATOR_FIELDS = ("name", "unit", "baseline", "target", "measured", "measured_on")


@pages.post("/partnerships/{partnership_id}/indicators")
async def indicator_submit(
    request: Request, partnership_id: PathId, db: Db, user: Writer
) -> Response:
    form = await request.form()
    data = form_model(
        IndicatorCreate, {k: form.get(k) for k in _INDICATOR_FIELDS if k in form}
    )
    crud.add_indicator(db, partnership_id=partnership_id, data=data, user=user)
    return redirect(f"/partnerships/{partnership_id}#indicators")


@pages.post("/indicators/{indicator_id}")
async def indicator_update_submit(
    request: Request, indicator_id: PathId, db: Db, user: Writer
) -> Response:
    form = await request.form()
    data = form_model(
        IndicatorUpdate,
        {k: form.get(k) for k in ("measured", "measured_on") if k in form},
        partial=True,
    )
    row = crud.update_indicator(db, indicator_id=indicator_id, data=data, user=user)
    return redirect(f"/partnerships/{row.partnership_id}#indicator-{row.id}")


@pages.post("/indicators/{indicator_id}/measurements")
async def measurement_submit(
    request: Request, indicator_id: PathId, db: Db, user: Writer
) -> Response:
    form = await request.form()
    data = form_model(
        MeasurementCreate,
        {k: form.get(k) for k in ("value", "measured_on", "source") if k in form},
    )
    crud.add_measurement(db, indicator_id=indicator_id, data=data, user=user)
    row = db.get(Indicator, indicator_id)
    assert row is not None  # add_measurement found it
    return redirect(f"/partnerships/{row.partnership_id}#indicator-{indicator_id}")


@pages.post("/partnerships/{partnership_id}/notes")
def note_submit(
    partnership_id: PathId,
    db: Db,
    user: Writer,
    body: Annotated[str, Form(min_length=1, max_length=20_000)],
) -> Response:
    crud.add_note(db, partnership_id=partnership_id, body=body, user=user)
    return redirect(f"/partnerships/{partnership_id}#notes")


@pages.post("/partnerships/{partnership_id}/documents")
async def document_submit(
    request: Request,
    partnership_id: PathId,
    db: Db,
    user: Writer,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    await _store_upload(request, db, partnership_id, file, title, user)
    return redirect(f"/partnerships/{partnership_id}#documents")


@pages.get("/documents/{document_id}")
def document_page(request: Request, document_id: PathId, db: Db, user: MaybeUser) -> Response:
    return _download(request, db, document_id, user)
