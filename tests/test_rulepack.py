from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pytest

from spbe_lint import engine, resources, rulepack, schema, source
from spbe_lint.errors import RulePackError
from spbe_lint.findings import DOMAINS, InputFile, Status
from spbe_lint.i18n import LocalText
from spbe_lint.rule import Example, Rule
from tests.conftest import ROOT

PACK = rulepack.load_pack()
CATALOGUE_DOMAINS = set(DOMAINS) - {"manifest"}


def evaluate(
    rule: Rule,
    text: str,
    pack: rulepack.RulePack = PACK,
    as_of: datetime.date | None = None,
    folder: Path | None = None,
):
    doc = source.parse(text, InputFile("example.yaml", "0" * 64, len(text)))
    mode = "check" if folder else "manual"
    return engine.evaluate(
        doc, [rule], pack.profile, as_of=as_of, folder=folder, documents_mode=mode
    )


def run_example(rule: Rule, example: Example, tmp_path: Path) -> list:
    """An example as its submission: the files it lists exist beside the manifest;
    without any, only the manifest was submitted."""
    for name in example.files:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(example.contents.get(name, "contoh / example\n"))
    folder = tmp_path if example.files else None
    return evaluate(rule, example.manifest, as_of=example.as_of, folder=folder)


def examples(kind: str) -> list:
    return [
        pytest.param(rule, example, id=f"{rule.id}-{kind}-{index}")
        for rule in PACK.rules
        for index, example in enumerate(getattr(rule, kind))
    ]


def test_the_shipped_pack_covers_every_catalogue_domain():
    assert {r.domain for r in PACK.rules} >= CATALOGUE_DOMAINS
    assert PACK.name == "spbe-kota-jambi"
    assert PACK.profile.domain == "jambikota.go.id"
    assert PACK.profile["region_code"] == "15.71"


@pytest.mark.parametrize("name", schema.SHIPPED_SCHEMAS)
def test_shipped_schemas_are_valid_draft_2020_12(name: str):
    schema.check_schema(resources.schema(name))


def test_every_rule_file_is_named_after_its_rule():
    files = sorted(p.stem for p in (ROOT / "rules").glob("*.yaml") if p.stem != "pack")
    assert files == sorted(r.id for r in PACK.rules)


@pytest.mark.parametrize(("rule", "example"), examples("passing"))
def test_passing_example(rule: Rule, example: Example, tmp_path: Path):
    results = run_example(rule, example, tmp_path)
    assert [f.status for f in results] == [Status.PASS], [f.message.en for f in results]


@pytest.mark.parametrize(("rule", "example"), examples("failing"))
def test_failing_example(rule: Rule, example: Example, tmp_path: Path):
    results = run_example(rule, example, tmp_path)
    failures = [f for f in results if f.status in (Status.FAIL, Status.MANUAL)]
    assert len(failures) == len(example.expect), [f.message.en for f in failures]
    unmatched = list(failures)
    for expected in example.expect:
        match = next(
            (
                f
                for f in unmatched
                if expected.get("pointer", f.location.pointer) == f.location.pointer
                and expected.get("kind", f.kind) == f.kind
                and expected.get("line", f.location.span.line) == f.location.span.line
                and expected.get("status", "fail") == f.status.value
            ),
            None,
        )
        assert match is not None, (expected, [(f.location, f.kind) for f in unmatched])
        unmatched.remove(match)
    for failure in failures:  # messages are filled in completely, in both languages
        for text in (failure.message.id, failure.message.en):
            assert "{" not in text, text


def test_rule_texts_are_bilingual_and_profile_values_are_filled():
    for rule in PACK.rules:
        for text in (rule.title, rule.rationale, rule.remediation):
            assert text.id and text.en and text.id != text.en, rule.id
            assert "{profile" not in text.id + text.en, rule.id
    host = PACK.get("HOST-004")
    assert "jambikota.go.id" in host.remediation.en


def test_references_resolve_to_the_pack_regulations():
    sso = PACK.get("SSO-001")
    assert [r.short for r in sso.references] == [
        "Perpres 95/2018",
        "Permenkominfo 4/2024",
    ]
    assert sso.references[0].article is None  # the catalogue gives no article
    assert sso.references[1].confidence == "medium"
    assert all(rule.perwal is None for rule in PACK.rules)  # final text not published


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", target, ignore=shutil.ignore_patterns("__*"))
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "message"),
    [
        ("HOST-004.yaml", "domain: hosting", "domain: hosting: x", 2, "invalid YAML"),
        ("HOST-004.yaml", "severity: error", "severity: fatal", 3, "severity"),
        ("HOST-004.yaml", "id: HOST-004", "id: HOST-005", 1, "file name"),
        (
            "HOST-004.yaml",
            "regulation: pp-71-2019",
            "regulation: pp-99-2099",
            44,
            "pp-99-2099",
        ),
        (
            "HOST-004.yaml",
            "check: city-subdomain",
            "check: city-sub",
            56,
            "unknown check",
        ),
        (
            "HAND-001.yaml",
            "${profile.source_code_hosts}",
            "${profile.nope}",
            66,
            "profile has no",
        ),
        (
            "GOV-003.yaml",
            "enum: [aplikasi_umum",
            "type: strng\n      enum: [aplikasi_umum",
            51,
            "predicate[0].schema.type",
        ),
        (
            "DATA-005.yaml",
            "    confidence: high\n",
            "",
            39,
            "references[0].confidence: is required",
        ),
    ],
)
def test_broken_rule_files_name_file_and_position(
    pack_dir: Path, file: str, old: str, new: str, line: int, message: str
):
    replace_in(pack_dir / file, old, new)
    with pytest.raises(RulePackError) as info:
        rulepack.load_pack(pack_dir)
    error = info.value
    assert error.path.endswith(f"pack/{file}")
    assert error.line == line
    assert message in error.render("en")


def test_a_pack_folder_needs_pack_yaml(tmp_path: Path):
    with pytest.raises(RulePackError, match=r"pack\.yaml"):
        rulepack.load_pack(tmp_path)


def test_another_city_adopts_the_tool_by_writing_a_profile(pack_dir: Path):
    replace_in(
        pack_dir / "pack.yaml", "domain: jambikota.go.id", "domain: contohkota.go.id"
    )
    other = rulepack.load_pack(pack_dir)
    host = other.get("HOST-004")
    assert [
        f.status
        for f in evaluate(host, "domain:\n  fqdn: app.contohkota.go.id\n", other)
    ] == [Status.PASS]
    failed = evaluate(host, "domain:\n  fqdn: app.jambikota.go.id\n", other)
    assert "contohkota.go.id" in failed[0].message.en


def test_profile_overrides_reach_schemas_and_checks():
    pack = rulepack.load_pack(
        profile_overrides={"sso": {"issuer": "https://login.example.go.id/realms/x"}}
    )
    sso = pack.get("SSO-001")
    text = "auth:\n  sso:\n    enabled: true\n    issuer: https://login.example.go.id/realms/x\n"
    assert [f.status for f in evaluate(sso, text, pack)] == [Status.PASS]
    assert pack.profile.domain == "jambikota.go.id"  # other values stay


def test_configure_selects_ignores_and_overrides_severity():
    from spbe_lint.findings import Severity

    rules = rulepack.configure(
        PACK.rules,
        select=["HOST", "SSO-001"],
        ignore=["HOST-004"],
        severity={"SSO-001": Severity.ERROR},
    )
    hosting = [
        (r.id, r.severity, None)
        for r in PACK.rules
        if r.id.startswith("HOST-") and r.id != "HOST-004"
    ]
    assert [(r.id, r.severity, r.default_severity) for r in rules] == [
        *hosting,
        ("MAN-001", Severity.ERROR, None),  # always in force
        ("MAN-003", Severity.ERROR, None),
        ("MAN-004", Severity.ERROR, None),
        ("SSO-001", Severity.ERROR, Severity.WARNING),
    ]
    assert rulepack.unknown_selectors(PACK.rules, ["HOST", "NOPE-001", "HOS"]) == [
        "NOPE-001",
        "HOS",
    ]


def test_text_placeholders_survive_missing_values():
    text = LocalText("{known} {missing}", "{known} {missing.attr}")
    assert text.format({"known": "x"}) == LocalText("x {missing}", "x {missing.attr}")


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A private pack cache, and the files each load validates."""
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    validated: list[str] = []
    real_validate = rulepack._validate
    monkeypatch.setattr(
        rulepack,
        "_validate",
        lambda doc, name: validated.append(doc.path) or real_validate(doc, name),
    )
    return validated


def test_validated_packs_are_cached_and_the_cache_is_only_an_optimisation(
    pack_dir: Path, tmp_path: Path, calls: list[str]
):
    first = rulepack.load_pack(pack_dir)
    assert len(calls) == len(first.rules) + 1  # every rule file and pack.yaml
    (entry,) = (tmp_path / "cache").glob("pack-*.json")

    calls.clear()
    second = rulepack.load_pack(pack_dir)
    assert calls == []  # unchanged files: nothing validated again
    assert [r.id for r in second.rules] == [r.id for r in first.rules]
    assert second.get("HOST-004").title == first.get("HOST-004").title

    replace_in(pack_dir / "GOV-003.yaml", "severity: error", "severity: warning")
    third = rulepack.load_pack(pack_dir)  # a changed file is a new key
    assert third.get("GOV-003").severity.label == "warning"
    assert len(calls) == len(first.rules) + 1

    entry.write_text("{not json", "utf-8")  # a damaged cache is ignored
    replace_in(pack_dir / "GOV-003.yaml", "severity: warning", "severity: error")
    assert rulepack.load_pack(pack_dir).get("GOV-003").severity.label == "error"


def test_a_cache_entry_that_does_not_build_falls_back_to_a_fresh_load(
    pack_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    rulepack.load_pack(pack_dir)
    (entry,) = (tmp_path / "cache").glob("pack-*.json")
    damaged = json.loads(entry.read_text("utf-8"))
    damaged["HOST-004.yaml"]["predicate"][0]["check"] = "no-such-check"
    damaged["GOV-003.yaml"] = {"id": 42}
    entry.write_text(json.dumps(damaged), "utf-8")
    pack = rulepack.load_pack(pack_dir)
    assert pack.get("HOST-004").predicates[0].check == "city-subdomain"
    assert pack.get("GOV-003").domain == "governance"


def test_the_cache_can_be_turned_off(pack_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SPBE_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SPBE_LINT_NO_CACHE", "1")
    rulepack.load_pack(pack_dir)
    assert not (tmp_path / "cache").exists()


TEMPLATE_AND_SCHEMA_PROBLEMS = [
    (
        "HOST-004.yaml",
        '"{field}: {host} is',
        '"{field}: {host is',
        9,
        "invalid text template",
    ),
    (
        "GOV-003.yaml",
        "  en: >-\n    Write app.category",
        '  en: >-\n    {"a": 1} Write app.category',
        33,
        "write {{ and }} for literal braces",
    ),
    (
        "GOV-003.yaml",
        "      enum: [aplikasi_umum",
        "      $ref: '#/nothere'\n      enum: [aplikasi_umum",
        51,
        "references ($ref)",
    ),
    (
        "GOV-003.yaml",
        "domain: governance",
        'domain: governance\nx: "\x00"',
        3,
        "U+0000",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "message"), TEMPLATE_AND_SCHEMA_PROBLEMS
)
def test_rule_texts_and_schemas_that_would_fail_later_fail_at_load(
    pack_dir: Path, file: str, old: str, new: str, line: int, message: str
):
    replace_in(pack_dir / file, old, new)
    with pytest.raises(RulePackError) as info:
        rulepack.load_pack(pack_dir)
    assert info.value.line == line
    assert message in info.value.render("en")


def test_an_entry_that_is_not_a_readable_file_is_a_pack_error(pack_dir: Path):
    (pack_dir / "XYZ-001.yaml").mkdir()
    with pytest.raises(RulePackError, match="cannot read file"):
        rulepack.load_pack(pack_dir)


def test_rule_files_with_another_extension_are_refused(pack_dir: Path):
    (pack_dir / "HOST-004.yaml").rename(pack_dir / "HOST-004.yml")
    with pytest.raises(RulePackError, match=r"must end in \.yaml") as info:
        rulepack.load_pack(pack_dir)
    assert info.value.path.endswith("HOST-004.yml")


def test_a_profile_value_named_in_a_text_must_exist(pack_dir: Path):
    replace_in(
        pack_dir / "HOST-004.yaml",
        "(e.g. appname.{profile.domain})",
        "{profile.domian}",
    )
    with pytest.raises(RulePackError) as info:
        rulepack.load_pack(pack_dir)
    assert "the profile has no value for {profile.domian}" in info.value.render("en")
    assert info.value.line == 36


def test_a_new_version_or_schema_is_a_cache_miss(
    pack_dir: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch
):
    rulepack.load_pack(pack_dir)
    first = len(calls)
    monkeypatch.setattr(rulepack, "__version__", "99.0.0")
    rulepack.load_pack(pack_dir)
    assert len(calls) == 2 * first
    real_text = resources.schema_text
    monkeypatch.setattr(
        resources,
        "schema_text",
        lambda name: real_text(name) + (" " if name == "rule" else ""),
    )
    rulepack.load_pack(pack_dir)
    assert len(calls) == 3 * first


def test_profile_overrides_merge_nested_mappings():
    pack = rulepack.load_pack(
        profile_overrides={
            "aplikasi_umum": [],
            "sso": {"issuer": "https://x.example/r"},
        }
    )
    assert pack.profile["aplikasi_umum"] == []  # lists replace
    merged = rulepack._merge({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 9}})
    assert merged == {"a": {"b": 9, "c": 2}, "d": 3}


def test_every_package_of_the_source_tree_ships_in_the_wheel():
    """pyproject lists packages by hand: a new sub-package left out of the list
    works from the checkout and fails from an installed wheel."""
    import tomllib

    from tests.conftest import ROOT

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"][
            "setuptools"
        ]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "spbe_lint").rglob("__init__.py")
    }
    assert on_disk <= listed, sorted(on_disk - listed)
