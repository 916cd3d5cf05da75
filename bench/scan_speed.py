"""How fast is the secret scan against detect-secrets alone, in the same run?

(a) a generated git repository of N tracked files (default 5,000: PHP, JavaScript,
    Python, YAML, JSON, .env examples, Markdown, with a few planted secrets):
    ``spbe-lint scan`` (whole process; its scan cache emptied before each run,
    so every file is read and scanned; the rule pack validated once before)
    against ``detect-secrets scan`` on the same repository (whole process, the
    same plugins and filters, its own git listing). Then ``spbe-lint scan``
    with its scan cache warm (files unchanged since the last scan are not
    scanned again). Target: ratio <= 1.2.
(b) the pre-commit path: ``spbe-lint scan`` on 10 staged files, changed before
    each run so that none is in the scan cache (the secrets hook), against
    ``spbe-lint check --secrets skip spbe.yaml`` (the manifest hook) on the same
    repository, both with the rule pack's cache warm as on a developer's
    machine. Target: the secrets hook under the manifest hook's own time.

    python bench/scan_speed.py [--files 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PHP = """<?php

namespace App\\Http\\Controllers\\Izin{n};

use Illuminate\\Http\\Request;
use App\\Models\\Permohonan;

class PermohonanController{n} extends Controller
{{
    public function index(Request $request)
    {{
        $items = Permohonan::where('opd', $request->input('opd'))
            ->orderBy('created_at', 'desc')
            ->paginate(25);
        return view('permohonan.index', ['items' => $items, 'page' => {n}]);
    }}

    public function store(Request $request)
    {{
        $data = $request->validate(['nama' => 'required|max:200', 'nik' => 'digits:16']);
        $permohonan = Permohonan::create($data);
        return redirect()->route('permohonan.show', $permohonan->id);
    }}
}}
"""
JS = """import axios from 'axios';

export async function ambilData{n}(halaman) {{
  const response = await axios.get('/api/v1/izin', {{ params: {{ page: halaman }} }});
  return response.data.items.map((item) => ({{
    id: item.id,
    nama: item.nama_pemohon,
    status: item.status,
  }}));
}}

export const KOLOM_{n} = ['id', 'nama', 'status', 'tanggal'];
"""
PY = '''"""Laporan rekap izin {n}."""

import csv
import datetime


def rekap(rows, hari=datetime.date.today()):
    total = {{}}
    for row in rows:
        total[row["jenis"]] = total.get(row["jenis"], 0) + 1
    return sorted(total.items())


def tulis(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerows(rekap(rows))
'''
YAML = """name: layanan-{n}
replicas: 2
image: registry.jambikota.go.id/dpmptsp/sipelita:{n}.0.1
env:
  - name: APP_ENV
    value: production
  - name: DB_HOST
    value: 10.15.71.{m}
resources:
  limits: {{cpu: 500m, memory: 512Mi}}
"""
MD = """# Modul {n}

Modul ini menangani permohonan izin jenis {n}. Lihat docs/manual/pengguna.md.

- Input: formulir permohonan
- Output: surat izin (PDF)
"""
ENV_EXAMPLE = (
    "APP_NAME=Sipelita\nAPP_ENV=local\nAPP_KEY=\nDB_HOST=127.0.0.1\nDB_PASSWORD=\n"
)
KINDS = [
    ("app/Http/Controllers/Izin{n}/PermohonanController.php", PHP),
    ("resources/js/izin/data{n}.js", JS),
    ("scripts/rekap_{n}.py", PY),
    ("deploy/k8s/layanan-{n}.yaml", YAML),
    ("docs/modul/{n}.md", MD),
]


def planted(n: int) -> tuple[str, str]:
    """A file with a secret in it (every 500th file)."""
    key = hashlib.sha256(f"k{n}".encode()).hexdigest()
    return (
        f"config/secret_{n}.env",
        f"DB_HOST=10.15.71.20\nDB_PASSWORD=Rahasia{key[:12]}!\nAWS_KEY=AKIA{key[:16].upper()}\n",
    )


def generate(folder: Path, count: int) -> None:
    rng = random.Random(1571)
    for n in range(count):
        if n % 500 == 499:
            name, text = planted(n)
        elif n % 250 == 0:
            name, text = f"modules/m{n}/.env.example", ENV_EXAMPLE
        else:
            pattern, template = KINDS[rng.randrange(len(KINDS))]
            name = pattern.format(n=n)
            text = template.format(n=n, m=n % 250)
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    shutil.copy(ROOT / "examples" / "spbe.yaml", folder / "spbe.yaml")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=folder, check=True, env=env)


CPU: list[float] = []  # CPU seconds (user + system) of each timed process


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and standard output of *command*; its CPU seconds are
    appended to CPU (on a shared machine, CPU time is the steadier figure)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scan-speed-") as temporary:
        repo = Path(temporary) / "repo"
        repo.mkdir()
        generate(repo, args.files)
        cache = Path(temporary) / "cache"
        base = {
            **os.environ,
            "SPBE_LINT_CACHE_DIR": str(cache),
            "SOURCE_DATE_EPOCH": "1795824000",
        }
        against_detect_secrets(repo, cache, base, args)
        pre_commit(repo, base, args)


def against_detect_secrets(
    repo: Path, cache: Path, base: dict[str, str], args: argparse.Namespace
) -> None:
    """(a): the whole repository, spbe-lint scan against detect-secrets scan."""
    spbe = str(BIN / "spbe-lint")
    detect = str(BIN / "detect-secrets")
    timed([spbe, "rules", "list"], repo, base)  # the rule pack, validated once
    ours, theirs, warm = [], [], []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    found_ours = found_theirs = 0
    for _ in range(args.repeat):
        for entry in cache.glob("secrets-*.json"):  # every file scanned afresh
            entry.unlink()
        elapsed, out = timed([spbe, "scan", "-f", "json"], repo, base)
        ours.append(elapsed)
        ours_cpu.append(CPU[-1])
        found_ours = sum(
            1 for f in json.loads(out)["findings"] if f["status"] == "fail"
        )
        elapsed, out = timed([detect, "scan"], repo, base)
        theirs.append(elapsed)
        theirs_cpu.append(CPU[-1])
        found_theirs = sum(len(v) for v in json.loads(out)["results"].values())
    timed([spbe, "scan", "-f", "json"], repo, base)  # warm the cache
    for _ in range(args.repeat):
        warm.append(timed([spbe, "scan", "-f", "json"], repo, base)[0])
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"(a) {args.files} tracked files, median of {args.repeat}:")
    print(
        f"    spbe-lint scan (scan cache empty) {statistics.median(ours):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in ours)}), {found_ours} secret(s)"
    )
    print(
        f"    detect-secrets scan               {statistics.median(theirs):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in theirs)}), {found_theirs} result(s) "
        "(one per plugin type)"
    )
    cpu_ratio = statistics.median(ours_cpu) / statistics.median(theirs_cpu)
    print(
        f"    ratio {ratio:.2f} wall (target <= 1.2); CPU seconds "
        f"{statistics.median(ours_cpu):.2f} against {statistics.median(theirs_cpu):.2f},"
        f" ratio {cpu_ratio:.2f}"
    )
    print(
        f"    spbe-lint scan (scan cache warm)  {statistics.median(warm):.2f} s "
        f"({', '.join(f'{t:.2f}' for t in warm)})"
    )


def pre_commit(repo: Path, base: dict[str, str], args: argparse.Namespace) -> None:
    """(b): the secrets hook on 10 changed files against the manifest hook."""
    spbe = str(BIN / "spbe-lint")
    staged = sorted(str(p.relative_to(repo)) for p in repo.rglob("*.php"))[:10]
    if args.files >= 500:  # one of them holds secrets
        staged[-1] = planted(499)[0]
    hook, manifest = [], []
    hook_cpu: list[float] = []
    manifest_cpu: list[float] = []
    for attempt in range(7):
        # Files being committed are new content: each run scans them afresh
        # (the rule pack's cache is warm, as on a developer's machine).
        for name in staged:
            with (repo / name).open("a", encoding="utf-8") as handle:
                handle.write(f"# perubahan {attempt}\n")
        hook.append(timed([spbe, "scan", *staged], repo, base)[0])
        hook_cpu.append(CPU[-1])
        manifest.append(
            timed([spbe, "check", "--secrets", "skip", "spbe.yaml"], repo, base)[0]
        )
        manifest_cpu.append(CPU[-1])
    print("(b) pre-commit, median of 7:")
    print(
        f"    spbe-lint scan on 10 changed staged files {statistics.median(hook):.2f} s"
        f" ({', '.join(f'{t:.2f}' for t in hook)})"
    )
    print(
        f"    CPU seconds: secrets hook {statistics.median(hook_cpu):.2f}, "
        f"manifest hook {statistics.median(manifest_cpu):.2f}"
    )
    print(
        "    the manifest hook (check --secrets skip spbe.yaml) "
        f"{statistics.median(manifest):.2f} s ({', '.join(f'{t:.2f}' for t in manifest)})"
    )


if __name__ == "__main__":
    main()
