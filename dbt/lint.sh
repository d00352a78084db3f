#!/usr/bin/env bash
# SQLFluff over the dbt project as written: the dbt templater compiles each model and test for the
# Snowflake target (dbt-snowflake, connected in-process to fakesnow — no account needed, and
# `is_incremental()` can look for its relation) and the rules in .sqlfluff check the result.
# Usage: dbt/lint.sh [sqlfluff lint options]   (e.g. --format github-annotation-native)
set -euo pipefail
cd "$(dirname "$0")"
venv=../.venv/bin
[ -x "$venv/sqlfluff" ] || { echo "SQLFluff is not installed in .venv/: run \`npm install\`" >&2; exit 1; }
key=$(mktemp)
trap 'rm -f "$key"' EXIT
# A throwaway key: dbt-snowflake parses the profile's key before it connects (to fakesnow).
"$venv/python" - "$key" <<'PY'
import sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
open(sys.argv[1], "wb").write(pem)
PY
export SNOWFLAKE_ACCOUNT=lint SNOWFLAKE_USER=lint SNOWFLAKE_ROLE=lint SNOWFLAKE_WAREHOUSE=lint \
  SNOWFLAKE_DATABASE=lint SNOWFLAKE_PRIVATE_KEY_PATH="$key" FHIR_TOKEN_SALT=lint-salt-0123456789abcdef \
  DBT_SEND_ANONYMOUS_USAGE_STATS=false PYTHONWARNINGS=ignore
exec "$venv/fakesnow" -m sqlfluff "${SQLFLUFF_COMMAND:-lint}" models tests --processes 2 "$@"
