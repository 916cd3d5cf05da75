"""Committed secrets (SEC-012) through the real entry point: ``check`` on a
repository (tracked files only) and ``scan [FILES]``, with real-looking secrets
the tests write; what the scanner must leave alone; the value never shown in any
output, log or cache; waivers, baselines and ``.secrets.baseline``; hostile files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import submission

ARGS = ("--as-of", "2026-11-28", "--lang", "en")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# Real-looking secrets, assembled here so that this file holds none verbatim.
AWS_KEY_ID = "AK" + "IA" + "Q3ZP7RT2XW9LM4KD"
AWS_SECRET = _b64(hashlib.sha256(b"aws-secret").digest())[:40].replace("+", "x")
PEM_BODY = _b64(hashlib.sha512(b"rsa").digest())
PEM = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\n" + PEM_BODY + "\n"
    "-----END RSA " + "PRIVATE KEY-----\n"
)
APP_KEY = "base64:" + _b64(hashlib.sha256(b"laravel").digest())
DB_PASSWORD = "Jambi#Kota2026!"
JWT = ".".join(
    [
        _b64url(b'{"alg":"HS256","typ":"JWT"}'),
        _b64url(b'{"sub":"198703122010012003","name":"Rina"}'),
        _b64url(hashlib.sha256(b"signature").digest()),
    ]
)
VALUES = (AWS_KEY_ID, AWS_SECRET, PEM_BODY, APP_KEY, DB_PASSWORD, JWT)

SECRET_FILES = {
    "config/aws.py": f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\n'
    f'aws_secret_access_key = "{AWS_SECRET}"\n',
    "storage/oauth-private.key": PEM,
    ".env": f"APP_NAME=Sipelita\nAPP_KEY={APP_KEY}\nDB_HOST=10.15.71.20\n"
    f"DB_PASSWORD={DB_PASSWORD}\n",
    "public/js/token.js": f'const token = "{JWT}";\n',
}
# (file, line, kind) of each secret above
EXPECTED = {
    ("config/aws.py", 1, "AWS Access Key"),
    ("config/aws.py", 2, "AWS Access Key"),
    ("storage/oauth-private.key", 1, "Private Key"),
    (".env", 2, "Laravel APP_KEY"),
    (".env", 4, "Secret Keyword"),
    ("public/js/token.js", 1, "JSON Web Token"),
}


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")


def git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder.parent)}
    return subprocess.run(
        ["git", *args], cwd=folder, env=env, check=True, capture_output=True, text=True
    ).stdout


def repository(folder: Path, files: dict[str, str]) -> Path:
    """A real git repository holding the compliant submission and *files*, all
    tracked (staged)."""
    submission(folder)
    write(folder, files)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    return folder


def secret_findings(report: dict) -> set[tuple[str, int, str]]:
    return {
        (f["location"]["path"], f["location"]["line"], f["kind"] and _kind(f))
        for f in report["findings"]
        if f["rule"] == "SEC-012" and f["kind"] == "secret" and f["status"] == "fail"
    }


def _kind(finding: dict) -> str:
    message = finding["message_i18n"]["en"]
    return message.split("committed secret (", 1)[1].split(")", 1)[0]


def test_check_reports_each_committed_secret_at_its_line(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)
    result = run("check", *ARGS, "-f", "json")
    assert result.status == 1, result.stderr
    report = result.json()
    assert secret_findings(report) == EXPECTED
    sec = [f for f in report["findings"] if f["rule"] == "SEC-012"]
    assert all(f["severity"] == "error" for f in sec)
    # The missing-algorithms warning is its own rule; here they are declared.
    assert {f["status"] for f in report["findings"] if f["rule"] == "SEC-013"} == {
        "pass"
    }
    text = run("check", *ARGS).stdout
    assert (
        ".env:2:1: error SEC-012 committed secret (Laravel APP_KEY) on this line; "
        "its value is not shown." in " ".join(text.split())
    )


def test_only_tracked_files_are_scanned(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", {".gitignore": ".env\n"})
    write(repo, {".env": SECRET_FILES[".env"], "notes.txt": SECRET_FILES[".env"]})
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    assert secret_findings(report) == set()  # ignored and untracked: not read
    statuses = {f["status"] for f in report["findings"] if f["rule"] == "SEC-012"}
    assert statuses == {"pass"}
    git(repo, "add", "notes.txt")
    report = run("check", *ARGS, "-f", "json").json()
    assert {(p, line) for p, line, _ in secret_findings(report)} == {
        ("notes.txt", 2),
        ("notes.txt", 4),
    }


def test_the_value_is_never_in_any_output_the_cache_or_stderr(
    run, tmp_path, monkeypatch
):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)
    outputs = {
        fmt: tmp_path / f"out.{fmt}"
        for fmt in (
            "json",
            "sarif",
            "junit",
            "markdown",
            "html",
            "github",
            "concise",
            "text",
        )
    }
    args = [arg for fmt, path in outputs.items() for arg in ("-o", f"{fmt}={path}")]
    result = run("check", *ARGS, *args, "--debug")
    assert result.status == 1
    texts = {fmt: path.read_text("utf-8") for fmt, path in outputs.items()}
    texts["stdout"], texts["stderr"] = result.stdout, result.stderr
    cache = Path(os.environ["SPBE_LINT_CACHE_DIR"])
    texts.update({p.name: p.read_text("utf-8") for p in cache.glob("secrets-*.json")})
    assert any(name.startswith("secrets-") for name in texts)
    assert "Laravel APP_KEY" in texts["json"] and "Laravel APP_KEY" in texts["sarif"]
    digests = [hashlib.sha1(v.encode()).hexdigest() for v in VALUES]
    for name, text in texts.items():
        for value in (*VALUES, *digests, PEM_BODY[:20]):
            assert value not in text, (name, value[:8])


def test_fingerprints_survive_lines_moving_and_baselines_hide_known_secrets(
    run, tmp_path, monkeypatch
):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)

    def fingerprints() -> dict[tuple[str, str], str]:
        report = run("check", *ARGS, "-f", "json").json()
        return {
            (f["location"]["path"], f["location"]["pointer"]): f["fingerprint"]
            for f in report["findings"]
            if f["kind"] == "secret"
        }

    before = fingerprints()
    assert len(before) == 6
    assert all(pointer.startswith("/secret/") for _, pointer in before)
    env = repo / ".env"
    env.write_text("# konfigurasi\n# configuration\n" + env.read_text("utf-8"))
    assert fingerprints() == before

    created = run("baseline", "create", *ARGS)
    assert created.status == 0, created.stderr
    result = run("check", *ARGS, "--baseline", "spbe-baseline.json")
    assert result.status == 0, result.stdout
    assert "6 known failure(s) hidden" in result.stdout
    write(repo, {"deploy.sh": f'export DB_PASSWORD="{DB_PASSWORD}x"\n'})
    git(repo, "add", "deploy.sh")
    result = run("check", *ARGS, "--baseline", "spbe-baseline.json")
    assert result.status == 1
    assert "deploy.sh:1:1: error SEC-012" in result.stdout


def test_a_waiver_covers_the_secrets_of_a_path(run, tmp_path, monkeypatch):
    from tests.test_waivers import waiver, write_waivers

    repo = repository(
        tmp_path / "opd-app",
        {"tests/fixtures/jwt.js": SECRET_FILES["public/js/token.js"]},
    )
    monkeypatch.chdir(repo)
    scope = {"path": "tests/fixtures/*", "pointer": "/secret"}
    write_waivers(
        repo,
        waiver("SEC-012", scope=scope, issued="2026-10-01", expires="2027-03-31"),
    )
    report = run("check", *ARGS, "-f", "json").json()
    (secret,) = [f for f in report["findings"] if f["kind"] == "secret"]
    assert secret["waiver"]["id"] == "W-2026-001"
    assert report["summary"]["exit_status"] == 0


def test_the_secrets_baseline_accepts_known_false_positives_only(
    run, tmp_path, monkeypatch
):
    """A baseline made by detect-secrets itself: the test fixture it lists is
    accepted; what its audit marked a real secret is not; reviewer mode honours
    none of it."""
    fixture = {"tests/fixtures/token.js": SECRET_FILES["public/js/token.js"]}
    repo = repository(tmp_path / "opd-app", {**fixture, ".env": SECRET_FILES[".env"]})
    made = subprocess.run(
        [str(Path(sys.executable).with_name("detect-secrets")), "scan"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    baseline = json.loads(made.stdout)
    assert set(baseline["results"]) >= {"tests/fixtures/token.js", ".env"}
    for entry in baseline["results"][".env"]:
        entry["is_secret"] = True  # audited: a real secret
    (repo / ".secrets.baseline").write_text(json.dumps(baseline), "utf-8")
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    assert {(p, line) for p, line, _ in secret_findings(report)} == {
        (".env", 2),  # spbe-lint's Laravel detector: not in detect-secrets' baseline
        (".env", 4),  # listed, but audited as a real secret
    }
    report = run("check", *ARGS, "--reviewer", "-f", "json").json()
    assert ("tests/fixtures/token.js", 1) in {
        (p, line) for p, line, _ in secret_findings(report)
    }


def test_a_secrets_baseline_never_runs_code_nor_hangs_the_scan(
    run, tmp_path, monkeypatch
):
    marker = tmp_path / "imported"
    plugin = tmp_path / "evil.py"
    plugin.write_text(f"open({str(marker)!r}, 'w').write('x')\n", "utf-8")
    baseline = {
        "plugins_used": [
            {"name": "EvilDetector", "path": f"file://{plugin}"},
            {"name": "KeywordDetector", "keyword_exclude": "(a+)+$"},
        ],
        "filters_used": [
            {"path": f"file://{plugin}::evil"},
            {
                "path": "detect_secrets.filters.regex.should_exclude_file",
                "pattern": ["(a+)+$"],
            },
        ],
        "results": {},
    }
    repo = repository(tmp_path / "opd-app", {".env": SECRET_FILES[".env"]})
    (repo / ".secrets.baseline").write_text(json.dumps(baseline), "utf-8")
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    assert not marker.exists()
    assert (".env", 4, "Secret Keyword") in secret_findings(report)


def test_a_broken_secrets_baseline_is_a_finding_at_its_position(
    run, tmp_path, monkeypatch
):
    repo = repository(
        tmp_path / "opd-app", {".secrets.baseline": '{"results": {\n  "a": [}\n'}
    )
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    (finding,) = [f for f in report["findings"] if f["kind"] == "secrets-baseline"]
    assert finding["location"]["path"] == ".secrets.baseline"
    assert finding["location"]["line"] == 2
    assert (
        "cannot be read as a detect-secrets baseline" in finding["message_i18n"]["en"]
    )


def test_files_the_scanner_leaves_alone(run, tmp_path, monkeypatch):
    integrity = "sha512-" + _b64(hashlib.sha512(b"left-pad").digest())
    lock = json.dumps(
        {"packages": {"node_modules/left-pad": {"integrity": integrity}}}, indent=2
    )
    minified = "var a=" + ";".join(f'k{i}="{_b64(os.urandom(24))}"' for i in range(400))
    commit = hashlib.sha1(b"commit").hexdigest()
    files = {
        "package-lock.json": lock + "\n",
        "composer.lock": '{"content-hash": "' + hashlib.md5(b"x").hexdigest() + '"}\n',
        "public/js/app.min.js": minified + "\n",
        "public/js/bundle.js": minified + "\n",  # one very long line: generated
        ".pre-commit-config.yaml": f"repos:\n  - repo: https://git.jambikota.go.id/x\n"
        f"    rev: {commit}\n",
        "public/img/logo.png": "\x89PNG\r\n",
        "data/dump.bin": "\0\0" + AWS_KEY_ID,
    }
    repo = repository(tmp_path / "opd-app", files)
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    assert secret_findings(report) == set()
    assert {f["status"] for f in report["findings"] if f["rule"] == "SEC-012"} == {
        "pass"
    }


def test_hostile_files_are_not_followed_nor_read(run, tmp_path, monkeypatch):
    outside = tmp_path / "outside.env"
    outside.write_text(SECRET_FILES[".env"], "utf-8")
    repo = repository(tmp_path / "opd-app", {})
    (repo / "linked.env").symlink_to(outside)
    (repo / "config").mkdir(exist_ok=True)
    (repo / "linked-dir").symlink_to(tmp_path)
    big = repo / "big.sql"
    big.write_text(
        f"-- DB_PASSWORD='{DB_PASSWORD}'\n" + "x" * (3 * 1024 * 1024), "utf-8"
    )
    git(repo, "add", "-A")
    os.mkfifo(repo / "pipe.env")  # untracked; walked folders skip it too
    monkeypatch.chdir(repo)
    report = run("check", *ARGS, "-f", "json").json()
    assert secret_findings(report) == set()


def test_a_submission_folder_without_git_is_walked(run, workdir: Path):
    """No usable repository (an unpacked archive, here an empty .git): every
    regular file of the folder is scanned, FIFOs and links are not."""
    submission(workdir)
    write(workdir, {"src/.env": SECRET_FILES[".env"]})
    os.mkfifo(workdir / "src" / "pipe")
    (workdir / "src" / "link.env").symlink_to(workdir / "src" / ".env")
    report = run("check", *ARGS, "-f", "json").json()
    assert {(p, line) for p, line, _ in secret_findings(report)} == {
        ("src/.env", 2),
        ("src/.env", 4),
    }


def test_only_the_manifest_leaves_the_secrets_to_a_reviewer(run, workdir: Path):
    alone = workdir / "kiriman"
    alone.mkdir()
    (alone / "spbe.yaml").write_text(
        (Path(__file__).parent.parent / "examples" / "spbe.yaml").read_text("utf-8")
    )
    report = run("check", *ARGS, str(alone), "-f", "json").json()
    (sec,) = [f for f in report["findings"] if f["rule"] == "SEC-012"]
    assert sec["status"] == "manual"
    assert "a reviewer must scan the repository" in sec["message_i18n"]["en"]


def test_without_git_a_repository_cannot_be_listed(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", {".env": SECRET_FILES[".env"]})
    monkeypatch.chdir(repo)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-bin"))
    report = run("check", *ARGS, "-f", "json").json()
    (sec,) = [f for f in report["findings"] if f["rule"] == "SEC-012"]
    assert sec["status"] == "manual"
    assert "git is not installed" in sec["message_i18n"]["en"]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_secrets_skip_leaves_the_scan_to_the_hook(run, tmp_path, monkeypatch, lang):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)
    args = ("--as-of", "2026-11-28", "--lang", lang, "--secrets", "skip")
    result = run("check", *args)
    assert result.status == 0, result.stdout
    # the manual result is counted, and listed with --show manual
    assert "--show passed,na,manual" in " ".join(result.stdout.split())
    listed = run("check", *args, "--show", "manual")
    assert "--secrets skip" in " ".join(listed.stdout.split())


# -- spbe-lint scan [FILES]: the pre-commit path ---------------------------------


def test_scan_reads_only_the_files_it_is_given(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)
    result = run("scan", ".env", "public/js", "spbe.yaml", "--lang", "en", "-f", "json")
    assert result.status == 1
    report = result.json()
    assert {
        (f["location"]["path"], f["location"]["line"]) for f in report["findings"]
    } == {
        (".env", 2),
        (".env", 4),
        ("public/js/token.js", 1),
    }
    assert report["scan"] == {
        "files": 3,  # .env, the folder's token.js, spbe.yaml
        "skipped": {},
        "accepted": 0,
        "baseline": None,
    }
    assert report["inputs"] == []
    text = run("scan", ".env", "--lang", "en").stdout
    assert text.endswith(
        "1 file(s) scanned for secrets, 2 failed (2 error(s)), 0 passed.\n"
        "Summary by domain:\n  security    2 error(s)\n"
    )


def test_scan_without_files_reads_the_tracked_files(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    write(repo, {"untracked.env": SECRET_FILES[".env"]})
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    git(repo, "add", "logo.png")
    monkeypatch.chdir(repo)
    report = run("scan", "-f", "json").json()
    assert {f["location"]["path"] for f in report["findings"]} == {
        path for path, _, _ in EXPECTED
    }
    assert report["scan"]["skipped"]["filtered"] >= 1  # the image, the PDFs
    clean = repository(tmp_path / "clean", {})
    monkeypatch.chdir(clean)
    result = run("scan", "--lang", "en")
    assert result.status == 0
    assert "No problems found." in result.stdout


def test_scan_refuses_names_outside_the_folder_and_missing_files(
    run, tmp_path, monkeypatch
):
    repo = repository(tmp_path / "opd-app", {"a.txt": "halo\n"})
    (tmp_path / "outside.env").write_text(SECRET_FILES[".env"], "utf-8")
    monkeypatch.chdir(repo)
    result = run("scan", "a.txt", "../outside.env", "hilang.env", "--lang", "en")
    assert result.status == 2
    assert result.stderr.splitlines() == [
        "../outside.env: error: the file is outside the folder scanned; run "
        "spbe-lint scan from the repository root",
        "hilang.env: error: no such file",
    ]
    assert DB_PASSWORD not in result.stdout + result.stderr


def test_scan_never_shows_a_value_and_says_it_in_bahasa_indonesia(
    run, tmp_path, monkeypatch
):
    repo = repository(tmp_path / "opd-app", SECRET_FILES)
    monkeypatch.chdir(repo)
    formats = ("json", "sarif", "junit", "markdown", "html", "github", "concise")
    outputs = [arg for f in formats for arg in ("-o", f"{f}={tmp_path / f}")]
    result = run("scan", *outputs)
    assert result.status == 1
    texts = [result.stdout, result.stderr] + [
        (tmp_path / f).read_text() for f in formats
    ]
    for text in texts:
        for value in VALUES:
            assert value not in text
    assert "rahasia terkomit (Laravel APP_KEY) di baris ini" in result.stdout


def test_scan_honours_waivers_baselines_and_reviewer_mode(run, tmp_path, monkeypatch):
    from tests.test_waivers import waiver, write_waivers

    repo = repository(tmp_path / "opd-app", {".env": SECRET_FILES[".env"]})
    monkeypatch.chdir(repo)
    assert run("scan").status == 1
    write_waivers(
        repo,
        waiver(
            "SEC-012",
            scope={"path": ".env"},
            issued="2026-10-01",
            expires="2027-03-31",
        ),
    )
    result = run("scan", "--as-of", "2026-11-28", "--lang", "en")
    assert result.status == 0, result.stdout
    assert "waived:error SEC-012" in result.stdout
    (repo / "spbe-waivers.yaml").unlink()
    created = run("baseline", "create", "--as-of", "2026-11-28")
    assert created.status == 0, created.stderr
    data = json.loads((repo / "spbe-baseline.json").read_text("utf-8"))
    assert {e["path"] for e in data["findings"] if e["rule"] == "SEC-012"} == {".env"}
    assert run("scan", "--baseline", "spbe-baseline.json").status == 0
    made = subprocess.run(
        [str(Path(sys.executable).with_name("detect-secrets")), "scan", ".env"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    (repo / ".secrets.baseline").write_text(made.stdout, "utf-8")
    report = run("scan", ".env", "-f", "json").json()
    assert report["scan"]["accepted"] == 1  # the password; not the APP_KEY
    assert report["scan"]["baseline"] == ".secrets.baseline"
    assert [f["location"]["line"] for f in report["findings"]] == [2]
    report = run("scan", ".env", "--reviewer", "-f", "json").json()
    assert [f["location"]["line"] for f in report["findings"]] == [2, 4]


def test_file_names_that_are_not_utf8_or_break_lines(run, tmp_path, monkeypatch):
    repo = repository(tmp_path / "opd-app", {})
    for name in (b"config/bad\xff.env", b"config/new\nline.env"):
        path = os.fsdecode(bytes(repo) + b"/" + name)
        Path(path).parent.mkdir(exist_ok=True)
        Path(path).write_text(SECRET_FILES[".env"], "utf-8")
    git(repo, "add", "-A")
    monkeypatch.chdir(repo)
    result = run("scan", "--lang", "en", "-f", "concise")
    assert result.status == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4  # two secrets in each; no name breaks a line
    assert {line.split(":", 1)[0] for line in lines} == {
        "config/bad\\xff.env",
        "config/new\\nline.env",
    }
    assert run("check", *ARGS, "-f", "json").status == 1
