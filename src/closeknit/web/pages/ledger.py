"""Pages and API routes for the reciprocity ledger: favors given and received, give first."""

from fastapi import APIRouter

router = APIRouter()
