"""A learner's own data (API.md 6.4): upload a CSV or points, read a dataset back (JSON or
CSV), add and remove a session's points; a config names the data as "custom:<id>"."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ...engine.datasets import EXTENT
from ...engine.own_data import MAX_ROWS
from ...service import own_data
from ...service.errors import Refused, echoed_errors, validation_refused
from ..deps import ERRORS, Pool, Store, Work, admit_upload, answer, snapshot_of
from ..schemas import Snapshot

router = APIRouter(prefix="/api", responses=ERRORS)

Coordinate = Annotated[float, Field(ge=-EXTENT, le=EXTENT, allow_inf_nan=False)]
Label = Annotated[float, Field(allow_inf_nan=False)]
Point = tuple[Coordinate, Coordinate, Label]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointsUpload(Strict):
    """Points as JSON; their kind read from the labels as a CSV's is, unless given."""

    points: list[Point] = Field(max_length=MAX_ROWS, description="[[x1, x2, label], ...]")
    kind: Literal["binary", "multiclass", "regression"] | None = None
    classes: int | None = Field(None, ge=3, le=6, description="a multiclass set's classes")


class DatasetMade(BaseModel):
    id: str
    dataset: str = Field(description="what a config names it by: custom:<id>")
    kind: Literal["binary", "multiclass", "regression"]
    classes: int | None
    count: int


class DatasetPoints(DatasetMade):
    points: list[list[float]]


class PointsEdit(Strict):
    add: list[Point] = Field([], max_length=MAX_ROWS)
    remove: list[Annotated[int, Field(ge=0)]] = Field(
        [], max_length=MAX_ROWS, description="rows the session shows (train rows, then test "
                                             "rows, as GET /sessions/{id}/data lists them)")


UPLOAD = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example": "x1,x2,label\n1.5,-2,1\n-3,0.25,0\n"},
    "application/json": {"schema": PointsUpload.model_json_schema()}}}}


@router.post("/datasets", response_model=DatasetMade, status_code=status.HTTP_201_CREATED,
             openapi_extra=UPLOAD)
async def upload(request: Request, store: Store, pool: Pool) -> Response:
    """Keep own data: a CSV (`x1,x2,label`, header optional, 2..5,000 rows, points in
    [-6, 6]^2; a refusal names the row and the rule) or `{"points": [[x1, x2, label]...]}`.
    The same points always get the same id. At most 30 uploads a minute from one address
    (429 too_many_uploads)."""
    admit_upload(request)
    body = await request.body()
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "text/csv":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("the CSV is not UTF-8 text", "data_not_text") from None
        make = lambda: own_data.from_csv(text)  # noqa: E731
    else:
        upload = _points_upload(body)
        make = lambda: own_data.from_points(upload.points, upload.kind, upload.classes)  # noqa: E731
    dataset = await pool.run(lambda: own_data.save(store, make()), "light")
    return answer(DatasetMade, dataset.listing(), status.HTTP_201_CREATED)


def _points_upload(body: bytes) -> PointsUpload:
    try:
        return PointsUpload.model_validate_json(body or b"null")
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise validation_refused(errors, PointsUpload, echoed_errors(errors)) from None


@router.get("/datasets/{dataset_id}", response_model=DatasetPoints,
            responses={200: {"content": {"text/csv": {}}}})
async def read_dataset(dataset_id: str, request: Request, store: Store, pool: Pool,
                       format: Annotated[Literal["json", "csv"] | None, Query(
                           description="csv: a file to download (as Accept: text/csv)")] = None,
                       ) -> Response:
    """The dataset's points (404 unknown_dataset); `Accept: text/csv` or `?format=csv`
    gives the CSV it can be uploaded again from."""
    dataset = await pool.run(lambda: own_data.find(store, dataset_id), "light")
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return csv_answer(dataset.csv(), f"data-{dataset.id}.csv")
    return answer(DatasetPoints, dataset.listing() | {"points": dataset.points()})


@router.post("/sessions/{session_id}/points", response_model=Snapshot)
async def edit_points(body: PointsEdit, work: Work, store: Store) -> Response:
    """Add points and remove shown ones: the session's data becomes own data of the same
    kind (labels: class indices, or reals for regression), its network keeps its weights;
    the snapshot's config names the new data."""
    def edit(session) -> Response:
        own_data.edit_points(store, session, [list(p) for p in body.add], body.remove)
        return snapshot_of(session)
    return await work(edit)


def csv_answer(text: str, filename: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

