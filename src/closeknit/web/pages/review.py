"""Pages and API routes for the review queue: possible duplicates side by side, merged or kept apart."""

from fastapi import APIRouter

router = APIRouter()
