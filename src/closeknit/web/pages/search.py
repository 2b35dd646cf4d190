"""Pages and API routes for who can do X: capability search and warm paths."""

from fastapi import APIRouter

router = APIRouter()
