"""A realistic synthetic network written in real export formats, imported through the real importers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from closeknit.demo.files import write_contacts, write_demo
from closeknit.demo.network import ME, Network

if TYPE_CHECKING:
    from closeknit.demo.run import run_demo

__all__ = ["ME", "Network", "run_demo", "write_contacts", "write_demo"]


def __getattr__(name: str) -> Any:
    # Running the demo loads the report and its charts (matplotlib): only when it is asked for, so that
    # every other command starts without them.
    if name == "run_demo":
        from closeknit.demo.run import run_demo

        return run_demo
    raise AttributeError(name)
