"""Dataset judgements remembered between runs (``spbe_lint.cache``, kind ``data``).

Judging a dataset's schema and sample imports frictionless (about 0.2 s, more
than the rest of a pre-commit run) and validates every row; the files rarely
change between commits. A judgement depends on the manifest's ``data`` section,
the profile, the day judged, where the manifest is shown, the bytes of every
file the judge read and what computed it (``cache.PRODUCERS``): it is kept under
a key made of the first four, and the files are named in the entry with their
hashes, each read again and compared before the entry is believed (a changed,
missing or newly unreadable file is a miss). A judgement holding a value this
module cannot store exactly is not stored.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from spbe_lint import cache
from spbe_lint.evidence import datafile
from spbe_lint.evidence.judgement import Context, Judgement
from spbe_lint.findings import Location, Span, Violation
from spbe_lint.i18n import LocalText

_KIND = "data"


class _Unstorable(Exception):
    """A value without an exact JSON form: the judgement is not remembered."""


def judged(context: Context, make: Callable[[Context], Judgement]) -> Judgement:
    """The remembered judgement of the manifest's datasets, or *make*'s, remembered."""
    data = context.manifest.get("data")
    if context.folder is None or not (isinstance(data, dict) and data.get("datasets")):
        return make(context)  # nothing to judge: nothing worth remembering
    try:
        key = hashlib.sha256(
            json.dumps(
                [
                    context.manifest.get("data"),
                    context.profile,
                    context.as_of.isoformat(),
                    context.manifest_path,
                ],
                sort_keys=True,
                ensure_ascii=False,
                default=_refuse,
            ).encode("utf-8", "surrogateescape")
        ).hexdigest()
    except (_Unstorable, TypeError, ValueError):
        return make(context)
    stored = cache.read(key, _KIND)
    if stored is not None:
        judgement = _load(stored, context)
        if judgement is not None:
            return judgement
    previous, datafile.READS = datafile.READS, []
    try:
        judgement = make(context)
        reads = list(dict.fromkeys(datafile.READS))
    finally:
        datafile.READS = previous
    try:
        entry = {
            "files": [[r, limit, _state(context, r, limit)] for r, limit in reads],
            "found": [
                [reference, aspect, [_violation(v) for v in found]]
                for (reference, aspect), found in judgement.found.items()
            ],
        }
    except _Unstorable:
        return judgement
    cache.write(key, entry, _KIND)
    return judgement


def _refuse(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    raise _Unstorable(type(value).__name__)


def _state(context: Context, reference: str, limit: int) -> str:
    """The file's bytes as a hash, or why it cannot be read (what the judge saw)."""
    assert context.folder is not None
    try:
        raw = datafile.read(
            context.folder, reference, context.display(reference), limit
        )
    except datafile.Unreadable as problem:
        return f"unreadable:{problem.reason.en}:{problem.line}"
    return "sha256:" + hashlib.sha256(raw.data).hexdigest()


def _load(stored: Any, context: Context) -> Judgement | None:
    try:
        for reference, limit, state in stored["files"]:
            if _state(context, reference, limit) != state:
                return None
        judgement = Judgement()
        for reference, aspect, found in stored["found"]:
            for item in found:
                judgement.add(reference, aspect, _from_violation(item))
        return judgement
    except (KeyError, TypeError, ValueError, _Unstorable):
        return None  # not an entry this code wrote whole: a miss


def _violation(v: Violation) -> dict[str, Any]:
    return {
        "path": _value(tuple(v.path)),
        "params": _value(dict(v.params)),
        "kind": v.kind,
        "anchor": v.anchor,
        "code": v.code,
        "span": _span(v.span),
        "review": v.needs_review,
        "location": None
        if v.location is None
        else [v.location.path, v.location.pointer, _span(v.location.span)],
    }


def _from_violation(item: Mapping[str, Any]) -> Violation:
    location = item["location"]
    return Violation(
        path=_from_value(item["path"]),
        params=_from_value(item["params"]),
        kind=item["kind"],
        anchor=item["anchor"],
        code=item["code"],
        span=_from_span(item["span"]),
        needs_review=bool(item["review"]),
        location=None
        if location is None
        else Location(location[0], location[1], _from_span(location[2])),
    )


def _span(span: Span | None) -> list[int] | None:
    if span is None:
        return None
    return [span.line, span.column, span.end_line, span.end_column]


def _from_span(span: Any) -> Span | None:
    return None if span is None else Span(*span)


# Values in a violation's params, each with its type: JSON alone would turn a
# tuple into a list and a LocalText into a mapping.
def _value(value: Any) -> Any:
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, LocalText):
        return {"t": [value.id, value.en]}
    if type(value) is tuple:
        return {"u": [_value(v) for v in value]}
    if type(value) is list:
        return {"l": [_value(v) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"d": [[k, _value(v)] for k, v in value.items()]}
    raise _Unstorable(type(value).__name__)


def _from_value(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((tag, inner),) = value.items()
    if tag == "t":
        return LocalText(inner[0], inner[1])
    if tag == "u":
        return tuple(_from_value(v) for v in inner)
    if tag == "l":
        return [_from_value(v) for v in inner]
    if tag == "d":
        return {k: _from_value(v) for k, v in inner}
    raise _Unstorable(tag)
