"""Issue 19, the vendor's side: the legal basis is the law, counts agree across
formats, text fits the terminal, and the language is one (numbers, --help,
usage errors, probe reasons). Everything through the real command line."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
import yaml

from spbe_lint import rulepack
from spbe_lint.cli import cli, helptext
from spbe_lint.errors import RulePackError
from spbe_lint.i18n import format_number
from spbe_lint.probes.reasons import indonesian
from spbe_lint.resources import default_pack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PACK = rulepack.load_pack()
# Words of research notes and of practice that must never read as legal basis.
NOT_LAW = re.compile(
    r"belum dibaca|tidak dibaca|sumber sekunder|praktik|Kudus|Tegal|Parepare|"
    r"not read|secondary source|practice|dibaca melalui|read through",
    re.IGNORECASE,
)


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def typical(workdir: Path) -> Path:
    shutil.copytree(EXAMPLES / "typical-first-submission", workdir / "app")
    return workdir / "app"


# -- the legal basis is the law ---------------------------------------------------


def test_every_reference_has_a_kind_and_binding_ones_name_their_place():
    kinds = {ref.kind for rule in PACK.rules for ref in rule.references}
    assert kinds == {"binding", "practice", "secondary"}
    for rule in PACK.rules:
        for ref in rule.references:
            if ref.kind == "binding":
                assert ref.article or ref.provision, (rule.id, ref.short)
            else:
                assert ref.provision is None, (rule.id, ref.short)
    # the catalogue's examples: other regions' guides are practice, never basis
    by_short = {ref.short: ref.kind for rule in PACK.rules for ref in rule.references}
    assert by_short["Panduan SSO Kudus (praktik)"] == "practice"
    assert by_short["Prosedur subdomain Kab. Tegal (praktik)"] == "practice"
    assert by_short["Perda Parepare 9/2023"] == "secondary"
    assert by_short["PermenPANRB 59/2020"] == "secondary"  # text not read


def test_text_cites_only_binding_instruments_and_practice_apart(run, typical: Path):
    result = run("check", "app", "--lang", "id")
    assert result.status == 1
    text = words(result.stdout)
    bases = re.findall(r"dasar hukum: (.*?) (?:rujukan praktik|perbaikan):", text)
    assert len(bases) == len(
        re.findall(r": (?:error|warning|info) [A-Z]+-\d{3} ", text)
    )
    for basis in bases:
        assert not NOT_LAW.search(basis), basis
    # GOV-004 rests on a general principle of Perpres 95/2018, said as such; the
    # Tegal procedure is practice, apart; the NIP source (secondary) is not shown
    assert (
        "dasar hukum: Perpres 95/2018, asas umum akuntabilitas SPBE rujukan praktik: "
        "Prosedur subdomain Kab. Tegal (praktik) perbaikan:"
    ) in text
    assert "Perka BKN" not in text


@pytest.mark.parametrize("fmt", ["markdown", "junit", "github"])
def test_other_human_formats_cite_only_the_law(run, typical: Path, fmt: str):
    result = run("check", "app", "--format", fmt, "--lang", "en")
    assert not re.search(r"\bnot read\b", result.stdout)
    assert "secondary source" not in result.stdout
    assert "(read through" not in result.stdout
    assert "Permenkominfo 4/2024 Pasal 59 ayat (1)" in result.stdout


def test_a_rule_without_a_binding_reference_says_so(workdir: Path):
    pack = workdir / "pack"
    shutil.copytree(str(default_pack()), pack)
    rule = pack / "SSO-002.yaml"
    text = rule.read_text("utf-8")
    # the BSSN standard taken as secondary: only the Kudus guide is left, practice
    start = text.index("    kind: binding\n    provision:")
    end = text.index("    article: null", start)
    rule.write_text(text[:start] + "    kind: secondary\n" + text[end:], "utf-8")
    loaded = rulepack.load_pack(pack)
    (sso2,) = [r for r in loaded.rules if r.id == "SSO-002"]
    from spbe_lint.reporters import basis

    assert basis.lines(sso2.references, "id") == (
        "Dasar hukum: tidak ada pasal peraturan yang mengikat; asas umum dan praktik "
        "baik",
        "Rujukan praktik: Panduan SSO Kudus (praktik)",
    )


def test_a_binding_reference_without_article_or_provision_is_refused(workdir: Path):
    pack = workdir / "pack"
    shutil.copytree(str(default_pack()), pack)
    rule = pack / "GOV-004.yaml"
    text = rule.read_text("utf-8")
    start = text.index("    provision:\n")
    end = text.index("    confidence: low\n")
    rule.write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(RulePackError) as info:
        rulepack.load_pack(pack)
    assert info.value.path.endswith("GOV-004.yaml")
    assert info.value.line == text[:start].count("\n")  # the kind: line
    assert "binding reference needs an article or a provision" in str(
        info.value.render("en")
    )


def test_rules_explain_shows_every_reference_by_kind_with_notes(run, workdir: Path):
    text = run("rules", "explain", "GOV-004", "--lang", "en").stdout
    binding = text.index("Legal basis (binding regulations)")
    practice = text.index("Practice elsewhere (not binding on Kota Jambi)")
    secondary = text.index("Secondary sources and texts not read (not a legal basis)")
    assert binding < practice < secondary
    flat = words(text)
    assert "general principle of accountability in SPBE (low confidence)" in flat
    assert (
        "research note: general principle of accountability in SPBE (article not"
        in flat
    )
    assert "structure of the 18-digit NIP (secondary source)" in flat


def test_json_and_sarif_keep_every_reference_with_kind(run, typical: Path):
    report = run("check", "app", "--format", "json").json()
    assert report["report_version"] == "1.4"
    refs = [r for f in report["findings"] for r in f["references"]]
    assert {r["kind"] for r in refs} == {"binding", "practice", "secondary"}
    assert all("confidence" in r and "note" in r for r in refs)
    sarif = json.loads(run("check", "app", "--format", "sarif").stdout)
    relations = [
        rel["properties"]
        for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        for rel in rule.get("relationships", [])
    ]
    assert {r["kind"] for r in relations} == {"binding", "practice", "secondary"}


def test_a_report_of_version_1_3_is_read_with_the_kinds_of_the_shipped_pack(
    run, typical: Path
):
    run("check", "app", "--format", "json", "-o", "new.json")
    data = json.loads(Path("new.json").read_text("utf-8"))
    data["report_version"] = "1.3"
    for item in [*data["findings"], *data["rules"]]:
        for ref in item["references"]:
            del ref["kind"], ref["provision"]
    Path("old.json").write_text(json.dumps(data), "utf-8")
    old = run("report", "old.json", "--lang", "id")
    new = run("report", "new.json", "--lang", "id")
    assert old.stdout == new.stdout
    assert "rujukan praktik: Prosedur subdomain Kab. Tegal (praktik)" in words(
        old.stdout
    )


# -- counts agree across formats ---------------------------------------------------


def test_findings_and_rules_are_both_counted_and_agree_with_junit(run, typical: Path):
    text = words(run("check", "app", "--lang", "id").stdout)
    found = re.search(r"(\d+) temuan gagal dari (\d+) aturan", text)
    assert found, text[-400:]
    findings, rules = int(found[1]), int(found[2])
    assert findings > rules
    junit = ET.fromstring(run("check", "app", "--format", "junit").stdout)
    assert int(junit.get("failures")) == rules
    markdown = run("check", "app", "--format", "markdown").stdout
    assert f"### Temuan ({findings} dari {rules} aturan)" in markdown
    domain_rows = re.findall(r"^\| [^|]+ \| [^|]+ \| \d+ \| (\d+) \|", markdown, re.M)
    assert sum(int(n) for n in domain_rows) == rules
    # the review column is what is still to review, and says it counts rules
    assert "| Perlu ditinjau |" in markdown and "| Ditinjau |" not in markdown


# -- a terminal is 80 columns --------------------------------------------------------


def _longest_token(line: str) -> int:
    return max((len(token) for token in line.split()), default=0)


@pytest.mark.parametrize("columns", ["80", "60", "120"])
def test_text_fits_the_terminal_width(run, typical: Path, monkeypatch, columns: str):
    monkeypatch.setenv("COLUMNS", columns)
    width = int(columns)
    lines = run("check", "app").stdout.splitlines()
    assert len(lines) > 50
    for line in lines:
        # only a token that cannot be broken (a path, a URL) may run over
        assert len(line) <= width or _longest_token(line) > width - 8, line
    if width > 80:
        assert any(len(line) > 80 for line in lines)  # the width is used


def test_paths_and_urls_are_never_broken_inside(run, typical: Path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = run("check", "app").stdout
    assert "app/spbe.yaml:" in out
    assert "https://git.jambikota.go.id/" in out  # whole, on one line
    for line in out.splitlines():
        assert not line.rstrip().endswith("-") or line.rstrip().endswith(" -"), line


def test_by_default_only_failures_are_listed_and_the_rest_counted(run, workdir: Path):
    shutil.copytree(EXAMPLES / "broken", workdir / "broken")
    plain = run("check", "broken", "--lang", "en").stdout
    assert " manual " not in plain and " pass " not in plain
    assert "(list them with --show passed,na,manual)" in words(plain)
    listed = run("check", "broken", "--lang", "en", "--show", "manual").stdout
    manual = [line for line in listed.splitlines() if ": manual " in line]
    count = int(re.search(r"(\d+) to check by hand", words(listed))[1])
    assert len(manual) == count > 100
    assert "--show passed,na)" in words(listed)
    everything = run("check", "broken", "--show", "all", "--lang", "en").stdout
    assert ": pass " in everything and ": not_applicable " in everything
    assert "Not listed above" not in everything
    bad = run("check", "broken", "--show", "pased", "--lang", "en")
    assert bad.status == 2
    assert "pased; choose from manual, na, passed, all" in bad.stderr


def test_concise_stays_one_line_per_failure(run, typical: Path):
    out = run("check", "app", "--format", "concise").stdout
    lines = out.splitlines()
    assert all(re.match(r"^app/spbe\.yaml:\d+:\d+: ", line) for line in lines)
    assert max(len(line) for line in lines) > 80


# -- one language -----------------------------------------------------------------


def test_numbers_use_the_decimal_comma_in_bahasa_indonesia(run, typical: Path):
    assert format_number(3.6, "id") == "3,6" and format_number(3.6, "en") == "3.6"
    assert format_number(80.0, "id") == "80"
    assert format_number(1250.5, "id") == "1.250,5"
    indonesian_md = run("check", "app", "--format", "markdown").stdout
    english_md = run("check", "app", "--format", "markdown", "--lang", "en").stdout
    assert "Skor keseluruhan **3,6%**" in indonesian_md
    assert "| 8,6% |" in indonesian_md
    assert not re.search(r"\d\.\d%", indonesian_md)
    assert "Overall score **3.6%**" in english_md


def _options() -> list[tuple[str, click.Option]]:
    found = []

    def walk(command: click.Command, path: str) -> None:
        found.extend(
            (f"{path} {o.opts[-1]}", o)
            for o in command.params
            if isinstance(o, click.Option)
        )
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                walk(command.get_command(context, name), f"{path} {name}")

    walk(cli, "spbe-lint")
    return found


def test_every_option_of_every_command_has_an_indonesian_text():
    options = _options()
    assert len(options) > 100
    missing = [
        where
        for where, option in options
        if getattr(option, "english_help", option.help) not in helptext.OPTIONS
    ]
    assert missing == [], "add these to spbe_lint/cli/helptext.py OPTIONS"
    stale = set(helptext.OPTIONS) - {
        getattr(o, "english_help", o.help) for _, o in options
    }
    assert stale == set(), "texts no option has any more"


def test_every_command_has_an_indonesian_line_in_the_command_lists(run, workdir):
    names = set()

    def walk(command: click.Command) -> None:
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                names.add(name)
                walk(command.get_command(context, name))

    walk(cli)
    assert names == set(helptext.COMMANDS)
    listing = run("--help").stdout
    assert "Daftar dan penjelasan aturan dalam paket aturan." in listing
    assert "List and explain the rules" in run("--lang", "en", "--help").stdout


@pytest.mark.parametrize(
    "command", [["check"], ["audit"], ["rules", "explain"], ["init"], ["scan"]]
)
def test_help_is_indonesian_by_default_and_english_on_request(
    run, workdir: Path, monkeypatch, command: list[str]
):
    indonesian_help = run(*command, "--help").stdout
    assert indonesian_help.startswith("Penggunaan: spbe-lint")
    assert "\nOpsi:\n" in indonesian_help
    assert "Bahasa pesan: id (Bahasa Indonesia, bawaan) atau en." in words(
        indonesian_help
    )
    assert "Tampilkan pesan ini lalu keluar." in words(indonesian_help)
    english = run(*command, "--help", "--lang", "en").stdout
    assert english.startswith("Usage: spbe-lint")
    assert "Language of messages: id (Bahasa Indonesia, default) or en." in words(
        english
    )
    monkeypatch.setenv("SPBE_LINT_LANG", "en")
    assert run(*command, "--help").stdout == english
    assert run("--lang", "id", *command, "--help").stdout == indonesian_help


def test_lang_before_the_command_chooses_the_language(run, typical: Path):
    english = run("--lang", "en", "check", "app").stdout
    assert "1 manifest(s) checked" in english
    assert (
        "Legal basis (binding"
        in run("--lang", "en", "rules", "explain", "SEC-001").stdout
    )
    # the command's own --lang wins
    assert (
        "1 manifest diperiksa"
        in run("--lang", "en", "check", "app", "--lang", "id").stdout
    )


def test_indonesian_text_has_no_english_clauses(run, workdir: Path):
    shutil.copytree(EXAMPLES, workdir / "examples")
    out = run("check", "examples", "--show", "all", "--format", "json").json()
    english = re.compile(
        r"\b(the|is|must|should|cannot|missing|expected|required|invalid|which|does)\b"
    )
    for finding in out["findings"]:
        text = finding["message_i18n"]["id"]
        assert not english.search(text.replace("GPL-3.0-or-later", "")), text


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("no response", "tidak ada respons"),
        ("connection: Connection refused", "koneksi: koneksi ditolak"),
        (
            "timeout: no answer in time",
            "batas waktu: tidak ada jawaban dalam batas waktu",
        ),
        (
            "blocked: refused: loopback",
            "diblokir: ditolak: loopback (mesin ini sendiri)",
        ),
        (
            "redirect loop back to https://a.jambikota.go.id/",
            "pengalihan berputar kembali ke https://a.jambikota.go.id/",
        ),
        ("more than 10 redirects", "lebih dari 10 pengalihan"),
        ("body stopped: cap", "isi tanggapan terhenti: melebihi batas ukuran"),
        ("HTTP 404", "HTTP 404"),
    ],
)
def test_probe_reasons_in_bahasa_indonesia(reason: str, expected: str):
    assert indonesian(reason) == expected


def test_rule_files_are_valid_yaml_with_kinds():
    # the shipped pack's files say kind explicitly (the schema requires it)
    for path in Path(str(default_pack())).glob("*-*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        assert all("kind" in ref for ref in data["references"]), path.name
