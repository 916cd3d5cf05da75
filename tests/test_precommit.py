"""The real ``pre-commit`` tool, using this project as a hook repository.

The hook repository is a fresh git repository holding the working tree's files
(so uncommitted changes are what is tested). pre-commit installs it into its
own virtualenv; ``PIP_NO_INDEX`` keeps that install offline and ``PYTHONPATH``
lends it this environment's already-installed dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, submission

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
SHIPPED = (
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "spbe_lint",
    "rules",
    "schemas",
)


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    return {
        **os.environ,
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PIP_NO_INDEX": "1",  # never download: install from what is here
        "PIP_NO_BUILD_ISOLATION": "0",  # build with this environment's setuptools
        "PYTHONPATH": sysconfig.get_paths()["purelib"],
        "SPBE_LINT_LANG": "en",
    }


@pytest.fixture(scope="module")
def hook_repo(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]
) -> tuple[Path, str]:
    repo = tmp_path_factory.mktemp("spbe-lint-hooks")
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, repo / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy(source, repo / name)
    git("init", "-q", cwd=repo, env=env)
    git("add", ".", cwd=repo, env=env)
    git("commit", "-q", "-m", "hooks", cwd=repo, env=env)
    return repo, git("rev-parse", "HEAD", cwd=repo, env=env)


@pytest.fixture
def app_repo(tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> Path:
    repo_path, rev = hook_repo
    app = tmp_path / "opd-app"
    app.mkdir()
    git("init", "-q", cwd=app, env=env)
    (app / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path.as_posix()}\n    rev: {rev}\n"
        "    hooks:\n      - id: spbe-lint\n",
        "utf-8",
    )
    submission(app)
    (app / "README.md").write_text("# Aplikasi OPD\n", "utf-8")
    git("add", ".", cwd=app, env=env)
    return app


def pre_commit(
    app: Path, env: dict[str, str], *staged: str
) -> subprocess.CompletedProcess[str]:
    """``pre-commit run``: on every file, or (with *staged* options) as a commit
    runs it, on the staged files only."""
    which = list(staged) or ["--all-files"]
    return subprocess.run(
        [str(PRE_COMMIT), "run", *which, "--color", "never"],
        cwd=app,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_hook_passes_a_good_manifest_and_fails_a_broken_one(app_repo: Path, env):
    good = pre_commit(app_repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "spbe-lint" in good.stdout and "Passed" in good.stdout

    manifest = app_repo / "spbe.yaml"
    manifest.write_text(
        manifest.read_text("utf-8").replace(
            "fqdn: sipelita.jambikota.go.id", "fqdn: sipelita.vendor-cloud.example"
        ),
        "utf-8",
    )
    git("add", "spbe.yaml", cwd=app_repo, env=env)
    bad = pre_commit(app_repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert (
        "spbe.yaml:36:9: error HOST-004 domain.fqdn: sipelita.vendor-cloud.example"
        in bad.stdout
    )


def test_hook_ignores_files_that_are_not_manifests(app_repo: Path, env):
    (app_repo / "spbe.yaml").unlink()
    git("add", "-A", cwd=app_repo, env=env)
    result = pre_commit(app_repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout.replace(".", "")


def test_the_secrets_hook_reads_the_files_being_committed(app_repo: Path, env):
    """The spbe-lint-secrets hook beside the manifest hook: a staged .env with a
    Laravel APP_KEY and a database password fails at its lines, without the
    values; an untracked file and a lock file are left alone; a test fixture
    accepted in .secrets.baseline passes."""
    import base64
    import hashlib
    import json

    from tests.test_secrets import APP_KEY, DB_PASSWORD, SECRET_FILES

    config = app_repo / ".pre-commit-config.yaml"
    config.write_text(
        config.read_text("utf-8") + "      - id: spbe-lint-secrets\n", "utf-8"
    )
    git("add", ".pre-commit-config.yaml", cwd=app_repo, env=env)
    clean = pre_commit(app_repo, env, "--hook-stage", "pre-commit")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "spbe-lint secrets" in clean.stdout

    (app_repo / ".env").write_text(SECRET_FILES[".env"], "utf-8")
    (app_repo / "notes.env").write_text(SECRET_FILES[".env"], "utf-8")  # untracked
    integrity = base64.b64encode(hashlib.sha512(b"pkg").digest()).decode()
    (app_repo / "package-lock.json").write_text(
        json.dumps({"packages": {"x": {"integrity": f"sha512-{integrity}"}}}), "utf-8"
    )
    git("add", ".env", "package-lock.json", cwd=app_repo, env=env)
    bad = pre_commit(app_repo, env, "--hook-stage", "pre-commit")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert ".env:2:1: error SEC-012 committed secret (Laravel APP_KEY)" in bad.stdout
    assert ".env:4:1: error SEC-012 committed secret (Secret Keyword)" in bad.stdout
    assert "notes.env" not in bad.stdout and "package-lock" not in bad.stdout
    assert APP_KEY not in bad.stdout + bad.stderr
    assert DB_PASSWORD not in bad.stdout + bad.stderr

    # The .env becomes a test fixture, accepted in detect-secrets' baseline.
    git("rm", "-q", "--cached", ".env", cwd=app_repo, env=env)
    fixture = app_repo / "tests" / "fixtures" / "laravel.env"
    fixture.parent.mkdir(parents=True)
    (app_repo / ".env").rename(fixture)
    made = subprocess.run(
        [str(Path(sys.executable).with_name("detect-secrets")), "scan", str(fixture)],
        cwd=app_repo,
        capture_output=True,
        text=True,
        check=True,
    )
    baseline = json.loads(made.stdout)
    (app_repo / ".secrets.baseline").write_text(json.dumps(baseline), "utf-8")
    git("add", "tests", ".secrets.baseline", cwd=app_repo, env=env)
    result = pre_commit(app_repo, env, "--hook-stage", "pre-commit")
    # The password is accepted; the APP_KEY (spbe-lint's own detector, which
    # detect-secrets' baseline does not know) still fails.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "tests/fixtures/laravel.env:2:1: error SEC-012" in result.stdout
    assert "laravel.env:4:1" not in result.stdout
