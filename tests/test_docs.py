"""Documentation that cannot rot: the shell blocks of README.md and docs/*.md run
here, and every relative link points at a file of the repository.

A fenced shell block (sh, shell, bash, console) carries a marker on the line
before its fence, an HTML comment GitHub does not render:

    <!-- runnable -->            runs; every command must exit 0
    <!-- runnable exit=1 -->     runs; the last command exits 1, every one before 0
    <!-- runnable exit=0,1,1 --> runs; the status of each command, in order
    <!-- skip: REASON -->        not run (the network, a terminal prompt...)

and a block of any language marked ``<!-- file: PATH -->`` is written to PATH
before the runnable blocks that follow it on the same page (a waiver file, a
configuration), so the YAML the page shows is the YAML that is tested.

A runnable block runs command by command in one bash (pipefail; a ``cd`` holds
for the commands after it) through the installed ``spbe-lint`` (this
interpreter's bin first on PATH), from the root of a fresh copy of the
repository, so it never writes into the checkout; the Python processes it starts
may not leave the machine (tests/offline/sitecustomize.py).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
BIN = Path(sys.executable).parent
OFFLINE = Path(__file__).parent / "offline"
SHELLS = frozenset({"sh", "shell", "bash", "console"})
# Deleting markers (or whole pages) must fail the suite, not shrink it quietly.
MINIMUM_RUNNABLE = 29
# What a runnable block may never do: it would reach the network or change the
# machine (the Python guard does not see other programs).
FORBIDDEN = ("pip install", "curl ", "wget ", "git clone", "pre-commit ", "sudo ")
# Not copied into the temporary repository: version control, environments, caches.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".ruff_cache",
    "build",
    "dist",
    ".work",
)

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<kind>runnable|skip|file)\b(?P<rest>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    marker: str  # runnable | skip | file | "" (none)
    argument: str  # exit=N, the reason, or the path

    @property
    def name(self) -> str:
        shown = (
            self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        )
        return f"{shown}:{self.line}"

    @property
    def shell(self) -> bool:
        return self.language in SHELLS

    @property
    def commands(self) -> list[str]:
        """The block's commands: comments and blank lines dropped, continuation
        lines (ending in a backslash, a pipe, && or ||) joined to their command."""
        commands: list[str] = []
        continued = False
        for line in self.code.splitlines():
            stripped = line.strip()
            if continued:
                commands[-1] += "\n" + line
            elif stripped and not stripped.startswith("#"):
                commands.append(line)
            else:
                continue
            continued = stripped.endswith(("\\", "|", "&&"))
        return commands

    @property
    def statuses(self) -> list[int]:
        """The exit status each command must give."""
        count = len(self.commands)
        if self.marker != "runnable" or not re.fullmatch(
            r"exit=\d+(,\d+)*", self.argument
        ):
            return [0] * count
        given = [int(n) for n in self.argument.removeprefix("exit=").split(",")]
        if len(given) == 1:
            return [0] * (count - 1) + given
        return given


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a page, with the marker on the line before each."""
    lines = page.read_text("utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence)
            and lines[end].strip().strip(fence[0]) == ""
        ):
            end += 1
        before = lines[index - 1] if index else ""
        marker = _MARKER.match(before)
        body = [line[len(indent) :] for line in lines[index + 1 : end]]
        found.append(
            Block(
                page=page,
                line=index + 1,
                language=(opening["info"].split() or [""])[0].lower(),
                code=textwrap.dedent("\n".join(body)) + "\n",
                marker=marker["kind"] if marker else "",
                argument=marker["rest"].strip().lstrip(":").strip() if marker else "",
            )
        )
        index = end + 1
    return found


ALL = [block for page in PAGES for block in blocks(page)]
RUNNABLE = [block for block in ALL if block.shell and block.marker == "runnable"]


def test_every_page_exists_and_every_shell_block_is_marked():
    names = {page.name for page in PAGES}
    expected = {"README.md"} | {
        f"{name}.md"
        for name in (
            "vendors",
            "reviewers",
            "audit",
            "probing",
            "rules",
            "speed",
            "development",
        )
    }
    assert expected <= names, f"missing pages: {sorted(expected - names)}"
    unmarked = [b.name for b in ALL if b.shell and b.marker not in ("runnable", "skip")]
    assert not unmarked, (
        f"shell blocks without <!-- runnable --> or <!-- skip: -->: {unmarked}"
    )
    reasonless = [b.name for b in ALL if b.marker == "skip" and not b.argument]
    assert not reasonless, f"skipped blocks must say why: {reasonless}"
    bad = [
        b.name
        for b in RUNNABLE
        if b.argument and not re.fullmatch(r"exit=\d+(,\d+)*", b.argument)
    ]
    assert not bad, f"a runnable marker takes only exit=N or exit=N,N,...: {bad}"
    counted = [b.name for b in RUNNABLE if len(b.statuses) != len(b.commands)]
    assert not counted, f"exit=N,N,... needs one status per command: {counted}"
    heredocs = [b.name for b in RUNNABLE if "<<" in b.code]
    assert not heredocs, (
        f"runnable blocks are run command by command, no heredocs: {heredocs}"
    )
    misplaced = [b.name for b in ALL if b.marker == "file" and not b.argument]
    assert not misplaced, f"<!-- file: PATH --> needs a path: {misplaced}"


def test_enough_blocks_run(capsys):
    skipped = [b for b in ALL if b.shell and b.marker == "skip"]
    with capsys.disabled():
        print(
            f"\ndocumentation: {len(RUNNABLE)} shell blocks run, {len(skipped)} skipped:"
        )
        for block in skipped:
            print(f"  skipped {block.name}: {block.argument}")
    assert len(RUNNABLE) >= MINIMUM_RUNNABLE, (
        f"only {len(RUNNABLE)} runnable shell blocks in the documentation "
        f"(at least {MINIMUM_RUNNABLE} expected): were markers deleted?"
    )


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository as a clone has it (no environments, caches or history)."""
    copy = tmp_path_factory.mktemp("docs") / "spbe-lint"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED, symlinks=True)
    return copy


def execute(block: Block, pristine: Path, tmp_path: Path) -> str:
    """Run a block in a fresh copy of the repository; what is wrong, or ""."""
    assert (BIN / "spbe-lint").is_file(), f"spbe-lint is not installed in {BIN}"
    for word in FORBIDDEN:
        if word in block.code:
            return f"{block.name}: a runnable block may not run {word!r}"
    repo = tmp_path / "spbe-lint"
    shutil.copytree(pristine, repo, symlinks=True)
    (repo / ".git").mkdir()  # a clone: the repository root (configuration lookup)
    for earlier in ALL:
        if (
            earlier.page == block.page
            and earlier.marker == "file"
            and earlier.line < block.line
        ):
            target = repo / earlier.argument
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(earlier.code, "utf-8")
    network_log = tmp_path / "network.log"
    status_log = tmp_path / "statuses.log"
    home = tmp_path / "home"
    home.mkdir()
    scratch = tmp_path / "tmp"  # what a block's programs leave in TMPDIR goes with it
    scratch.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("NO_COLOR", "CI", "SPBE_LINT_LANG", "SPBE_LINT_NO_CACHE")
    }
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        HOME=str(home),
        TMPDIR=str(scratch),
        PYTHONPATH=str(OFFLINE),
        SPBE_DOCS_NETWORK_LOG=str(network_log),
    )
    # Each command, then its status into a file of our own (fd 9); no errexit, so
    # the statuses of all commands are known, and a cd holds for the next ones.
    script = [f"set -o pipefail\nexec 9>{shlex.quote(str(status_log))}"]
    for command in block.commands:
        script += [command, 'echo "$?" >&9']
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", "\n".join(script)],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    statuses = [int(line) for line in status_log.read_text().split()]
    shown = (
        f"{block.name}\n{block.code}--- statuses {statuses}, expected {block.statuses}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    if network_log.exists():
        return f"reached for the network ({network_log.read_text().strip()}):\n{shown}"
    if "Traceback" in result.stderr:
        return f"a traceback:\n{shown}"
    if len(block.statuses) != len(block.commands):
        return (
            f"{len(block.commands)} commands, {len(block.statuses)} statuses:\n{shown}"
        )
    for number, (got, expected) in enumerate(
        zip(statuses, block.statuses, strict=False), start=1
    ):
        if got != expected:
            return f"command {number} exited {got}, expected {expected}:\n{shown}"
    if len(statuses) != len(block.commands) or result.returncode != 0:
        return f"the block did not run to its end:\n{shown}"
    return ""


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda block: block.name)
def test_runnable_block(block: Block, pristine: Path, tmp_path: Path):
    problem = execute(block, pristine, tmp_path)
    assert not problem, problem


def _synthetic(code: str, marker: str, tmp_path: Path) -> Block:
    tmp_path.mkdir()
    page = tmp_path / "page.md"
    page.write_text(f"text\n\n{marker}\n```sh\n{code}```\n", "utf-8")
    (block,) = blocks(page)
    return block


@pytest.mark.parametrize(
    ("marker", "code", "problem"),
    [
        ("<!-- runnable -->", "spbe-lint --version\n", ""),
        (
            "<!-- runnable -->",
            "spbe-lint check examples/broken/hosting/\n",
            "command 1 exited 1, expected 0",
        ),
        ("<!-- runnable exit=1 -->", "spbe-lint check examples/broken/hosting/\n", ""),
        (
            "<!-- runnable exit=1 -->",
            "spbe-lint check examples/broken/hosting/   # fails first\nspbe-lint --version\n",
            "command 1 exited 1, expected 0",
        ),
        (
            "<!-- runnable exit=1 -->",
            "spbe-lint check examples/broken/hosting/\n"
            "spbe-lint check \\\n  examples/broken/sso/\n",
            "command 1 exited 1, expected 0",
        ),
        (
            "<!-- runnable exit=1,0,1 -->",
            "spbe-lint check examples/broken/hosting/\n# a comment\n\n"
            "mkdir x && cd x\n"
            "spbe-lint check \\\n  ../examples/broken/hosting/\n",
            "",
        ),
        (
            "<!-- runnable exit=1,1 -->",
            "spbe-lint --version\n",
            "1 commands, 2 statuses",
        ),
        ("<!-- runnable exit=2 -->", "spbe-lint check no-such-folder/\n", ""),
        (
            "<!-- runnable -->",
            "spbe-lint --version\nexit 0\nspbe-lint --version\n",
            "end",
        ),
        (
            "<!-- runnable -->",
            "python -c 'import socket; socket.getaddrinfo(\"example.org\", 443)' || true\n",
            "reached for the network",
        ),
        (
            "<!-- runnable -->",
            "spbe-lint --version && pip install nothing\n",
            "pip install",
        ),
    ],
)
def test_the_block_runner_catches_what_is_wrong(
    marker: str, code: str, problem: str, pristine: Path, tmp_path: Path
):
    # The runner must fail a wrong exit status, an early failure hidden behind an
    # expected one, a block cut short and a reach for the network; and pass what
    # is right (a cd holding for the commands after it).
    block = _synthetic(code, marker, tmp_path / "page")
    found = execute(block, pristine, tmp_path / "run")
    assert (problem in found) if problem else not found, found


def test_markers_are_read_from_the_line_before_the_fence(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "- a list item:\n\n  <!-- runnable exit=1 -->\n  ```sh\n  spbe-lint check x\n"
        "  spbe-lint check \\\n    y\n  ```\n"
        "\n<!-- skip: needs the network -->\n```bash\nspbe-lint probe\n```\n"
        "\n```sh\nunmarked\n```\n\n<!-- file: a/b.yaml -->\n```yaml\nk: v\n```\n",
        "utf-8",
    )
    found = [
        (b.language, b.marker, b.argument, b.statuses, b.commands) for b in blocks(page)
    ]
    assert found == [
        (
            "sh",
            "runnable",
            "exit=1",
            [0, 1],
            ["spbe-lint check x", "spbe-lint check \\\n  y"],
        ),
        ("bash", "skip", "needs the network", [0], ["spbe-lint probe"]),
        ("sh", "", "", [0], ["unmarked"]),
        ("yaml", "file", "a/b.yaml", [0], ["k: v"]),
    ]


# --- links -----------------------------------------------------------------------

_LINK = re.compile(
    r"(?<!\!)\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\)"
)
_IMAGE = re.compile(r"!\[[^\]]*\]\((?P<target>[^)\s]+)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(?P<target>\S+)", re.MULTILINE)
_HREF = re.compile(r"""(?:href|src)=["'](?P<target>[^"']+)["']""")
_CODE = re.compile(r"(`+)(?:.|\n)*?\1")


def _prose(page: Path) -> str:
    """The page without its fenced blocks and inline code (which show, not link)."""
    lines = page.read_text("utf-8").splitlines()
    for block in blocks(page):
        end = block.line + block.code.count("\n")
        for number in range(block.line - 1, min(end + 1, len(lines))):
            lines[number] = ""
    return _CODE.sub("", "\n".join(lines))


def links(page: Path) -> list[str]:
    text = _prose(page)
    return [
        match["target"].strip("<>")
        for pattern in (_LINK, _IMAGE, _REFERENCE, _HREF)
        for match in pattern.finditer(text)
    ]


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes."""
    seen: dict[str, int] = {}
    found = set()
    for line in _prose(page).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        text = re.sub(r"<[^>]+>", "", heading.group(1))
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_points_into_the_repository(page: Path):
    problems = []
    for target in links(page):
        if "../shared" in target or "shared/DESIGN" in target:
            problems.append(f"{target}: ../shared is not in a clone")
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            if not target.startswith(("https://", "http://", "mailto:")):
                problems.append(f"{target}: unexpected scheme")
            continue
        path, _, fragment = target.partition("#")
        resolved = (page.parent / unquote(path)).resolve() if path else page
        if not resolved.is_relative_to(ROOT):
            problems.append(f"{target}: leaves the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif (
            fragment and resolved.suffix == ".md" and fragment not in anchors(resolved)
        ):
            problems.append(f"{target}: no heading #{fragment} in {resolved.name}")
    assert not problems, f"{page.relative_to(ROOT)}: {problems}"


def test_the_link_checker_sees_links():
    # A checker that found no links would pass everything.
    readme = links(ROOT / "README.md")
    assert any(target.startswith("docs/") for target in readme), readme
