"""Pages and API routes for uploads: any supported file imported with progress, its summary, the quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from closeknit.answers import me as me_answers
from closeknit.errors import NotFoundError
from closeknit.web import import_jobs
from closeknit.web.app import Problem, database, problem, render
from closeknit.web.import_jobs import Job

router = APIRouter()

Files = Annotated[list[UploadFile], File(description="One or more files: a LinkedIn export zip or its CSV files, "
                                                     "vCard, contacts CSV, mbox / .eml / .mbox.xz, .ics.")]
Me = Annotated[str, Form(max_length=2000, description="Your own email addresses (optional; commas between).")]
JobId = Annotated[str, Path(min_length=1, max_length=64, description="The import's id.")]


class Quarantined(BaseModel):
    """A record the import could not read, kept with (the start of) its raw text."""

    id: int
    source: str
    file: str
    record: int
    reason: str
    raw: str
    raw_chars: int
    created_at: str


class ImportJobOut(BaseModel):
    """An import started by an upload: its progress while it runs, then what it did."""

    id: str
    state: str
    files: list[str]
    done: int
    total: int
    percent: int
    progress: str
    summary: str
    result: dict[str, Any] | None
    errors: list[str]
    quarantine: list[Quarantined]
    problem: str
    scored_as_of: str
    page: str


def job_out(job: Job) -> ImportJobOut:
    return ImportJobOut(
        id=job.id, state=job.state, files=job.files, done=job.done, total=job.total, percent=job.percent,
        progress=job.progress, summary=job.summary, result=job.result, errors=job.errors,
        quarantine=[Quarantined(**q) for q in job.quarantine], problem=job.problem,
        scored_as_of=job.scored_as_of, page=f"/import/{job.id}",
    )


def _start(request: Request, files: list[UploadFile], me: str) -> Job:
    """Save the upload and start its import (InputError: 400; TooLarge: 413)."""
    if int(request.headers.get("content-length") or 0) > import_jobs.MAX_UPLOAD_BYTES + (1 << 20):
        raise import_jobs.too_large()
    addresses = import_jobs.parse_me(me)
    folder = import_jobs.save(request.app.state.home, ((f.filename, f.file) for f in files))
    return import_jobs.jobs(request.app.state).start(folder.resolve(), addresses)


def _job(request: Request, job_id: str) -> Job:
    job = import_jobs.jobs(request.app.state).get(job_id)
    if job is None:
        raise NotFoundError(f"no import {job_id!r} (the app remembers its last {import_jobs.KEEP_JOBS} imports)")
    return job


@router.post("/api/imports", status_code=202, response_model=ImportJobOut, summary="Upload files and import them",
             responses={400: {"model": Problem,
                              "description": "A file is not a format Closeknit reads, or its name is not usable."},
                        413: {"model": Problem, "description": "The upload is too large."}})
def start_import(request: Request, response: Response, files: Files, me: Me = "") -> ImportJobOut:
    """Saves the files in the app's folder and imports them in the background; poll the answer's
    `/api/imports/{id}` until `state` is `done` (or `failed`)."""
    try:
        job = _start(request, files, me)
    except import_jobs.TooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    response.headers["location"] = f"/api/imports/{job.id}"
    return job_out(job)


@router.get("/api/imports/{job_id}", response_model=ImportJobOut, summary="An import's progress and summary",
            responses={404: {"model": Problem, "description": "No such import."}})
def import_status(request: Request, job_id: JobId) -> ImportJobOut:
    """Bytes read of the total while the import runs; then the summary, the records skipped and the quarantine."""
    return job_out(_job(request, job_id))


@router.get("/import", include_in_schema=False)
def import_page(request: Request) -> Response:
    return render(request, "import.html", {
        "title": "Import", "nav": "/import", "formats": import_jobs.FORMATS, "jobs": import_jobs.jobs(
            request.app.state).recent(), "limit_mb": import_jobs.MAX_UPLOAD_BYTES // (1024 * 1024)})


@router.post("/import", include_in_schema=False)
def import_form(request: Request, files: Files, me: Me = "") -> Response:
    try:
        job = _start(request, files, me)
    except import_jobs.TooLarge as exc:
        return problem(request, 413, str(exc))
    return RedirectResponse(f"/import/{job.id}", status_code=303)


@router.get("/import/{job_id}", include_in_schema=False)
def import_job_page(request: Request, job_id: JobId) -> Response:
    job = _job(request, job_id)
    maybe_me = 0
    if job.state == "done" and job.result and job.result.get("interactions"):
        with database(request) as db:
            listed = me_answers.listing(db)
        maybe_me = len(listed["other_senders"]) + len(listed["look_alike"])
    return render(request, "import_job.html", {"title": "Import", "nav": "/import", "job": job, "maybe_me": maybe_me})
