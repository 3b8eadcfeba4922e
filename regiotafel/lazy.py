"""Modules imported on first use, so that starting a command or a server does not pay for them.

pandas and pyarrow (0.4–0.7 s of CPU) and plotly are needed only when a projection is
computed, read or drawn, yet the projection app's modules are imported while Django starts
(its ``ready()``) and while the URLs load (its views). Those modules write::

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy_module("pandas")

and use ``pd.DataFrame`` as before: the first attribute looked up imports pandas (through
the ordinary import system, so two threads asking at once wait for one import), later ones
go straight to the module. Type checkers see the real import. ``tests/test_startup.py``
checks that ``django.setup()``, ``import regiotafel.urls`` and ``regiotafel --help`` import
neither pandas nor pyarrow.

Use it only for names read as ``alias.attribute`` inside functions: ``from x import y`` at
module level, a class statement or a decorator would import the module at once anyway.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


class LazyModule(ModuleType):
    """A stand-in for the module ``name`` that imports it when an attribute is first read."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_target"] = None

    def __getattr__(self, attribute: str):  # only called for names not found on the stand-in
        target = self.__dict__["_lazy_target"]
        if target is None:
            target = importlib.import_module(self.__name__)
            self.__dict__["_lazy_target"] = target
        return getattr(target, attribute)

    def __repr__(self) -> str:
        state = "imported" if self.__dict__["_lazy_target"] is not None else "not yet imported"
        return f"<lazy module {self.__name__!r} ({state})>"


def lazy_module(name: str) -> ModuleType:
    """The module ``name`` if it is imported already, else a stand-in that imports it on use."""
    return sys.modules.get(name) or LazyModule(name)
