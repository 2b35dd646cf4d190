"""Logging in with the access token (from the URL `closeknit serve` prints, or typed in) and out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from closeknit.web.app import render
from closeknit.web.auth import COOKIE, Keys

router = APIRouter(include_in_schema=False)


def _signed_in(request: Request, keys: Keys) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, keys.session, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.get("/login")
def login_page(request: Request, token: str | None = None) -> Response:
    keys: Keys = request.app.state.keys
    if token is not None and keys.is_token(token):
        return _signed_in(request, keys)  # the URL with the token is not kept: the redirect drops it
    wrong = token is not None
    return render(request, "login.html", {"title": "Log in", "wrong": wrong}, status=401 if wrong else 200)


@router.post("/login")
def login_form(request: Request, token: str = Form("")) -> Response:
    keys: Keys = request.app.state.keys
    if keys.is_token(token.strip()):
        return _signed_in(request, keys)
    return render(request, "login.html", {"title": "Log in", "wrong": True}, status=401)


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
