"""Every refusal has a stable code, and docs/api.md lists exactly the codes the code can raise.

The codes are collected from the source, not from a hand-kept list: the generic code of every
error class, the status codes ``problems.TITLES`` names, and every literal ``code="…"`` given
to an error class, to ``problems.problem`` or to a hostile-input refusal. A code added without
a line in docs/api.md, or a line left behind for a code nobody raises, fails here.
"""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest

import regiotafel
from regiotafel import errors, problems

pytestmark = pytest.mark.unit

PACKAGE = Path(regiotafel.__file__).parent
API_DOC = PACKAGE.parent / "docs" / "api.md"
ERROR_CLASSES = {
    cls.__name__: cls for cls in [errors.RegiotafelError, *errors.RegiotafelError.__subclasses__()]
}
CODE_SHAPE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TABLE_ROW = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|\s*([\d, /]+)\s*\|")


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _literal(node: ast.AST | None):
    return node.value if isinstance(node, ast.Constant) else None


def raised_codes() -> dict[str, set[int]]:
    """code -> the HTTP statuses it is raised with, read from the package's source."""
    found: dict[str, set[int]] = {}
    for cls in ERROR_CLASSES.values():
        found.setdefault(cls.code, set()).add(cls.status)
    for status, (code, _title) in problems.TITLES.items():
        found.setdefault(code, set()).add(status)
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for code, status in _codes_of_call(node):
                found.setdefault(code, set()).add(status)
    return found


def _codes_of_call(node: ast.Call):
    name = _callee(node)
    keywords = {k.arg: k.value for k in node.keywords}
    if name in ERROR_CLASSES and _literal(keywords.get("code")):
        yield _literal(keywords["code"]), ERROR_CLASSES[name].status
    elif name == "problem" and _literal(keywords.get("code")):
        status = _literal(node.args[1]) if len(node.args) > 1 else None
        yield _literal(keywords["code"]), status
    elif name == "Refused" and len(node.args) >= 2 and isinstance(_literal(node.args[1]), str):
        yield _literal(node.args[1]), _literal(node.args[0])


def documented_rows() -> list[tuple[str, set[int]]]:
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("## Problem codes", 1)[1].split("\n## ", 1)[0]
    rows = (TABLE_ROW.match(line) for line in section.splitlines())
    return [
        (row[1], {int(s) for s in re.split(r"[ ,/]+", row[2].strip()) if s}) for row in rows if row
    ]


def documented_codes() -> dict[str, set[int]]:
    return dict(documented_rows())


def test_every_code_that_can_be_raised_is_listed_in_docs_api_md():
    missing = sorted(set(raised_codes()) - set(documented_codes()))
    assert missing == [], f"add these codes to the table in docs/api.md: {missing}"


def test_docs_api_md_lists_no_code_that_nothing_raises():
    stale = sorted(set(documented_codes()) - set(raised_codes()))
    assert stale == [], f"nothing raises these codes any more: {stale}"


def test_every_code_has_one_line_in_the_table():
    codes = [code for code, _statuses in documented_rows()]
    assert sorted({c for c in codes if codes.count(c) > 1}) == []


def test_the_documented_status_of_every_code_is_the_status_it_is_raised_with():
    documented = documented_codes()
    wrong = {
        code: (sorted(s for s in statuses if s), sorted(documented[code]))
        for code, statuses in raised_codes().items()
        if code in documented and not {s for s in statuses if s} <= documented[code]
    }
    assert wrong == {}


def test_every_code_is_lower_case_words_joined_by_hyphens():
    assert [code for code in raised_codes() if not CODE_SHAPE.match(code)] == []


def test_an_error_without_a_code_of_its_own_has_the_generic_code_of_its_class():
    assert errors.Conflict("x").code == "conflict"
    assert errors.Conflict("x", code="bed-niet-vrij").code == "bed-niet-vrij"
    assert errors.NotFound("x").slug == "niet-gevonden"  # the old name still answers


def test_every_pydantic_error_type_has_a_dutch_reason():
    from pydantic_core.core_schema import ErrorType

    known = set(typing.get_args(ErrorType))
    # the types that carry someone else's words get the generic Dutch sentence on purpose
    generic = {
        "value_error", "assertion_error", "no_such_attribute", "needs_python_object",
        "get_attribute_error", "default_factory_not_called", "missing_sentinel_error",
        "ellipsis_error", "is_instance_of", "is_subclass_of", "callable_type",
    }  # fmt: skip
    assert sorted(known - set(problems.PYDANTIC_REASONS) - generic) == []


def test_a_pydantic_reason_is_never_the_english_message():
    reason = problems.pydantic_reason(
        {"type": "greater_than_equal", "msg": "Input should be greater", "ctx": {"ge": 1}}
    )
    unknown = problems.pydantic_reason({"type": "nieuw_type", "msg": "Something English"})
    assert reason == "Geef een getal van minstens 1."
    assert unknown == "Deze waarde is ongeldig."


def test_no_message_formats_a_value_with_pythons_repr():
    """``%(v)r`` shows None, quotes and escapes: a programming value, not a sentence."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"%\(\w+\)r", line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}")
    assert offenders == []
