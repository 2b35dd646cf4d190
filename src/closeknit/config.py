"""Settings: where the database lives (--db, then CLOSEKNIT_DB, then the platform data dir)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DB = "CLOSEKNIT_DB"
DEFAULT_REGION = "US"


def default_db_path() -> Path:
    """The database used when neither --db nor CLOSEKNIT_DB is given."""
    return Path(platformdirs.user_data_dir("closeknit", appauthor=False)) / "closeknit.db"


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path:
    """--db wins, then the CLOSEKNIT_DB environment variable, then the platform data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return default_db_path()
