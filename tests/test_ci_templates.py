"""The CI templates in examples/ci/: each is valid for its CI system (the
GitHub workflow and GitLab CI JSON Schemas that check-jsonschema vendors from
SchemaStore), and the exact shell commands it contains run against example
repositories (a temporary git repository holding a manifest), producing the
reports the template hands to its CI system. Steps that need the network
(installing spbe-lint, actions, the GitHub API) are named and left out; the
installed spbe-lint stands in for the install step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

from spbe_lint import yamltree
from tests.conftest import EXAMPLES, submission
from tests.standards import assert_valid_junit, assert_valid_sarif

CI = EXAMPLES / "ci"
BIN = str(Path(sys.executable).parent)


def load(name: str) -> dict:
    # YAML 1.2 as CI systems read it: `on:` is a key, not the boolean true.
    return yaml.load((CI / name).read_text("utf-8"), Loader=yamltree.LOADER)


def vendored_schema(name: str) -> dict:
    schemas = files("check_jsonschema.builtin_schemas.vendor")
    return json.loads(schemas.joinpath(name).read_text("utf-8"))


def assert_valid(document: dict, schema_name: str) -> None:
    schema = vendored_schema(schema_name)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = list(validator.iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def repository(tmp_path: Path, kind: str) -> Path:
    """A git repository holding a complete submission, or a typical first one."""
    repo = tmp_path / kind
    if kind == "compliant":
        submission(repo)
    else:
        repo.mkdir()
        shutil.copy(EXAMPLES / "typical-first-submission" / "spbe.yaml", repo)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def shell(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    # GitHub's and GitLab's default: bash with errexit (GitHub adds pipefail).
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env={**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# -- GitHub Actions -------------------------------------------------------------

GITHUB = "github-actions.yml"
# Steps not run here, and why. A new step fails the test until it is covered.
NOT_RUN = {
    "install": "needs the network; the installed spbe-lint stands in",
    "Comment on the pull request": "runs on pull_request only and calls the GitHub API",
}


def test_the_github_workflow_is_valid():
    workflow = load(GITHUB)
    assert_valid(workflow, "github-workflows.json")
    steps = workflow["jobs"]["spbe-lint"]["steps"]
    uses = {step["uses"].split("@")[0] for step in steps if "uses" in step}
    assert "github/codeql-action/upload-sarif" in uses
    assert workflow["permissions"]["security-events"] == "write"


def _expand(command: str, outputs: dict[str, dict[str, str]]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert step, f"unexpected expression in a run step: {expression}"
        return outputs[step.group(1)][step.group(2)]

    return re.sub(r"\$\{\{(.*?)\}\}", value, command)


def run_workflow(repo: Path, tmp_path: Path) -> tuple[int, dict[str, str]]:
    """Run the workflow's steps as a push would; the verdict step's status."""
    steps = load(GITHUB)["jobs"]["spbe-lint"]["steps"]
    summary = tmp_path / "summary.md"
    outputs: dict[str, dict[str, str]] = {}
    verdict = None
    ran = []
    for step in steps:
        key = step.get("id") or step.get("name")
        if "uses" in step:
            for name in ("sarif_file", "path"):  # inputs that name our files
                if name in step.get("with", {}):
                    assert (repo / step["with"][name]).exists(), step
            continue
        if key in NOT_RUN or step.get("name") in NOT_RUN:
            continue
        output_file = tmp_path / f"output-{len(ran)}"
        output_file.write_text("", "utf-8")
        env = {"GITHUB_OUTPUT": str(output_file), "GITHUB_STEP_SUMMARY": str(summary)}
        result = shell(_expand(step["run"], outputs), repo, env)
        ran.append(step["name"])
        lines = output_file.read_text("utf-8").splitlines()
        outputs[key] = dict(line.split("=", 1) for line in lines if "=" in line)
        if step["name"] == "Verdict":
            verdict = result.returncode
        else:
            assert result.returncode == 0, (step["name"], result.stderr)
    assert ran == ["Check the manifest", "Job summary", "Verdict"]
    assert verdict is not None
    return verdict, outputs["check"]


@pytest.mark.parametrize(("kind", "status"), [("compliant", 0), ("first", 1)])
def test_the_github_workflow_commands_run_on_a_repository(tmp_path, kind, status):
    repo = repository(tmp_path, kind)
    verdict, outputs = run_workflow(repo, tmp_path)
    assert verdict == status
    assert outputs == {"status": str(status)}
    sarif = json.loads((repo / "reports" / "spbe.sarif").read_text("utf-8"))
    assert_valid_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert bool(results) is (kind == "first")
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert summary == (repo / "reports" / "spbe.md").read_text("utf-8")
    assert ("**Putusan: belum siap**" in summary) is (kind == "first")


# -- GitLab CI ------------------------------------------------------------------

GITLAB = "gitlab-ci.yml"


def test_the_gitlab_job_is_valid():
    pipeline = load(GITLAB)
    assert_valid(pipeline, "gitlab-ci.json")
    job = pipeline["spbe-lint"]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"].endswith(".xml")


@pytest.mark.parametrize(("kind", "status"), [("compliant", 0), ("first", 1)])
def test_the_gitlab_script_runs_on_a_repository(tmp_path, kind, status):
    repo = repository(tmp_path, kind)
    job = load(GITLAB)["spbe-lint"]
    # before_script installs spbe-lint from the network: the installed one stands in.
    result = shell("\n".join(job["script"]), repo, {})
    assert result.returncode == status, result.stderr
    junit = repo / job["artifacts"]["reports"]["junit"]
    assert_valid_junit(junit.read_text("utf-8"))
    for path in job["artifacts"]["paths"]:
        assert (repo / path).exists()
    report = json.loads((repo / "reports" / "spbe.json").read_text("utf-8"))
    assert report["summary"]


def test_the_schemas_do_catch_a_broken_template():
    workflow = load(GITHUB)
    del workflow["jobs"]["spbe-lint"]["runs-on"]
    with pytest.raises(AssertionError):
        assert_valid(workflow, "github-workflows.json")
    pipeline = load(GITLAB)
    pipeline["spbe-lint"]["artifacts"]["when"] = "sometimes"
    with pytest.raises(AssertionError):
        assert_valid(pipeline, "gitlab-ci.json")
