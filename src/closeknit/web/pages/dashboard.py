"""Pages and API routes for the network reality report."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from closeknit.web.app import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def dashboard(request: Request) -> Response:
    return render(request, "dashboard.html", {"title": "Dashboard", "nav": "/"})
