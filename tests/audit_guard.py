"""A guard that fails a test when application code writes an audited table without an audit
event for that model in the same transaction.

It watches every SQL statement (``connection.execute_wrapper``) and every atomic block
(``transaction.Atomic``): a write (INSERT, UPDATE, DELETE) to a table of a Regiotafel model,
issued from code in the ``regiotafel`` package, must be accompanied — in the same outermost
transaction of the application — by an INSERT into the audit table whose values name that
model (``object_type``). Writes outside any transaction (autocommit) count as a transaction of
their own, so "write now, log in a second transaction" fails too. Writes made by test code
itself (setting up a situation) and by the demo seeding are not the application's changes.

``tests/conftest.py`` switches it on for every test that uses the (non-transactional)
database, so a service added later without its audit events fails its own tests.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction

import regiotafel
from regiotafel.capacity import board_cache
from regiotafel.core import audit

PACKAGE = str(Path(regiotafel.__file__).parent) + "/"
# Writes made while one of these is on the stack are not the application's changes.
EXEMPT = ("/demo.py", "/demo/", "/migrations/")
# Execute wrappers that watch statements without writing: the writer is further down.
TRANSPARENT = frozenset({board_cache._watch.__code__})
AUDIT_TABLE = "core_auditevent"
STATEMENT = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
SET_COLUMNS = re.compile(r'"(\w+)"\s*=')


def audited_tables() -> dict[str, str]:
    """Table name -> the model label its audit events carry (a link table: its owner's)."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        owner = model._meta.auto_created or model
        if audit.is_audited(owner):
            tables[model._meta.db_table] = owner._meta.label_lower
    return tables


@dataclass
class Transaction:
    writes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    logged: set[str] = field(default_factory=set)

    def missing(self) -> dict[str, list[str]]:
        return {label: where for label, where in self.writes.items() if label not in self.logged}


class AuditGuard:
    def __init__(self) -> None:
        self.tables = audited_tables()
        self.labels = set(self.tables.values())
        self.base_depth = len(connection.atomic_blocks)
        self.numbers = itertools.count(1)
        self.current: int | None = None
        self.transactions: dict[int, Transaction] = defaultdict(Transaction)

    # -- atomic blocks: the outermost block of the application is its transaction
    def entering(self) -> None:
        if len(connection.atomic_blocks) == self.base_depth:
            self.current = next(self.numbers)

    def left(self, failed: bool) -> None:
        if len(connection.atomic_blocks) <= self.base_depth:
            if failed and self.current is not None:  # rolled back: nothing was written
                self.transactions.pop(self.current, None)
            self.current = None

    # -- statements
    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)  # a statement that fails wrote nothing
        self.observe(sql, params, many)
        return result

    def observe(self, sql: str, params, many: bool) -> None:
        found = STATEMENT.match(sql)
        if not found:
            return
        verb, table = found.group(1).split()[0].upper(), found.group(2)
        key = self.current if self.current is not None else next(self.numbers)
        if table == AUDIT_TABLE and verb == "INSERT":
            self.transactions[key].logged |= self.labels & set(_flatten(params, many))
            return
        label = self.tables.get(table)
        if label is None or (verb == "UPDATE" and self._quiet(label, sql)):
            return
        where = _application_frame()
        if where:
            self.transactions[key].writes[label].append(f"{verb} {table} at {where}")

    @staticmethod
    def _quiet(label: str, sql: str) -> bool:
        assignments = sql.split(" SET ", 1)[-1].split(" WHERE ", 1)[0]
        columns = set(SET_COLUMNS.findall(assignments))
        return bool(columns) and columns <= audit.QUIET_UPDATES.get(label, set())

    def problems(self) -> list[str]:
        lines = []
        for tx in self.transactions.values():
            for label, where in tx.missing().items():
                lines.append(f"{label}: {where[0]} (no audit event for {label} in its transaction)")
        return sorted(set(lines))


def _flatten(params, many: bool):
    """Every string among the parameters (PostgreSQL bulk inserts pass arrays per column)."""
    stack = list(params.values()) if isinstance(params, dict) else [params]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)


def _application_frame() -> str | None:
    """file:line of the nearest Regiotafel frame, or None when the write is not the app's."""
    frame, found = sys._getframe(2), None
    while frame is not None:
        name = frame.f_code.co_filename
        if frame.f_code in TRANSPARENT:  # a wrapper that only watches the statement
            frame = frame.f_back
            continue
        if name.startswith(PACKAGE):
            if any(part in name for part in EXEMPT):
                return None
            if found is None:
                found = f"{name[len(PACKAGE) :]}:{frame.f_lineno}"
        frame = frame.f_back
    return found


def install(monkeypatch) -> AuditGuard:
    """Watch the default connection for the rest of the test; returns the guard."""
    guard = AuditGuard()
    enter, leave = transaction.Atomic.__enter__, transaction.Atomic.__exit__

    def watched_enter(self):
        if self.using in (None, connection.alias):
            guard.entering()
        return enter(self)

    def watched_exit(self, exc_type, exc_value, traceback):
        try:
            return leave(self, exc_type, exc_value, traceback)
        finally:
            if self.using in (None, connection.alias):
                guard.left(exc_type is not None)

    monkeypatch.setattr(transaction.Atomic, "__enter__", watched_enter)
    monkeypatch.setattr(transaction.Atomic, "__exit__", watched_exit)
    wrapper = connection.execute_wrapper(guard)
    wrapper.__enter__()
    guard.close = lambda: wrapper.__exit__(None, None, None)
    return guard
