"""The web app and JSON API: server-rendered pages over the same core functions as the command line."""

from closeknit.web.app import create_app

__all__ = ["create_app"]
