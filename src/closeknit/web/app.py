"""The FastAPI application: access control, CSRF, security headers, templates and the pages' routers."""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from closeknit import __version__
from closeknit.errors import CloseknitError, NotFoundError
from closeknit.store import Store
from closeknit.web.auth import COOKIE, CSRF_FIELD, CSRF_HEADER, Keys, load_or_create_token, web_home

HERE = FilePath(__file__).parent
T = TypeVar("T")
log = logging.getLogger(__name__)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC = ("/login", "/static/")

# No inline script or style anywhere: the pages load /static files only, charts are images or SVG built
# from attributes. Framing, referrers and content sniffing are off.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}


WEB_CACHE_KB = 8192


class StorePool:
    """Open databases handed to one request at a time (opening one costs a few milliseconds)."""

    def __init__(self, path: FilePath, keep: int = 8) -> None:
        self.path = path
        self._idle: queue.LifoQueue[Store] = queue.LifoQueue(maxsize=keep)

    @contextmanager
    def store(self) -> Iterator[Store]:
        try:
            db = self._idle.get_nowait()
        except queue.Empty:
            db = Store(self.path)
            # Pages read a few rows each: a smaller page cache than an import's keeps many concurrent requests'
            # connections from adding up (the operating system caches the file for all of them).
            db.dbapi().execute(f"PRAGMA cache_size = -{WEB_CACHE_KB}")
        try:
            yield db
        except BaseException:
            db.close()  # a failed request may leave its connection in any state
            raise
        try:
            self._idle.put_nowait(db)
        except queue.Full:
            db.close()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


SQLITE_MAX_INT = 2**63 - 1  # a larger id cannot be a row: refused as invalid input, not failed on


RowId = Annotated[int, Field(ge=1, le=SQLITE_MAX_INT)]  # the same, in a request body


def row_id(description: str) -> Any:
    """A path parameter naming a row (a person, an intro, a review item): a positive SQLite integer."""
    return Path(ge=1, le=SQLITE_MAX_INT, description=description)


def data_key(path: FilePath) -> tuple[int, ...]:
    """A value that changes with every commit to the database, by this app or any other process: the modification
    time and size of the file and of its write-ahead log."""
    stamp: list[int] = []
    for file in (path, path.with_name(path.name + "-wal")):
        try:
            st = file.stat()
            stamp += [st.st_mtime_ns, st.st_size]
        except FileNotFoundError:
            stamp += [0, 0]
    return tuple(stamp)


class Memo:
    """Answers kept until the database changes (the ordered ids of a list of people, paged through), the least
    recently used dropped first."""

    def __init__(self, path: FilePath, keep: int = 32) -> None:
        self.path, self.keep = path, keep
        self._kept: OrderedDict[Hashable, tuple[tuple[int, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        stamp = data_key(self.path)  # taken first: a commit made while computing makes the next call compute again
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] == stamp:
                self._kept.move_to_end(key)
                return cast(T, hit[1])
        value = compute()
        with self._lock:
            self._kept[key] = (stamp, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
        return value


def memo(request: Request) -> Memo:
    return cast(Memo, request.app.state.memo)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def csrf_protect(request: Request) -> None:
    """A state-changing request made with the session cookie carries the CSRF token (form field or header)
    and, when the browser says where it comes from, comes from this app. A bearer token is not sent by
    browsers on their own, so API calls made with it need neither."""
    if request.method not in UNSAFE or getattr(request.state, "auth", None) != "cookie":
        return
    keys: Keys = request.app.state.keys
    origin = request.headers.get("origin")
    # "null": the browser hides the origin (our Referrer-Policy: no-referrer makes Chromium send that on a
    # form post); the CSRF token below still decides.
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise CsrfRefused("cross-site request refused")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not keys.is_csrf(sent):
        raise CsrfRefused("missing or wrong CSRF token: reload the page and try again")


class Problem(BaseModel):
    """What went wrong, in one line."""

    detail: str


# Every API route may answer these, with a Problem as its body.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The request cannot be done (bad input, a refused step)."},
    401: {"model": Problem, "description": "No access token, or a wrong one."},
    403: {"model": Problem, "description": "A state-changing request without its CSRF token, or from another site."},
    404: {"model": Problem, "description": "No such person, introduction, item or import."},
}


class CsrfRefused(Exception):
    pass


def create_app(db_path: FilePath, token: str | None = None) -> FastAPI:
    """The web app on the database at `db_path`; the token defaults to the one kept beside it."""
    db_path = FilePath(db_path)
    home = web_home(db_path)
    keys = Keys(token or load_or_create_token(home))
    app = FastAPI(
        title="Closeknit", version=__version__,
        description="The JSON API of Closeknit: the same answers as the command line and the pages. "
                    "Send `Authorization: Bearer TOKEN` (the token `closeknit serve` prints).",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
        dependencies=[Depends(csrf_protect)], lifespan=_lifespan, responses=PROBLEMS,
    )
    app.state.keys = keys
    app.state.db_path = db_path
    app.state.home = home
    app.state.pool = StorePool(db_path)
    app.state.memo = Memo(db_path)
    templates = Jinja2Templates(
        directory=str(HERE / "templates"),
        context_processors=[lambda request: {"csrf_token": keys.csrf, "csrf_field": CSRF_FIELD}],
    )
    app.state.templates = templates

    app.add_middleware(Guard, keys=keys)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return problem(request, 403, str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return problem(request, 404, str(exc))

    @app.exception_handler(CloseknitError)
    async def user_error(request: Request, exc: CloseknitError) -> Response:
        return problem(request, 400, str(exc))

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from closeknit.web.pages import ROUTERS

    for router in ROUTERS:
        app.include_router(router)

    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from closeknit.web import import_jobs

    import_jobs.jobs(app.state)  # an import the last stop cut short starts again now
    yield
    app.state.pool.close()


class Guard:
    """Who may pass, and the security headers on every answer; plain ASGI, so a request costs no extra task."""

    def __init__(self, app: ASGIApp, keys: Keys) -> None:
        self.app, self.keys = app, keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        auth = None
        if not request.url.path.startswith(PUBLIC):
            bearer = request.headers.get("authorization", "")
            if bearer[:7].lower() == "bearer " and self.keys.is_token(bearer[7:].strip()):
                auth = "bearer"
            elif self.keys.is_session(request.cookies.get(COOKIE)):
                auth = "cookie"
            else:
                refused = (JSONResponse({"detail": "not authenticated: send Authorization: Bearer TOKEN"},
                                        status_code=401, headers={"www-authenticate": "Bearer"})
                           if is_api(request) else RedirectResponse("/login", status_code=303))
                await secure(refused)(scope, receive, send)
                return
        scope.setdefault("state", {})["auth"] = auth

        started = False

        async def send_secure(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_secure)
        except Exception as exc:
            # Its message and traceback may hold contact data: only its type is logged, and the answer says no more.
            log.error("internal error (%s) answering a %s request", type(exc).__name__, scope.get("method"))
            if started:
                return  # the answer was under way: the connection ends
            detail = f"internal error ({type(exc).__name__})"
            failed = (JSONResponse({"detail": detail}, status_code=500) if is_api(request)
                      else PlainTextResponse(f"{detail}: the page could not be shown", status_code=500))
            await secure(failed)(scope, receive, send)


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def problem(request: Request, status: int, detail: str) -> Response:
    """An error as JSON for the API and as a page for a browser."""
    if is_api(request):
        return JSONResponse({"detail": detail}, status_code=status)
    return render(request, "error.html", {"title": "Error", "status": status, "detail": detail}, status=status)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page from its template; every value in it is escaped by Jinja2's autoescape."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


@contextmanager
def database(request: Request) -> Iterator[Store]:
    """The database for this request (from the app's pool)."""
    pool: StorePool = request.app.state.pool
    with pool.store() as db:
        yield db
