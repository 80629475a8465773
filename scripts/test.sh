#!/usr/bin/env bash
# Runs the whole test suite: creates .venv (if missing), installs s3syncpy with its test extra (the Cython
# extensions are built in place), checks the import layering, type-checks src/ (mypy strict) and lints (ruff),
# then runs pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/lint-imports
.venv/bin/python -m mypy src
.venv/bin/ruff check src tests bench
.venv/bin/python -m pytest "$@"
