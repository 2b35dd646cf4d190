"""Pages and API routes for the people list: search, filters, sort, pages."""

from fastapi import APIRouter

router = APIRouter()
