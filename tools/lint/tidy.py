#!/usr/bin/env python3
"""clang-tidy over src/ with a result cache; zero findings allowed (scripts/lint runs it).

    tidy.py [--jobs N] [--build build/lint] [--affected] [FILE ...]

FILE defaults to every src/**/*.cpp except *_test.cpp. With --affected, FILE may name headers too:
the translation units that include them (directly or not) are checked instead. A file that came
out clean is remembered under a key made of clang-tidy's version, the check configuration, its
compile command and the contents of the file and of every project header it includes (paths taken
relative to the checkout), so a rerun only re-checks what changed. The cache lives outside the
checkout ($VERTICE_LINT_CACHE, default ~/.cache/vertice-lint/tidy) so that a fresh clone on the
same machine, like CI's, reuses it: being keyed by content, it cannot return a stale verdict.

Hand-written because Debian's run-clang-tidy has no cache and a clean run of ~100 files costs
minutes on two cores; the include scan is a regex over `#include "..."` (the project's own headers
are always included with quotes), which is all a cache key needs.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TIDY = os.environ.get("CLANG_TIDY", "clang-tidy-16")
PRELUDE = ROOT / "tools/lint/clang-tidy-prelude.hpp"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def load_db(build):
    """compile_commands.json of the ci build, less CMake's precompiled-header -include (clang
    cannot read GCC's .gch, and each file must stand on its own includes)."""
    src = ROOT / "build/ci/compile_commands.json"
    db = json.loads(src.read_text())
    out = {}
    for e in db:
        e["command"] = re.sub(r" -include \S*cmake_pch\.hxx", "", e["command"])
        out[str(pathlib.Path(e["file"]).resolve())] = e
    build.mkdir(parents=True, exist_ok=True)
    (build / "compile_commands.json").write_text(json.dumps(list(out.values()), indent=0))
    return out


class Includes:
    def __init__(self, search):
        self.search = search
        self.direct = {}

    def of(self, path):
        if path not in self.direct:
            found = []
            try:
                text = path.read_text(errors="replace")
            except OSError:
                text = ""
            for name in INCLUDE.findall(text):
                for base in [path.parent] + self.search:
                    cand = (base / name).resolve()
                    if cand.is_file():
                        found.append(cand)
                        break
            self.direct[path] = found
        return self.direct[path]

    def closure(self, path):
        seen, todo = set(), [path]
        while todo:
            p = todo.pop()
            for q in self.of(p):
                if q not in seen:
                    seen.add(q)
                    todo.append(q)
        return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--build", default="build/lint")
    ap.add_argument("--affected", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    build = (ROOT / args.build).resolve()
    db = load_db(build)
    incs = Includes([ROOT / "src", ROOT / "build/ci/src"])
    all_units = sorted(p.resolve() for p in (ROOT / "src").rglob("*.cpp") if not p.name.endswith("_test.cpp"))
    if not args.files:
        units = all_units
    else:
        wanted = {(ROOT / f).resolve() for f in args.files}
        units = [u for u in all_units if u in wanted]
        if args.affected:
            units = [u for u in all_units if u in wanted or incs.closure(u) & wanted]
    version = subprocess.run([TIDY, "--version"], capture_output=True, text=True, check=True).stdout
    common = hashlib.sha256()
    for part in (version, (ROOT / ".clang-tidy").read_text(), PRELUDE.read_text()):
        common.update(part.encode())
    cache = pathlib.Path(os.environ.get("VERTICE_LINT_CACHE") or pathlib.Path.home() / ".cache/vertice-lint") / "tidy"
    cache.mkdir(parents=True, exist_ok=True)
    root = str(ROOT) + "/"

    def key(unit):
        h = common.copy()
        h.update(db.get(str(unit), {}).get("command", "").replace(root, "").encode())
        for p in [unit] + sorted(incs.closure(unit)):
            h.update(str(p).replace(root, "").encode())
            h.update(p.read_bytes())
        return h.hexdigest()

    todo = []
    for u in units:
        if str(u) not in db:
            print(f"tidy: {u.relative_to(ROOT)} is not in build/ci/compile_commands.json (re-run cmake --preset ci)")
            return 1
        k = key(u)
        if not (cache / k).exists():
            todo.append((u, k))
    print(f"clang-tidy: {len(units)} files, {len(units) - len(todo)} unchanged since a clean run, "
          f"{len(todo)} to check (-j{args.jobs})", flush=True)

    def run(item):
        unit, k = item
        cmd = [TIDY, "-p", str(build), "--quiet", "--extra-arg=-std=c++2b", "--extra-arg=-Wno-everything",
               "--extra-arg-before=-include", f"--extra-arg-before={PRELUDE}", str(unit)]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        lines = [ln for ln in (r.stdout + r.stderr).splitlines()
                 if re.search(r"(warning|error):", ln) or ln.startswith(" ")]
        findings = [ln for ln in lines if re.search(r"(warning|error):", ln)]
        if r.returncode == 0 and not findings:
            (cache / k).touch()
            return unit, ""
        return unit, "\n".join(lines) or (r.stdout + r.stderr)

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for unit, out in pool.map(run, todo):
            if out:
                failed += 1
                print(out.replace(str(ROOT) + "/", ""), flush=True)
    if failed:
        print(f"clang-tidy: findings in {failed} of {len(todo)} files checked")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
