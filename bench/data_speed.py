"""How fast does spbe-lint judge dataset evidence, measured in the same run?

(a) a 100,000-row CSV sample with its Table Schema through ``spbe-lint check``
    (the manifest names them; every rule runs), against ``frictionless validate``
    on the same schema and file, as a ratio (target <= 1.2);
(b) the one-manifest pre-commit path: the compliant example without datasets'
    schema and sample, and with them (its two small samples).

Whole processes, alternated, median of --repeat runs (the machine is shared).
The sample is the real Open Data Jabar file of tests/data/opendata-jabar/,
repeated with fresh ids to 100,000 rows.

    python bench/data_speed.py [--rows 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JABAR = ROOT / "tests" / "data" / "opendata-jabar"
CSV_NAME = "bpbd-od_17600_jml_kejadian_bencana_banjir__kabupatenkota_v3_data.csv"
BIN = Path(sys.executable).parent

MANIFEST = """\
spbe: 1
app: {name: banjir, status: development}
data:
  reference_codes: {wilayah: kemendagri}
  datasets:
    - name: banjir
      classification: publik
      schema: banjir.schema.json
      sample: banjir.csv
"""


def big_sample(rows: int) -> str:
    lines = (JABAR / CSV_NAME).read_text("utf-8").splitlines()
    header, body = lines[0], [line.split(",", 1)[1] for line in lines[1:] if line]
    out = [header] + [f"{i + 1},{body[i % len(body)]}" for i in range(rows)]
    return "\n".join(out) + "\n"


def timed(command: list[str], cwd: Path, allowed: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in allowed:
        sys.exit(f"{command[0]} exited {done.returncode}: {done.stderr.decode()[:500]}")
    return elapsed


def median_of(commands: dict[str, tuple[list[str], Path]], repeat: int) -> dict:
    for command, cwd in commands.values():
        timed(command, cwd)  # warm caches once
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):  # alternate, so that drifting load hits all alike
        for name, (command, cwd) in commands.items():
            samples[name].append(timed(command, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spbe, frictionless = str(BIN / "spbe-lint"), str(BIN / "frictionless")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "big"
        (big / ".git").mkdir(parents=True)
        (big / "banjir.csv").write_text(big_sample(args.rows), "utf-8")
        shutil.copy(JABAR / "banjir.schema.json", big / "banjir.schema.json")
        (big / "spbe.yaml").write_text(MANIFEST, "utf-8")
        # frictionless validates the same bytes against the same schema; it does
        # not know x-identifier (a custom property), which it ignores.
        sample = median_of(
            {
                "spbe-lint check": ([spbe, "check", "spbe.yaml"], big),
                "frictionless validate": (
                    [
                        frictionless,
                        "validate",
                        "--schema",
                        "banjir.schema.json",
                        "banjir.csv",
                    ],
                    big,
                ),
            },
            args.repeat,
        )
        with_data = work / "with"
        shutil.copytree(ROOT / "examples" / "docs", with_data / "docs")
        (with_data / ".git").mkdir()
        text = (ROOT / "examples" / "spbe.yaml").read_text("utf-8")
        (with_data / "spbe.yaml").write_text(text, "utf-8")
        without = work / "without"
        shutil.copytree(with_data, without)
        bare = "".join(
            line
            for line in text.splitlines(keepends=True)
            if not line.lstrip().startswith(("schema:", "sample:"))
        )
        (without / "spbe.yaml").write_text(bare, "utf-8")
        one = median_of(
            {
                "without dataset samples": ([spbe, "check", "spbe.yaml"], without),
                "with dataset samples": ([spbe, "check", "spbe.yaml"], with_data),
            },
            args.repeat,
        )
    ratio = sample["spbe-lint check"] / sample["frictionless validate"]
    result = {
        "rows": args.rows,
        "repeat": args.repeat,
        "sample_seconds": {k: round(v, 3) for k, v in sample.items()},
        "ratio": round(ratio, 3),
        "target": 1.2,
        "one_manifest_seconds": {k: round(v, 3) for k, v in one.items()},
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
