#!/usr/bin/env python3
"""Times `bastion check` and Bandit on the same generated tree and prints throughput side by side.

usage: bench.py --bastion PATH [--tree DIR] [--projects N] [--modules M] [--runs R]
                [--bandit CMD] [--skip-bandit] [--markdown FILE]

The tree comes from gen_tree.py (kept between runs when --tree is given). Both tools scan the
same Python files (bastion with --include-tests, Bandit with -r); bastion also reads the
Dockerfiles, compose files, Procfiles, .env files and shell scripts, which Bandit ignores.
Reported: wall time and CPU time (user+sys of the child), files/s and MB/s for both, and the
speed-up. On a shared machine the CPU-time figures are the stable ones.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu


def tree_stats(root):
    py_files = py_bytes = all_files = all_bytes = 0
    for dirpath, _, names in os.walk(root):
        for n in names:
            size = os.path.getsize(os.path.join(dirpath, n))
            all_files += 1
            all_bytes += size
            if n.endswith(".py"):
                py_files += 1
                py_bytes += size
    return py_files, py_bytes, all_files, all_bytes


def best(runs):
    return min(runs, key=lambda r: r[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bastion", required=True, help="path to the bastion binary (run as `bastion check`)")
    ap.add_argument("--tree", help="tree directory (generated if missing; a temporary one otherwise)")
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--modules", type=int, default=44)
    ap.add_argument("--runs", type=int, default=3, help="bastion runs (the fastest is reported)")
    ap.add_argument("--bandit", default="bandit")
    ap.add_argument("--skip-bandit", action="store_true")
    ap.add_argument("--markdown", help="also write the results table to this file")
    args = ap.parse_args()

    tree = args.tree or tempfile.mkdtemp(prefix="bastion_bench_")
    if not os.path.isdir(tree) or not os.listdir(tree):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_tree.py"), tree,
                        "--projects", str(args.projects), "--modules", str(args.modules)], check=True)
    py_files, py_bytes, all_files, all_bytes = tree_stats(tree)

    rows = []
    runs = []
    for _ in range(max(1, args.runs)):
        proc, wall, cpu = timed([args.bastion, "check", "--include-tests", "--format", "json", tree])
        if proc.returncode not in (0, 1):
            sys.exit("bastion check failed: " + proc.stderr)
        runs.append((proc, wall, cpu))
    proc, wall, cpu = best(runs)
    summary = json.loads(proc.stdout)["summary"]
    rows.append(("bastion check", summary["files"], summary["bytes"], wall, cpu, len(json.loads(proc.stdout)["findings"])))

    if not args.skip_bandit and shutil.which(args.bandit):
        bproc, bwall, bcpu = timed([args.bandit, "-r", "-q", "-f", "json", tree])
        try:
            bfindings = len(json.loads(bproc.stdout)["results"])
        except (ValueError, KeyError):
            bfindings = -1
        rows.append(("bandit", py_files, py_bytes, bwall, bcpu, bfindings))

    lines = [
        f"Tree: {tree} ({all_files} files, {all_bytes / 1e6:.1f} MB; {py_files} Python files, {py_bytes / 1e6:.1f} MB)",
        f"Host: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{' '.join('%.1f' % x for x in os.getloadavg())}",
        "",
        "| tool | files | MB | wall s | cpu s | files/s (wall) | MB/s (wall) | files/s (cpu) | MB/s (cpu) | findings |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, files, nbytes, w, c, n in rows:
        lines.append(f"| {name} | {files} | {nbytes / 1e6:.1f} | {w:.2f} | {c:.2f} | {files / w:.0f} | "
                     f"{nbytes / 1e6 / w:.2f} | {files / max(c, 1e-9):.0f} | {nbytes / 1e6 / max(c, 1e-9):.2f} | {n} |")
    if len(rows) == 2:
        (_, f0, b0, w0, c0, _), (_, f1, b1, w1, c1, _) = rows
        lines.append("")
        lines.append(f"Speed-up (MB/s, bastion over Bandit): {(b0 / w0) / (b1 / w1):.0f}x wall, "
                     f"{(b0 / max(c0, 1e-9)) / (b1 / max(c1, 1e-9)):.0f}x CPU")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("# bastion check vs Bandit\n\n" + text + "\n")


if __name__ == "__main__":
    main()
