from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from spbe_lint import source, yamltree
from spbe_lint.errors import InputError
from spbe_lint.findings import InputFile, Span

INFO = InputFile("spbe.yaml", "0" * 64, 0)


def parse(text: str) -> source.Document:
    return source.parse(text, INFO)


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the C composer and with PyYAML's pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.setattr(
            yamltree, "LOADER", yamltree.core_schema_loader(yaml.SafeLoader)
        )
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.fail("PyYAML was built without libyaml; install a wheel with it")
    return request.param


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes", "yes"),  # YAML 1.2: yes/no/on/off are strings
        ("a: off", "off"),
        ("a: true", True),
        ("a: FALSE", False),
        ("a: ~", None),
        ("a:", None),
        ("a: 0o17", 15),
        ("a: 0x1F", 31),
        ("a: -12", -12),
        ("a: 99.5", 99.5),
        ("a: 1e3", 1000.0),
        ("a: .inf", float("inf")),
        ("a: 2026-05-20", "2026-05-20"),  # dates stay as written
        ("a: 2026-05-20T10:00:00Z", "2026-05-20T10:00:00Z"),
        ('a: "1"', "1"),
        ("a: 017", 17),
        ("a: '198703122010012003'", "198703122010012003"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(loader: str, text: str, expected):
    assert parse(text).data == {"a": expected}


def test_positions_are_one_based_and_cover_the_value(loader: str):
    doc = parse("spbe: 1\ndomain:\n  fqdn: app.jambikota.go.id\nlist:\n  - x\n  - y\n")
    assert doc.locate(["domain", "fqdn"]) == Span(3, 9, 3, 28)
    assert doc.locate(["domain", "fqdn"], anchor="key") == Span(3, 3, 3, 7)
    assert doc.locate(["list", 1]) == Span(6, 5, 6, 6)
    # a collection is shown at its key, a missing child at its nearest parent
    assert doc.locate(["domain"]) == Span(2, 1, 2, 7)
    assert doc.locate(["domain", "missing", "deeper"]) == Span(2, 1, 2, 7)
    assert doc.locate([]).line == 1


def test_duplicate_keys_are_all_reported_and_the_last_value_wins(loader: str):
    doc = parse("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert doc.data == {"a": 3, "b": {"c": 2}}
    found = sorted((v.span.line, v.path, v.params["first_line"]) for v in doc.issues)
    assert found == [(4, ("b", "c"), 3), (5, ("a",), 1)]
    assert doc.locate(["a"]).line == 5


def test_syntax_error_is_an_issue_with_position(loader: str):
    doc = parse("spbe: 1\napp:\n  name: x\n - status: y\n")
    (issue,) = doc.issues
    assert issue.code == "yaml-syntax"
    assert issue.span.line == 4
    assert doc.data is None
    assert "indentasi" in issue.params["problem"].id


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("- a\n- b\n", "not-mapping", 1),
        ("just text\n", "not-mapping", 1),
        ("a: 1\n---\nb: 2\n", "multiple-documents", 3),
        ("? [a, b]\n: 1\nc: 2\n", "complex-key", 1),
    ],
)
def test_structure_problems(loader: str, text: str, kind: str, line: int):
    doc = parse(text)
    assert [(v.code, v.kind, v.span.line) for v in doc.issues] == [
        ("structure", kind, line)
    ]


def test_merge_keys_are_expanded_and_located(loader: str):
    doc = parse("base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n")
    assert doc.data["use"] == {"x": 1, "y": 3}
    assert doc.issues == ()
    assert doc.locate(["use", "y"]).line == 6
    assert doc.locate(["use", "x"]).line == 4  # where it is merged in


def test_alias_bomb_is_refused(loader: str):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        previous, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(InputError) as info:
        parse("\n".join(lines))
    assert "billion laughs" in info.value.message.en
    assert info.value.line is not None


def test_recursive_alias_is_refused(loader: str):
    with pytest.raises(InputError, match="nesting"):
        parse("a: &a [*a]\n")


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_is_refused(loader: str, style: str):
    depth = 10_000
    if style == "flow":
        text = "a: " + "[" * depth + "]" * depth
    else:
        text = "".join("  " * i + "k:\n" for i in range(depth))
    with pytest.raises(InputError, match="nesting"):
        parse(text)


def test_empty_file_without_a_document_is_refused():
    with pytest.raises(InputError, match="no YAML document"):
        parse("# only a comment\n")
    assert source.parse("# c\n", INFO, allow_empty=True).data == {}


@pytest.mark.parametrize(
    ("content", "message", "line", "column"),
    [
        (b"", "empty", None, None),
        (b"   \n\n", "empty", None, None),
        (
            b"spbe: 1\napp:\n  name: caf\xe9\n",
            "not valid UTF-8 text (byte 0xe9)",
            3,
            12,
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary", 3, 1),
        ("spbe: 1\n".encode("utf-16"), "UTF-16", None, None),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str, line, column):
    path = tmp_path / "spbe.yaml"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        source.load(path, "spbe.yaml")
    error = info.value
    assert message in error.message.en
    assert (error.line, error.column) == (line, column)
    assert error.render("en").startswith("spbe.yaml")


def test_utf8_bom_is_accepted(tmp_path: Path):
    path = tmp_path / "spbe.yaml"
    path.write_bytes(b"\xef\xbb\xbfspbe: 1\n")
    assert source.load(path, "spbe.yaml").data == {"spbe": 1}


def test_huge_file_is_refused_without_reading_it(tmp_path: Path):
    path = tmp_path / "spbe.yaml"
    with path.open("wb") as stream:  # a sparse 50 MB file: cheap to create
        stream.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match="too large"):
        source.load(path, "spbe.yaml")


def test_unreadable_path_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="cannot read"):
        source.load(tmp_path / "missing.yaml", "missing.yaml")


def test_a_control_character_is_a_syntax_issue_with_its_position(loader: str):
    doc = parse('spbe: 1\napp:\n  title: "a\x1bb"\n')
    (issue,) = doc.issues
    assert (issue.code, issue.span.line, issue.span.column) == ("yaml-syntax", 3, 12)
    assert "U+001B" in issue.params["problem"].en


def test_a_key_written_three_times_names_the_first(loader: str):
    doc = parse("app:\n  name: a\n  name: b\n  name: c\n")
    assert [(v.span.line, v.params["first_line"]) for v in doc.issues] == [
        (3, 2),
        (4, 2),
    ]


def test_an_unclosed_quote_points_where_it_opened():
    doc = parse('spbe: 1\napp:\n  title: "abc\n  name: x\n')
    assert (doc.issues[0].span.line, doc.issues[0].span.column) == (3, 10)


def test_an_alias_is_located_where_it_is_used(loader: str):
    doc = parse("x-cat: &cat bogus\napp:\n  name: a\n  category: *cat\n")
    assert doc.data["app"]["category"] == "bogus"
    assert doc.locate(["app", "category"]).line == 4


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path):
    import os

    fifo = tmp_path / "spbe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        source.load(fifo, "spbe.yaml")


def test_many_nodes_without_aliases_are_refused_too():
    text = "spbe: 1\nx-list: [" + "1," * 60_000 + "1]\n"
    with pytest.raises(InputError, match="exceeds 50000 nodes"):
        parse(text)


def test_reader_errors_are_located_by_character_not_byte(loader: str):
    doc = parse('spbe: 1\napp:\n  title: "éé—" \x1b\n')
    span = doc.issues[0].span
    assert (span.line, span.column) == (3, 16)


def test_invalid_utf8_column_counts_characters(tmp_path: Path):
    path = tmp_path / "spbe.yaml"
    path.write_bytes('spbe: 1\nx-a: "éé名'.encode() + b"\xff\n")
    with pytest.raises(InputError) as info:
        source.load(path, "spbe.yaml")
    assert (info.value.line, info.value.column) == (2, 10)
    assert info.value.file is not None  # the bytes were read: the report keeps the hash


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_yaml_1_1_line_separators_are_reported_where_they_are(separator: str):
    doc = parse(f"spbe: 1\n# catatan{separator}lanjut\napp: {{}}\n")
    (issue,) = doc.issues
    assert (issue.span.line, issue.span.column) == (2, 10)
    assert "line separator" in issue.params["problem"].en


def test_the_earlier_merge_source_wins(loader: str):
    doc = parse(
        "v: &v {issuer: vendor, a: 1}\nc: &c {issuer: city, b: 2}\n"
        "sso:\n  <<: [*v, *c]\n"
    )
    assert doc.data["sso"] == {"issuer": "vendor", "a": 1, "b": 2}
    assert doc.locate(["sso", "issuer"]).line == 3  # shown where it is merged in


def test_an_explicit_tag_that_does_not_fit_keeps_the_text(loader: str):
    assert parse("a: !!bool yes\nb: !!bool true\nc: !!int x1\n").data == {
        "a": "yes",
        "b": True,
        "c": "x1",
    }


def _pyyaml_core_resolver() -> type:
    """The core schema registered the way PyYAML resolves it (its own resolve)."""

    class Registered(yaml.SafeLoader):
        yaml_implicit_resolvers: dict = {}  # noqa: RUF012

    for tag, pattern, first in yamltree._CORE_SCHEMA:
        Registered.add_implicit_resolver(tag, re.compile(pattern), first)
    return Registered


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=12),
        st.from_regex(r"[-+~.0-9a-fA-FxoeEnNtTrRuUlLsSiI<]{0,8}", fullmatch=True),
    ),
    implicit=st.tuples(st.booleans(), st.booleans()),
    kind=st.sampled_from([ScalarNode, SequenceNode, MappingNode]),
)
def test_the_short_resolver_tags_as_pyyaml_would(value, implicit, kind):
    ours = yamltree.LOADER("")
    theirs = _pyyaml_core_resolver()("")
    assert ours.resolve(kind, value, implicit) == theirs.resolve(kind, value, implicit)
