"""Source parsers: one module or package per format, each registering a typed Source (see base, registry).

Importing this package registers every format: the built-in ones in detection order (the specific
formats first, CSV as the catch-all last), then any other module of the package that registers itself.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module

from closeknit.sources.registry import get, kinds, sniff, sources

BUILT_IN = ("closeknit_json", "linkedin", "vcard", "ics", "mail", "contacts_csv", "walk")

for _name in (*BUILT_IN, *sorted(m.name for m in pkgutil.iter_modules(__path__))):
    import_module(f"{__name__}.{_name}")

__all__ = ["BUILT_IN", "get", "kinds", "sniff", "sources"]
