"""Pages and API routes for uploads: any supported file imported with progress, its summary, the quarantine."""

from fastapi import APIRouter

router = APIRouter()
