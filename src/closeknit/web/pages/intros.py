"""Pages and API routes for introductions: the double opt-in board."""

from fastapi import APIRouter

router = APIRouter()
