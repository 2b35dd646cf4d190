"""A realistic synthetic network written in real export formats, imported through the real importers."""

from closeknit.demo.files import write_contacts, write_demo
from closeknit.demo.network import ME, Network
from closeknit.demo.run import run_demo

__all__ = ["ME", "Network", "run_demo", "write_contacts", "write_demo"]
