"""How fast is spbe-lint against check-jsonschema, measured in the same run?

(a) one manifest, whole process (the pre-commit case);
(b) N generated manifests (default 1,000; some broken) in one invocation;
(c) how long hostile inputs take to be refused (each must stay under a second).

check-jsonschema validates the same files against the same manifest schema
(schemas/manifest.schema.json); spbe-lint additionally runs the whole rule pack.
A ratio <= 1.0 means spbe-lint is no slower.

    pip install -e '.[bench]' && python bench/check_speed.py [--count 1000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "spbe.yaml"
SCHEMA = ROOT / "schemas" / "manifest.schema.json"
BIN = Path(sys.executable).parent

# Variations applied to copies of the compliant example: (old, new, every n-th file).
VARIATIONS = [
    ("fqdn: sipelita.jambikota.go.id", "fqdn: sipelita-{i}.example.com", 10),
    ('nip: "198703122010012003"', "nip: 198703122010012003", 25),
    ("      via: splpd", "      via: direct", 15),
    ("open_high: 0", "open_high: 2", 20),
    ("status: production", "status: development", 7),
    ("category: aplikasi_khusus", "category: aplikasi_lain", 30),
    ("hosting:\n  provider:", "hostng:\n  provider:", 40),
    ("  dpo:\n", "  dpoo:\n", 35),
]


def generate(folder: Path, count: int) -> list[Path]:
    base = EXAMPLE.read_text("utf-8")
    rng = random.Random(1571)
    paths = []
    for i in range(count):
        text = base.replace("name: sipelita", f"name: app-{i:04d}", 1)
        text = text.replace("sipelita.jambikota.go.id", f"app-{i:04d}.jambikota.go.id")
        for old, new, every in VARIATIONS:
            if i % every == every - 1 or rng.random() < 0.02:
                text = text.replace(old, new.format(i=i), 1)
        if i % 97 == 96:
            text += "broken: [unclosed\n"  # a YAML syntax error
        target = folder / f"app-{i:04d}" / "spbe.yaml"
        target.parent.mkdir(parents=True)
        target.write_text(text, "utf-8")
        paths.append(target)
    return paths


def timed(command: list[str], cwd: Path, allowed: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in allowed:
        sys.exit(f"{command[0]} exited {done.returncode}: {done.stderr.decode()[:500]}")
    return elapsed


def compare(
    name: str, ours: list[str], theirs: list[str], cwd: Path, repeat: int
) -> dict:
    timed(ours, cwd)  # warm the file cache and the bytecode cache once
    timed(theirs, cwd)
    samples: dict[str, list[float]] = {"spbe-lint": [], "check-jsonschema": []}
    for _ in range(repeat):  # alternate, so that drifting machine load hits both
        samples["spbe-lint"].append(timed(ours, cwd))
        samples["check-jsonschema"].append(timed(theirs, cwd))
    medians = {tool: statistics.median(times) for tool, times in samples.items()}
    ratio = medians["spbe-lint"] / medians["check-jsonschema"]
    print(
        f"{name:<34} spbe-lint {medians['spbe-lint']:8.3f} s   "
        f"check-jsonschema {medians['check-jsonschema']:8.3f} s   ratio {ratio:5.2f}"
    )
    return {"case": name, "median_seconds": medians, "ratio": ratio, "samples": samples}


def hostile_inputs(folder: Path) -> dict[str, float]:
    cases = {
        "alias bomb (billion laughs)": "\n".join(
            ['a: &a ["x","x","x","x","x","x","x","x","x"]']
            + [
                f"{chr(98 + i)}: &{chr(98 + i)} ["
                + ",".join([f"*{chr(97 + i)}"] * 9)
                + "]"
                for i in range(8)
            ]
        ).encode(),
        "10,000-level nesting": b"a: " + b"[" * 10_000 + b"]" * 10_000,
        "binary": bytes(range(256)) * 64,
    }
    results = {}
    for name, content in cases.items():
        path = folder / "hostile" / name.split()[0] / "spbe.yaml"
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        results[name] = timed(
            [str(BIN / "spbe-lint"), "check", str(path)], folder, (2,)
        )
    big = folder / "hostile" / "huge" / "spbe.yaml"
    big.parent.mkdir(parents=True)
    with big.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)
    results["50 MB file"] = timed(
        [str(BIN / "spbe-lint"), "check", str(big)], folder, (2,)
    )
    for name, seconds in results.items():
        print(f"  refused {name:<30} in {seconds:6.3f} s (whole process)")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    for tool in ("spbe-lint", "check-jsonschema"):
        if not (BIN / tool).exists():
            sys.exit(
                f"{tool} is not installed beside {sys.executable}: pip install -e '.[bench]'"
            )
    folder = Path(tempfile.mkdtemp(prefix="spbe-bench-"))
    try:
        paths = generate(folder / "apps", args.count)
        lint = [str(BIN / "spbe-lint"), "check", "--isolated", "--format", "concise"]
        cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA)]
        rel = [str(p.relative_to(folder)) for p in paths]
        print(
            f"python {sys.version.split()[0]}, {args.repeat} runs each, median wall time"
        )
        results = [
            compare(
                "(a) one manifest, whole process",
                [*lint, str(EXAMPLE)],
                [*cjs, str(EXAMPLE)],
                folder,
                args.repeat,
            ),
            compare(
                f"(b) {args.count} manifests, one run",
                [*lint, "apps"],
                [*cjs, *rel],
                folder,
                max(3, args.repeat // 2),
            ),
        ]
        print("(c) hostile inputs")
        hostile = hostile_inputs(folder)
        if args.json:
            args.json.write_text(
                json.dumps({"results": results, "hostile": hostile}, indent=2)
            )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
