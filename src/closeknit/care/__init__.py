"""Keeping ties alive: cadence, fading ties, the weekly plan and its calendar feed."""
