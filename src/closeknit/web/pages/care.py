"""Pages and API routes for the weekly plan: who to contact, done and snooze, life events."""

from fastapi import APIRouter

router = APIRouter()
