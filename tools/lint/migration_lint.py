#!/usr/bin/env python3
"""Expand/contract rule for versioned migrations (docs/migrations.md).

    migration_lint.py [--root DIR] [--baseline FILE] [--list-new] [FILE.sql ...]
    migration_lint.py --self-test

With no files it checks every versioned migration under db/migrations that is not grandfathered
in the baseline list. A migration that is not a contract migration may not drop or rename a
table, view or column, change a column's type, or make a column NOT NULL without a default: an
old binary still serving during a rolling deploy would break. A contract migration is named
V<NNNN>__contract_<what>.sql and carries the header `-- vertice:contract-after <X.Y.Z>`, the
release after which no running binary reads the old shape; that release must be older than the
project's version (CMakeLists.txt). With --list-new it prints the new migrations and checks nothing.

Hand-written: no Debian or npm tool knows this project's rule. squawk (scripts/lint) checks the
same files for locking hazards; this only looks at the statements the rule names, after comments
and quoted text are removed, so a keyword inside a string or a function body does not count.
"""
import argparse
import pathlib
import re
import sys

VERSIONED = re.compile(r"^V(\d{4})__([a-z0-9_]+)\.sql$")
CONTRACT_NAME = re.compile(r"^V\d{4}__contract_[a-z0-9_]+\.sql$")
CONTRACT_HEADER = re.compile(r"^--\s*vertice:contract-after\s+v?(\d+)\.(\d+)\.(\d+)\s*$")


def strip_sql(sql):
    """Removes comments, string literals and dollar-quoted bodies; returns the statements."""
    out, i, n = [], 0, len(sql)
    while i < n:
        c = sql[i]
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and sql.startswith("''", j):
                    j += 2
                    continue
                if sql[j] == "'":
                    break
                j += 1
            out.append("''")
            i = j + 1
        elif c == "$":
            m = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", sql[i:])
            if m:
                tag = m.group(0)
                j = sql.find(tag, i + len(tag))
                out.append("$$")
                i = n if j < 0 else j + len(tag)
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    text = "".join(out)
    return [" ".join(s.split()).upper() for s in text.split(";") if s.strip()]


def findings(sql):
    """The expand/contract violations in one migration's SQL, as (statement, reason) pairs."""
    stmts = strip_sql(sql)
    created_views = set()
    for s in stmts:
        m = re.match(r"CREATE (?:OR REPLACE )?(?:MATERIALIZED )?VIEW (?:IF NOT EXISTS )?(\S+)", s)
        if m:
            created_views.add(m.group(1))
    out = []
    for s in stmts:
        short = s[:120]
        m = re.match(r"DROP (TABLE|VIEW|MATERIALIZED VIEW) (?:IF EXISTS )?(.+?)(?: CASCADE| RESTRICT)?$", s)
        if m:
            names = [x.strip() for x in m.group(2).split(",")]
            if m.group(1) == "TABLE" or any(x not in created_views for x in names):
                out.append((short, f"drops a {m.group(1).lower()} an old binary may still read"))
            continue
        m = re.match(r"ALTER (TABLE|VIEW|MATERIALIZED VIEW) (?:IF EXISTS )?(?:ONLY )?(\S+) (.*)$", s)
        if not m:
            continue
        actions = m.group(3)
        if re.match(r"RENAME (?!CONSTRAINT)", actions):
            out.append((short, "renames a table, view or column an old binary may still use"))
            continue
        for action in split_actions(actions):
            if re.match(r"DROP (?!CONSTRAINT|DEFAULT|NOT NULL|IDENTITY|EXPRESSION)(?:COLUMN )?", action) and \
                    not re.match(r"DROP (?:CONSTRAINT|DEFAULT|NOT NULL)", action):
                out.append((short, "drops a column an old binary may still read or write"))
            elif re.match(r"ALTER (?:COLUMN )?\S+ (?:SET DATA )?TYPE ", action):
                out.append((short, "changes a column's type under an old binary"))
            elif re.match(r"ALTER (?:COLUMN )?\S+ SET NOT NULL", action):
                out.append((short, "makes a column NOT NULL that an old binary may leave empty"))
            elif re.match(r"ADD (?!CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN|EXCLUDE)", action) and \
                    re.search(r"\bNOT NULL\b", action) and not re.search(r"\b(DEFAULT|GENERATED)\b", action):
                out.append((short, "adds a NOT NULL column without a default: an old binary's INSERTs fail"))
    return out


def split_actions(actions):
    """Splits an ALTER TABLE action list on top-level commas."""
    parts, depth, cur = [], 0, []
    for c in actions:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def project_version(root):
    text = (root / "CMakeLists.txt").read_text()
    m = re.search(r"project\(\s*\S+\s+VERSION\s+(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(x) for x in m.groups()) if m else None


def check_file(path, root, version):
    name = path.name
    if not VERSIONED.match(name):
        return []  # repeatable (R__), .down and .verify scripts are not part of the rule
    sql = path.read_text()
    rel = path.relative_to(root) if path.is_absolute() else path
    problems = []
    header = [ln for ln in sql.splitlines() if ln.startswith("--")][:40]
    contract = [CONTRACT_HEADER.match(ln) for ln in header]
    contract = next((m for m in contract if m), None)
    if CONTRACT_NAME.match(name):
        if not contract:
            problems.append(f"{rel}: a contract migration needs the header "
                            "'-- vertice:contract-after X.Y.Z' (the release after which no running binary "
                            "reads the old shape)")
        elif version and tuple(int(x) for x in contract.groups()) >= version:
            problems.append(f"{rel}: contract-after {'.'.join(contract.groups())} is not older than this "
                            f"version ({'.'.join(map(str, version))}): binaries of that release still read "
                            "the old shape")
        return problems
    if contract:
        problems.append(f"{rel}: has a contract-after header but its name is not V<NNNN>__contract_<what>.sql")
    for stmt, why in findings(sql):
        problems.append(f"{rel}: {why} (expand/contract, docs/migrations.md): {stmt}")
    return problems


def new_migrations(root, baseline):
    grandfathered = set()
    if baseline.exists():
        grandfathered = {ln.strip() for ln in baseline.read_text().splitlines()
                         if ln.strip() and not ln.startswith("#")}
    found = sorted(p.relative_to(root).as_posix() for p in (root / "db/migrations").rglob("V*.sql")
                   if VERSIONED.match(p.name))
    return [f for f in found if f not in grandfathered]


def self_test():
    bad = {
        "ALTER TABLE t DROP COLUMN a;": "drops a column",
        "alter table t drop a, add column b int;": "drops a column",
        "ALTER TABLE t RENAME COLUMN a TO b;": "renames",
        "ALTER TABLE t RENAME TO u;": "renames",
        "DROP TABLE IF EXISTS t CASCADE;": "drops a table",
        "DROP VIEW v;": "drops a view",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint;": "type",
        "ALTER TABLE t ALTER a SET DATA TYPE text;": "type",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL;": "NOT NULL",
        "ALTER TABLE t ADD COLUMN a int NOT NULL;": "without a default",
    }
    good = [
        "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0;",
        "ALTER TABLE t ADD COLUMN a int;",
        "ALTER TABLE t DROP CONSTRAINT c, DROP DEFAULT;",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        "ALTER TABLE t RENAME CONSTRAINT c TO d;",
        "DROP VIEW IF EXISTS v; CREATE VIEW v AS SELECT 1;",
        "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE x; END $$ LANGUAGE plpgsql;",
        "COMMENT ON TABLE t IS 'we DROP COLUMN a later';",
        "-- ALTER TABLE t DROP COLUMN a;\nSELECT 1;",
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID;",
    ]
    failed = 0
    for sql, want in bad.items():
        got = findings(sql)
        if not got or want not in got[0][1]:
            print(f"self-test: expected '{want}' for {sql!r}, got {got}")
            failed += 1
    for sql in good:
        if findings(sql):
            print(f"self-test: expected no finding for {sql!r}, got {findings(sql)}")
            failed += 1
    print(f"migration_lint self-test: {len(bad) + len(good) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=".")
    ap.add_argument("--baseline", default="tools/lint/migrations-baseline.txt")
    ap.add_argument("--list-new", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    root = pathlib.Path(args.root).resolve()
    news = new_migrations(root, root / args.baseline)
    if args.list_new:
        print("\n".join(news))
        return 0
    files = args.files or news
    version = project_version(root)
    problems = []
    for f in files:
        p = pathlib.Path(f)
        problems += check_file(p if p.is_absolute() else root / p, root, version)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
