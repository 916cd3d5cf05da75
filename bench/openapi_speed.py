"""How fast does spbe-lint judge OpenAPI descriptions, against Spectral, in the
same run?

(a) every document of the shared corpus (../shared/corpus/openapi) through
    ``spbe-lint check`` (one process per document, as a hook runs it, the cache
    off) against ``spectral lint`` with the ``spectral:oas`` ruleset on the same
    documents (one process per document). A ratio <= 1.0 means spbe-lint is no
    slower.
(b) the one-manifest pre-commit path: the example manifest with its
    description published at a URL (nothing local judged: the path before issue
    15), with the example's small description, and with a generated 1 MB
    description, cold (cache off) and warm (the judgement remembered).

Spectral comes from the npm registry (@stoplight/spectral-cli) and is installed
into a work folder outside the repository unless --spectral names its binary.

    python bench/openapi_speed.py [--repeat 3] [--spectral PATH] [--skip-spectral]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
EXAMPLE = ROOT / "examples" / "spbe.yaml"
BIN = Path(sys.executable).parent


def spectral_binary(given: str | None) -> Path:
    if given:
        return Path(given)
    work = Path(tempfile.gettempdir()) / "spbe-lint-bench" / "spectral"
    binary = work / "node_modules" / ".bin" / "spectral"
    if not binary.exists():
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(work),
                "--no-audit",
                "--no-fund",
                "@stoplight/spectral-cli",
            ],
            check=True,
            capture_output=True,
        )
    return binary


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds the command took; a run that did not judge (a usage error, a
    crash) stops the bench rather than being timed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} in {cwd}: exit {done.returncode}\n{done.stderr}")
    return elapsed


def submission(folder: Path, spec_name: str, spec: Path | None) -> Path:
    """The example manifest in *folder* naming *spec* (copied in) or a URL."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".git").mkdir(exist_ok=True)
    text = EXAMPLE.read_text("utf-8")
    if spec is None:
        url = "https://sipelita.jambikota.go.id/api/v1/openapi.json"
        text = text.replace("spec: docs/api/openapi.yaml", f"spec: {url}")
    else:
        target = folder / "docs" / "api" / spec_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(spec, target)
        text = text.replace(
            "spec: docs/api/openapi.yaml", f"spec: docs/api/{spec_name}"
        )
    (folder / "spbe.yaml").write_text(text, "utf-8")
    return folder / "spbe.yaml"


def big_description(target: Path, size: int) -> Path:
    """A valid description of about *size* bytes of JSON (distinct operations)."""
    operation = {
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        }
    }
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "besar", "version": "1.0.0"},
        "servers": [{"url": "https://sipelita.jambikota.go.id/api/v1"}],
        "paths": {},
    }
    count = 0
    while len(json.dumps(spec)) < size:
        for _ in range(200):
            count += 1
            item = json.loads(json.dumps(operation))
            item["operationId"] = f"izin{count}"
            item["description"] = "Daftar izin usaha yang terbit di Kota Jambi. " * 4
            spec["paths"][f"/izin/{count}"] = {"get": item}
    target.write_text(json.dumps(spec), "utf-8")
    return target


def median(values: list[float]) -> float:
    return statistics.median(values)


def corpus_run(args: argparse.Namespace, work: Path) -> None:
    documents = sorted(p for p in CORPUS.iterdir() if p.suffix in (".json", ".yaml"))
    env = {**os.environ, "SPBE_LINT_NO_CACHE": "1"}
    ours, theirs = [], []
    ruleset = work / ".spectral.yaml"
    ruleset.write_text("extends: ['spectral:oas']\n", "utf-8")
    spectral = None if args.skip_spectral else spectral_binary(args.spectral)
    for index, document in enumerate(documents):
        folder = work / f"corpus-{index}"
        submission(folder, document.name, document)
        ours.append(
            median(
                [
                    timed(
                        [str(BIN / "spbe-lint"), "check", "--format", "concise"],
                        folder,
                        env,
                    )
                    for _ in range(args.repeat)
                ]
            )
        )
        if spectral is not None:
            theirs.append(
                median(
                    [
                        timed(
                            [
                                str(spectral),
                                "lint",
                                "-r",
                                str(ruleset),
                                "-f",
                                "json",
                                str(document),
                            ],
                            work,
                            env,
                        )
                        for _ in range(args.repeat)
                    ]
                )
            )
        shown = f"{theirs[-1]:.2f}s" if theirs else "-"
        print(f"  {document.name[:60]:60} spbe-lint {ours[-1]:.2f}s  spectral {shown}")
    total = sum(ours)
    print(
        f"(a) corpus, {len(documents)} documents: spbe-lint check {total:.2f}s", end=""
    )
    if theirs:
        print(f", spectral lint {sum(theirs):.2f}s, ratio {total / sum(theirs):.2f}")
    else:
        print()


def precommit_run(args: argparse.Namespace, work: Path) -> None:
    cold = {**os.environ, "SPBE_LINT_NO_CACHE": "1"}
    warm = {**os.environ, "SPBE_LINT_CACHE_DIR": str(work / "cache")}
    command = [str(BIN / "spbe-lint"), "check", "--format", "concise"]
    url = submission(work / "url", "", None).parent
    small = submission(
        work / "small",
        "openapi.yaml",
        ROOT / "examples" / "docs" / "api" / "openapi.yaml",
    ).parent
    big = big_description(work / "besar.json", 1 << 20)
    large = submission(work / "large", "besar.json", big).parent
    timed(command, large, warm)  # fill the cache
    timed(command, small, warm)  # fill the cache
    rows = [
        ("spec is a URL (nothing judged locally)", url, cold),
        ("the example's small description, cache off", small, cold),
        ("the example's small description, judgement cached", small, warm),
        (f"a {big.stat().st_size / 1e6:.1f} MB description, cache off", large, cold),
        (
            f"a {big.stat().st_size / 1e6:.1f} MB description, judgement cached",
            large,
            warm,
        ),
    ]
    base = None
    for label, folder, env in rows:
        value = median([timed(command, folder, env) for _ in range(args.repeat)])
        base = base or value
        print(f"(b) {label:48} {value:.2f}s  ({value / base:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spectral", help="the spectral binary (default: npm install)")
    parser.add_argument("--skip-spectral", action="store_true")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS} not found: the shared corpus must sit beside the clone")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        corpus_run(args, work)
        precommit_run(args, work)


if __name__ == "__main__":
    main()
