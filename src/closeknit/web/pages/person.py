"""Pages and API routes for one person: identifiers, sources, timeline, score, notes, tags, merge and split."""

from fastapi import APIRouter

router = APIRouter()
