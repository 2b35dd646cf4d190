"""closeknit serve: the web app on this machine, behind an access token."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from closeknit.cli.app import ENV, app, message, say
from closeknit.config import resolve_db_path
from closeknit.errors import InputError, NotFoundError


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback unless --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8765,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow an address other than loopback: anyone who can reach it and has the token"
                               " sees your network.")] = False,
) -> None:
    """Open the web app in your browser: every page and API route needs the access token it prints."""
    import uvicorn

    from closeknit.web import create_app
    from closeknit.web.auth import load_or_create_token, web_home

    path = ENV.db_path or resolve_db_path(None)
    if not path.exists():
        raise NotFoundError(f"no database at {path} (import something first, or check --db)")
    if not is_loopback(host):
        if not allow_remote:
            raise InputError(f"--host {host}: not a loopback address; add --allow-remote to listen on it anyway")
        message(f"warning: listening on {host}: anyone who can reach this address and has the token sees your"
                " network; prefer 127.0.0.1 behind an SSH tunnel")
    home = web_home(path)
    token = load_or_create_token(home)
    shown = f"[{host}]" if ":" in host else host
    say(f"Closeknit on {path}")
    say(f"open http://{shown}:{port}/login?token={token}")
    message(f"the token is kept in {home / 'token'} (readable by you only); Ctrl-C stops the server")
    # No access log: request paths and queries can name your contacts.
    uvicorn.run(create_app(path, token), host=host, port=port, access_log=False, log_level="warning",
                server_header=False)
