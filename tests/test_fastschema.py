"""jsonschema-rs's verdict stands in for jsonschema's only where both agree
(spbe_lint.fastschema), and remembered dataset judgements are the judgements
(spbe_lint.evidence.datacache). Issue 18."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spbe_lint import rulepack, schema, schemaprune, source
from spbe_lint.evidence import data as data_evidence
from spbe_lint.fastschema import FORMATS, FastValidator, _finite
from tests.conftest import COMPLIANT
from tests.test_data_evidence import GOOD_ROW, SCHEMA, check, dataset, write

# Values where ECMA 262 regexes, Rust formats or JSON itself part from Python's
# re and jsonschema: the fast path must say exactly what jsonschema says.
TRICKY: list[Any] = [
    "",
    " ",
    "a\ufeffb",  # \s in ECMA, not in Python
    "\ufeff",
    "abc\n",  # $ matches before a final newline in Python only
    "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨",  # \d is Unicode in Python
    "198703122010012003",
    "ÉTÉ",
    "x@y",
    "a@b.c",
    "2026-02-30",
    "2026-02-28",
    "2026-2-8",
    "sipelita.jambikota.go.id",
    "sipelita.jambikota.go.id.",
    "https://a b",
    "https://sipelita.jambikota.go.id/x",
    "docs/x.pdf",
    "C:\\x",
    "(",
    "12m",
    "permanent",
    0,
    -1,
    2**70,
    1.0,
    1.5,
    float("nan"),
    True,
    None,
    [],
    ["a", "a"],
    {},
    {"x-extra": 1},
    datetime.date(2026, 1, 1),
]


_COMPLIANT_DATA = source.load(COMPLIANT, "spbe.yaml").data


def _places(value: Any) -> list[tuple[Any, ...]]:
    """Every path in the compliant manifest: each gets every tricky value."""
    found = []
    leaves = set()

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        found.append(path)
        if not isinstance(node, (dict, list)):
            leaves.add(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, index))

    walk(value, ())
    # Every leaf (where patterns and formats apply) and the top-level sections.
    return [p for p in found[1:] if len(p) == 1 or p in leaves]


def _put(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def _errors(validator: Any, instance: Any) -> list[tuple[Any, ...]]:
    return [
        (tuple(e.absolute_path), e.validator, e.message)
        for e in validator.iter_errors(instance)
    ]


def test_the_manifest_schema_agrees_with_jsonschema_on_tricky_values():
    manifest = source.load(COMPLIANT, "spbe.yaml").data
    fast = schema._manifest_validator()
    python = schema.compile_schema(fast.schema)
    assert fast.quick(manifest) is True
    compared = undecided = 0
    # Each place gets every third tricky value, the three interleaved over the
    # places, so every value meets some sixty places (all 6,000 pairs took 40 s).
    for number, path in enumerate(_places(manifest)):
        for value in TRICKY[number % 3 :: 3]:
            instance = _put(manifest, path, value)
            verdict = fast.quick(instance)
            expected = python.is_valid(instance)
            if verdict is None:
                undecided += 1  # not JSON: jsonschema decides alone
            else:
                assert expected or verdict is False, (path, value)  # valid: believed
                if _finite(instance):  # "invalid" too, where they cannot part
                    assert verdict == expected, (path, value)
                compared += 1
            assert fast.is_valid(instance) == expected
    # "invalid" or undecided goes to jsonschema itself: the same errors.
    broken = _put(manifest, ("app", "pic", "email"), "a\ufeffb")
    assert not fast.is_valid(broken)
    assert _errors(fast, broken) == _errors(python, broken) != []
    assert compared > 1000 and undecided < compared / 5


def test_every_rule_predicate_agrees_with_jsonschema():
    pack = rulepack.load_pack()
    validators = [p.validator for r in pack.rules for p in r.predicates if p.validator]
    validators += [c.validator for r in pack.rules for c in r.when]
    assert len(validators) > 50
    manifest = source.load(COMPLIANT, "spbe.yaml").data
    values = [*TRICKY, manifest, *manifest.values()]
    for validator in validators:
        assert isinstance(validator, FastValidator)
        python = schema.compile_schema(validator.schema)
        for value in values:
            expected = python.is_valid(value)
            verdict = validator.quick(value)
            assert verdict is not True or expected, (validator.schema, value)
            if verdict is not None and _finite(value):
                assert verdict == expected, (validator.schema, value)
            assert validator.is_valid(value) == expected


def test_the_formats_are_jsonschemas():
    import jsonschema

    checker = jsonschema.FormatChecker(formats=tuple(FORMATS))
    for name, conforms in FORMATS.items():
        for value in TRICKY:
            if isinstance(value, str):
                assert conforms(value) == checker.conforms(value, name), (name, value)


def test_a_schema_jsonschema_rs_cannot_compile_is_judged_by_jsonschema():
    odd = {"type": "string", "pattern": "(?P<name>x)"}  # Python-only syntax
    fast = schema.compile_fast(odd)
    assert fast.is_valid("x") and not fast.is_valid("y")
    assert [e.validator for e in fast.iter_errors("y")] == ["pattern"]


def test_a_dataset_judgement_is_remembered_and_a_changed_sample_is_a_miss(
    run, workdir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory
):
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    header = "nik,nip,npwp,kel,jumlah"
    write(
        workdir,
        {"data/s.json": json.dumps(SCHEMA), "data/s.csv": f"{header}\n{GOOD_ROW}\n"},
        dataset("izin", schema="data/s.json", sample="data/s.csv"),
    )
    data_evidence._CACHE.clear()
    _, first = check(run)
    data_evidence._CACHE.clear()  # a new process: only the cache folder remains

    def fail(context: Any) -> Any:
        raise AssertionError("judged again instead of read from the cache")

    with monkeypatch.context() as patched:
        patched.setattr(data_evidence, "_judge", fail)
        _, second = check(run)
    assert second == first

    bad = GOOD_ROW.replace(GOOD_ROW.split(",")[0], "1234")  # a NIK too short
    (workdir / "data" / "s.csv").write_text(f"{header}\n{bad}\n", "utf-8")
    data_evidence._CACHE.clear()
    _, third = check(run)
    assert [f["rule"] for f in third if f["status"] == "fail"] != [
        f["rule"] for f in first if f["status"] == "fail"
    ]
    (workdir / "data" / "s.csv").unlink()  # a file gone is a miss too
    data_evidence._CACHE.clear()
    _, fourth = check(run)
    assert any(f["status"] == "fail" and "s.csv" in f["message"] for f in fourth)


def _every_path(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _every_path(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _every_path(child, (*path, index))
    return found


def _full_errors(validator: Any, instance: Any) -> list[tuple[Any, ...]]:
    """Each error as everything a finding can take from it, context included."""
    return [
        (
            tuple(e.absolute_path),
            tuple(e.absolute_schema_path),
            e.validator,
            e.message,
            sorted((tuple(c.absolute_path), c.message) for c in e.context),
        )
        for e in validator.iter_errors(instance)
    ]


EDITS = st.lists(
    st.tuples(
        st.integers(0, 10_000),  # which place (modulo their number)
        st.sampled_from(["set", "delete", "add-key"]),
        st.sampled_from(TRICKY[:-1]),  # a date is not JSON: never pruned
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=250, deadline=None)
@given(edits=EDITS)
def test_errors_found_the_short_way_are_jsonschemas(edits):
    """spbe_lint.schemaprune: with several things wrong at once (a wrong value,
    a key gone, an unknown key), jsonschema walking only the way to
    jsonschema-rs's errors finds exactly the errors of the whole walk."""
    fast = schema._manifest_validator()
    python = schema.compile_schema(fast.schema)
    instance = copy.deepcopy(_COMPLIANT_DATA)
    for where, action, value in edits:
        paths = _every_path(instance)[1:]
        path = paths[where % len(paths)]
        parent = instance
        for part in path[:-1]:
            parent = parent[part]
        if action == "set":
            parent[path[-1]] = copy.deepcopy(value)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[f"{path[-1]}_unknown"] = copy.deepcopy(value)
    assert _full_errors(fast, instance) == _full_errors(python, instance)


def test_only_schemas_that_never_negate_are_walked_the_short_way():
    assert schemaprune.prunable(schema._manifest_validator().schema)
    for keyword in ("not", "oneOf", "if", "contains", "unevaluatedProperties"):
        assert not schemaprune.prunable({"properties": {"a": {keyword: {}}}})
    assert not schemaprune.prunable({"$ref": "https://example.com/x.json"})
    assert schemaprune.prunable({"$ref": "#/$defs/x", "$defs": {"x": {}}})


@pytest.mark.parametrize(
    "value",
    [
        {"perfektif": 5},  # the object branch, one of its values wrong
        {"perfektif": "docs/p.md", "adaptif": ["x"]},
        {"perfektif": "docs/p.md", "lainnya": "docs/l.md"},  # a key unknown there
        7,
    ],
)
def test_a_failed_any_of_is_walked_whole(value):
    """Under an anyOf that failed, every branch is judged on the whole value:
    pruning there would make the object branch look valid and lose the error."""
    fast = schema._manifest_validator()
    python = schema.compile_schema(fast.schema)
    instance = _put(
        _COMPLIANT_DATA, ("handover", "documentation", "pemeliharaan"), value
    )
    expected = _full_errors(python, instance)
    assert [e[2] for e in expected] == ["anyOf"]
    assert _full_errors(fast, instance) == expected


def test_an_invalid_manifest_is_walked_the_short_way(monkeypatch):
    """The manifest's errors come from the pruned walk, and it looks at a
    fraction of what the whole walk looks at."""
    fast = schema._manifest_validator()
    instance = _put(_COMPLIANT_DATA, ("app", "pic", "email"), "not an address")
    looked: list[int] = []
    real = schemaprune._properties

    def counting(validator: Any, properties: Any, node: Any, subschema: Any) -> Any:
        looked.append(sum(name in node for name in properties))
        return real(validator, properties, node, subschema)

    monkeypatch.setattr(schemaprune, "_properties", counting)
    schemaprune._pruning_class.cache_clear()
    try:
        errors = list(fast.iter_errors(instance))
    finally:
        schemaprune._pruning_class.cache_clear()
    assert {tuple(e.absolute_path) for e in errors} == {("app", "pic", "email")}
    assert looked, "the pruned walk was not taken"
    whole = len(_every_path(instance))
    assert len(looked) < 10 < whole / 10
