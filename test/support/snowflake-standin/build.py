"""Builds the stand-in's database before it serves: raw tables, then the marts by dbt-snowflake.

Runs in one process on the stand-in's database files (DuckDB lets one process open them), with
fakesnow patching the Python Snowflake connector in-process, so dbt-snowflake itself runs the
project's Snowflake SQL (its `snowflake__` macros) — no account needed:

1. Raw tables: `infra/snowflake/001_database.sql` and `002_raw_tables.sql` run through the
   patched connector, then the
   rows copied from the local loader's DuckDB file (`raw-tables.duckdb`). Snowpipe itself cannot
   run here; this copy is what stands in for it.
2. `dbt <args> --target snowflake` (dbtRunner, in-process) against the same database: it builds
   the `api` marts (test/transform-snowflake.int.test.ts compares them with the DuckDB build); or,
   with `--marts`, the `api` marts copied from a DuckDB build instead (the gateway suites serve
   the same marts from both warehouses byte for byte; dbt/README.md, "dbt-snowflake on the
   Snowflake stand-in", says what differs and what fakesnow still refuses).

`--scripts` applies every infra/snowflake script twice through the same connector and reports
each statement's outcome (infra/snowflake/scripts.test.ts).

Statements fakesnow does not implement and that change nothing a test can read are answered as
no-ops (NOP_REGEXES, each with its reason).

Usage: .venv/bin/python build.py --db-path DIR [--database FHIR_GATEWAY] [--raw RAW.duckdb | --empty-raw]
       [--marts BUILD.duckdb | -- build --select ...]
"""

from __future__ import annotations

import argparse
import json
import re
import os
import sys
from pathlib import Path

import fakesnow
import snowflake.connector

ROOT = Path(__file__).resolve().parents[3]
RAW_TABLES = ["fhir_organization", "fhir_patient", "fhir_encounter", "fhir_observation", "fhir_condition",
              "fhir_medicationrequest"]

NOP_REGEXES = [
    # dbt-snowflake tags its session; fakesnow has no query history to tag.
    r"^\s*alter\s+session\s+set\s+query_tag",
    r"^\s*alter\s+session\s+unset\s+query_tag",
    # dbt's `grants` config and the object scripts' grants: fakesnow has no roles.
    r"^\s*(grant|revoke)\s",
    # Masking policies on columns (dbt's post-hook, dbt/macros/masking.sql): fakesnow has no
    # masking; infra/snowflake/governance-policies.test.ts reads the statements from dbt's log instead.
    r"^\s*alter\s+(table|view)\s+\S+\s+modify\s+column\s+\S+\s+set\s+masking\s+policy\s",
    # Session objects fakesnow has no notion of.
    r"^\s*use\s+(warehouse|role|secondary\s+roles)\s",
]


def connect(database: str, schema: str | None = None) -> snowflake.connector.SnowflakeConnection:
    return snowflake.connector.connect(account="standin", user="standin", database=database, schema=schema)


def statements(script: str) -> list[str]:
    """A script's statements (its `--` comment lines dropped, split at `;`)."""
    text = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def build_raw(database: str, raw_file: str | None) -> None:
    """The raw tables (001, 002), filled from `raw_file` (none: left empty)."""
    conn = connect(database)
    cur = conn.cursor()
    for name in ("001_database.sql", "002_raw_tables.sql"):
        for statement in statements((ROOT / "infra/snowflake" / name).read_text()):
            cur.execute(statement)
    if raw_file is None:
        conn.close()
        return
    duck = conn._duck_conn  # noqa: SLF001 - fakesnow's DuckDB connection: the copy that stands in for Snowpipe
    duck.execute(f"attach '{raw_file}' as loader_raw (read_only)")
    for table in RAW_TABLES:
        duck.execute(f"delete from {database}.raw.{table}")
        duck.execute(
            f"insert into {database}.raw.{table} "
            "select organization_id, resource_type, resource_id, raw, source_file, source_row, loaded_at "
            f"from loader_raw.raw.{table}"
        )
    duck.execute("detach loader_raw")
    conn.close()


def apply_scripts(database: str) -> None:
    """Runs every infra/snowflake script twice (idempotency), printing each statement's outcome as
    a JSON line: `ran`, `no-op` (matched NOP_REGEXES) or `refused` with fakesnow's message; then
    the raw tables' columns."""
    conn = connect(database)
    cur = conn.cursor()
    for round_ in (1, 2):
        for script in sorted((ROOT / "infra/snowflake").glob("*.sql")):
            for statement in statements(script.read_text()):
                head = " ".join(statement.split())[:80]
                try:
                    cur.execute(statement)
                    nop = any(re.search(r, statement, re.IGNORECASE) for r in NOP_REGEXES)
                    outcome, message = "no-op" if nop else "ran", None
                except Exception as e:  # noqa: BLE001 - reported, not swallowed: the test reads every outcome
                    outcome, message = "refused", str(e).splitlines()[0][:200]
                print(json.dumps({"round": round_, "script": script.name, "statement": head, "outcome": outcome, "message": message}))
    cur.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'RAW' order by table_name, ordinal_position"
    )
    print(json.dumps({"columns": [list(r) for r in cur.fetchall()]}))
    conn.close()


def copy_marts(database: str, marts_file: str) -> None:
    conn = connect(database)
    duck = conn._duck_conn  # noqa: SLF001
    duck.execute(f"attach '{marts_file}' as duckdb_marts (read_only)")
    duck.execute(f"create schema if not exists {database}.api")
    tables = duck.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = 'duckdb_marts' and table_schema = 'api' and table_type = 'BASE TABLE'"
    ).fetchall()
    for (table,) in tables:
        duck.execute(f"create or replace table {database}.api.{table} as select * from duckdb_marts.api.{table}")
    duck.execute("detach duckdb_marts")
    conn.close()


def run_dbt(args: list[str]) -> int:
    from dbt.cli.main import dbtRunner

    dbt_dir = str(ROOT / "dbt")
    result = dbtRunner().invoke([*args, "--target", "snowflake", "--project-dir", dbt_dir, "--profiles-dir", dbt_dir])
    return 0 if result.success else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-path", required=True)
    parser.add_argument("--database", default="FHIR_GATEWAY")
    parser.add_argument("--raw", help="the local loader's raw-tables.duckdb to copy the raw rows from")
    parser.add_argument("--empty-raw", action="store_true", help="create the raw tables without rows (no --raw)")
    parser.add_argument("--marts", help="a DuckDB marts build to copy the api marts from (instead of dbt)")
    parser.add_argument("--scripts", action="store_true", help="apply infra/snowflake/*.sql twice, reporting each statement")
    parser.add_argument("dbt_args", nargs="*", help="dbt's command and arguments (none: raw tables only)")
    args = parser.parse_args()
    os.makedirs(args.db_path, exist_ok=True)
    with fakesnow.patch(db_path=args.db_path, nop_regexes=NOP_REGEXES):
        # Attach the database and create the profile's schema (dbt/profiles.yml: SNOWFLAKE_SCHEMA,
        # default public) once up front: fakesnow's connect checks for both, then creates them, so
        # dbt's threads connecting at once on a fresh --db-path raced ("Schema with name PUBLIC
        # already exists").
        connect(args.database.upper(), os.environ.get("SNOWFLAKE_SCHEMA", "public")).close()
        if args.scripts:
            apply_scripts(args.database.upper())
        if args.raw or args.empty_raw:
            build_raw(args.database.upper(), args.raw)
        if args.marts:
            copy_marts(args.database.upper(), args.marts)
        return run_dbt(args.dbt_args) if args.dbt_args else 0


if __name__ == "__main__":
    sys.exit(main())
