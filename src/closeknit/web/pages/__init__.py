"""The pages and their JSON twins, one module per part of the app; each holds a `router`."""

from fastapi import APIRouter

from closeknit.web.pages import care, dashboard, imports, intros, ledger, login, me, people, person, review, search

ROUTERS: list[APIRouter] = [
    m.router for m in (login, dashboard, people, person, review, imports, care, ledger, search, intros, me)
]
