"""A schema validator with a compiled fast path and jsonschema's details.

Most values a manifest holds are valid, and most rules pass: for them, asking
jsonschema-rs (compiled, already a dependency for OpenAPI documents) "is this
valid?" is 10-50x cheaper than walking the schema with jsonschema. Only when
the answer is no is jsonschema asked for its errors, which carry what the
messages and positions need (keyword, schema, path, ``context``). So the fast
path can never change a verdict's details, only skip work when there is none.

jsonschema-rs's "invalid" is believed for yes/no questions (a rule's
condition) only where the two cannot part: no NaN or infinity in the value, no
``multipleOf`` in the schema; otherwise jsonschema has the last word. So the
two must agree. Where JSON Schema leaves room (``pattern`` is an ECMA 262
regex in jsonschema-rs and a Python ``re`` in jsonschema; the formats are
implementation-defined), jsonschema-rs is given Python's own semantics:
``pattern`` is a custom keyword matching with :func:`re.search`, and the
formats the shipped schemas use are checked as jsonschema checks them
(tests/test_fastschema.py compares both on the same values). A value
jsonschema-rs cannot take (a date object, a huge integer) or a schema it
cannot compile falls back to jsonschema: slower, never wrong.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from spbe_lint import deferred

# jsonschema-rs's module start reads email.utils' parsedate_to_datetime (for
# its build date); email.utils imports socket, calendar and random at its top
# for helpers that never run here: imported only if used (spbe_lint.deferred).
JSONSCHEMA_RS_UNUSED = ("socket", "calendar", "random")


@functools.cache
def _jsonschema_rs() -> Any:
    with deferred.only_for(JSONSCHEMA_RS_UNUSED):
        import jsonschema_rs
    return jsonschema_rs


# jsonschema's own checks for the formats the shipped schemas use (jsonschema
# 4.x, _format.py): a date is YYYY-MM-DD and a real day; an email has an "@";
# a regex compiles with Python's re.
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def _is_date(value: str) -> bool:
    if not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_regex(value: str) -> bool:
    try:
        re.compile(value)
    except re.error:
        return False
    return True


FORMATS: dict[str, Callable[[str], bool]] = {
    "date": _is_date,
    "email": lambda value: "@" in value,
    "regex": _is_regex,
}


class _Pattern:
    """``pattern`` with Python's re (jsonschema's semantics), for jsonschema-rs."""

    def __init__(self, parent: Any, value: Any, path: Any) -> None:
        self._search = _compiled(value).search

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and not self._search(instance):
            raise ValueError("does not match")


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _finite(value: Any) -> bool:
    """No NaN or infinity anywhere in *value* (where jsonschema's comparisons
    and jsonschema-rs's differ)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


class FastValidator:
    """``is_valid`` and ``iter_errors`` as jsonschema's validator has them.

    *python* builds the jsonschema validator (on first need: a run where every
    value is valid never imports jsonschema); *retrieve* gives the contents of a
    ``$ref``'d schema by URI (never the network); *draft* names the
    jsonschema_rs class of the draft *python* follows; *formats* False when
    *python* checks no format (``format`` is then an annotation for both).
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        python: Callable[[], Any],
        retrieve: Callable[[str], Any],
        *,
        draft: str = "Draft202012Validator",
        formats: bool = True,
    ) -> None:
        self.schema = schema
        self._draft = draft  # a jsonschema_rs class: the draft *python* follows
        self._formats = formats  # False where *python* has no format checker
        self._python_factory = python
        self._retrieve = retrieve
        self._python: Any = None
        self._fast: Any = None  # None: not built yet; False: cannot be built
        self._multiple: bool | None = None  # does the schema use multipleOf?
        self._prune: bool | None = None  # may its errors skip valid parts?

    def __getstate__(self) -> dict[str, Any]:
        # Compiled validators do not pickle (the built rule pack is cached as a
        # pickle, spbe_lint.cache.read_object): they are built again on first use.
        return {**self.__dict__, "_python": None, "_fast": None}

    @property
    def python(self) -> Any:
        """The jsonschema validator (for errors with their details)."""
        if self._python is None:
            self._python = self._python_factory()
        return self._python

    def _compiled(self) -> Any:
        if self._fast is None:
            try:
                self._fast = getattr(_jsonschema_rs(), self._draft)(
                    dict(self.schema),
                    formats=FORMATS if self._formats else None,
                    validate_formats=self._formats,
                    keywords={"pattern": _Pattern},
                    retriever=self._retrieve,
                )
            except Exception:  # a schema it cannot take: jsonschema judges alone
                self._fast = False
        return self._fast

    def quick(self, instance: Any) -> bool | None:
        """True or False from jsonschema-rs, None when it cannot tell."""
        fast = self._compiled()
        if fast is False:
            return None
        try:
            return bool(fast.is_valid(instance))
        except (ValueError, TypeError, OverflowError, RecursionError):
            return None  # a value outside JSON (a date, a non-string key, ...)

    def is_valid(self, instance: Any) -> bool:
        verdict = self.quick(instance)
        if verdict is True:
            return True
        if verdict is False and self._trusted(instance):
            return False
        # Where the two could still part, jsonschema decides: NaN or infinity
        # (NaN against a minimum is valid to jsonschema), or multipleOf (float
        # division differs).
        return self.python.is_valid(instance)

    def _uneven(self) -> bool:
        if self._multiple is None:
            self._multiple = '"multipleOf"' in json.dumps(self.schema, default=str)
        return self._multiple

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        verdict = self.quick(instance)
        if verdict is True:
            return iter(())
        if verdict is False and self._trusted(instance) and self._prunable():
            # jsonschema walks only the way to jsonschema-rs's errors
            # (spbe_lint.schemaprune): the same errors, not the whole value.
            from spbe_lint import schemaprune

            try:
                found = self._compiled().iter_errors(instance)
                wanted = schemaprune.places(instance, found)
            except (ValueError, TypeError, OverflowError, RecursionError):
                wanted = None
            if wanted is not None:
                return iter(schemaprune.errors(self.python, instance, wanted))
        return self.python.iter_errors(instance)

    def _trusted(self, instance: Any) -> bool:
        """Whether jsonschema-rs's "invalid" is jsonschema's too (see is_valid)."""
        return not self._uneven() and _finite(instance)

    def _prunable(self) -> bool:
        if self._prune is None:
            from spbe_lint import schemaprune

            self._prune = schemaprune.prunable(self.schema)
        return self._prune
