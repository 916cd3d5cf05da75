"""How fast is spbe-lint against the fastest anchors, measured in the same run?

(a) one manifest, whole process, the pre-commit hook's command
    (``spbe-lint check --secrets skip``) against yamllint on the same file;
(b) N generated manifests (default 1,000; some broken) in one invocation,
    ``--format concise``, against check-jsonschema (with ruamel.yaml.clib)
    validating the same files against the same manifest schema; spbe-lint
    also runs the whole rule pack; once as it runs by default (a worker
    process per CPU) and once with ``--jobs 1`` (one process, as the anchor);
(c) 10 x N manifests in one process (``--jobs 1``): peak memory (RSS) and time
    against N's (linear: 1.0), and the peak of the same run in the default
    text format (summary included);
(d) how long hostile inputs take to be refused (each must stay under a second).

Each comparison alternates the two tools for several rounds (a shared, loaded
machine drifts) and prints the ratio of the medians and the range of the
per-round ratios. Targets (issue 18): (a) <= 1.0, (b) <= 1.0, (c) < 150 MiB.
(a) is also counted in instructions with valgrind's callgrind when valgrind
is installed: one run each, repeatable on a busy machine where seconds drift.

    pip install '.[bench]' && python bench/check_speed.py   # --quick: seconds
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from benchlib import (
    BIN,
    EXAMPLE,
    SCHEMA,
    counted,
    describe,
    interleaved,
    peak_rss_mib,
    require,
    timed,
)

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
        target = folder / f"app-{i:05d}" / "spbe.yaml"
        target.parent.mkdir(parents=True)
        target.write_text(text, "utf-8")
        paths.append(target)
    return paths


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
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (b)")
    parser.add_argument("--single-rounds", type=int, default=15, help="rounds of (a)")
    parser.add_argument(
        "--scale", type=int, default=10, help="(c) runs COUNT x SCALE (0: skip)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="20 manifests, 1 round: does it work?"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.quick:
        args.count, args.rounds, args.single_rounds, args.scale = 20, 1, 1, 2
    require("spbe-lint", "check-jsonschema")
    facts = describe()
    lint = [str(BIN / "spbe-lint"), "check", "--isolated", "--format", "concise"]
    cjs = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA)]
    results: dict[str, object] = {"environment": facts}
    with tempfile.TemporaryDirectory(prefix="spbe-bench-") as temporary:
        folder = Path(temporary)
        # A cache of the bench's own, warmed by the first run of each case (a
        # hook's cache is warm: the rule pack and the example's evidence judged).
        os.environ["SPBE_LINT_CACHE_DIR"] = str(folder / "cache")
        if (BIN / "yamllint").exists():
            hook = [str(BIN / "spbe-lint"), "check", "--secrets", "skip", str(EXAMPLE)]
            yamllint = [str(BIN / "yamllint"), str(EXAMPLE)]
            results["one"] = interleaved(
                "(a) one manifest, whole process",
                lambda: timed(hook, folder),
                lambda: timed(yamllint, folder),
                args.single_rounds,
                "yamllint",
            )
            results["one_instructions"] = counted(
                "(a) one manifest, instructions", hook, yamllint, folder, "yamllint"
            )
        else:
            print("(a) skipped: yamllint is not installed (pip install '.[bench]')")
            if not args.quick:
                sys.exit(1)
        paths = generate(folder / "apps", args.count)
        rel = [str(p.relative_to(folder)) for p in paths]
        many = interleaved(
            f"(b) {args.count} manifests, one run",
            lambda: timed([*lint, "apps"], folder),
            lambda: timed([*cjs, *rel], folder),
            args.rounds,
            "check-jsonschema",
        )
        results["many"] = many
        # The same run in one process (--jobs 1): what a single core does, and
        # the figure to compare where the anchor's one process is the measure.
        results["many_one_process"] = interleaved(
            f"(b) {args.count} manifests, one run, --jobs 1",
            lambda: timed([*lint, "--jobs", "1", "apps"], folder),
            lambda: timed([*cjs, *rel], folder),
            args.rounds,
            "check-jsonschema",
        )
        if args.scale:
            big = args.count * args.scale
            generate(folder / "big", big)
            # One process (--jobs 1): its peak is the run's whole memory (with
            # workers, wait4 reports the largest process, not their sum).
            alone = [*lint, "--jobs", "1"]
            small_time, small_peak = peak_rss_mib([*alone, "apps"], folder)
            big_time, big_peak = peak_rss_mib([*alone, "big"], folder)
            text = [str(BIN / "spbe-lint"), "check", "--isolated", "-j", "1", "big"]
            text_time, text_peak = peak_rss_mib(text, folder)  # the default format
            linear = big_time / (small_time * args.scale)
            print(
                f"(c) {big} manifests: {big_time:.1f} s, peak RSS {big_peak:.0f} MiB "
                f"(target < 150); {args.count}: {small_time:.1f} s, "
                f"{small_peak:.0f} MiB; time per manifest {linear:.2f}x "
                f"the {args.count}-run's (linear: 1.0)\n"
                f"(c) {big} manifests, default text format: {text_time:.1f} s, "
                f"peak RSS {text_peak:.0f} MiB (target < 150)"
            )
            results["scale"] = {
                "count": big,
                "seconds": big_time,
                "peak_rss_mib": big_peak,
                "small_seconds": small_time,
                "small_peak_rss_mib": small_peak,
                "per_manifest_ratio": linear,
                "text_seconds": text_time,
                "text_peak_rss_mib": text_peak,
            }
        print("(d) hostile inputs")
        results["hostile"] = hostile_inputs(folder)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), "utf-8")


if __name__ == "__main__":
    main()
