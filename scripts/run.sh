#!/usr/bin/env bash
# Install the runtime requirements into .venv and start the dashboard on http://localhost:8501.
# The first start creates data/crm.duckdb and loads the workshop sample (set CRM_DB to use another file).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
exec .venv/bin/python -m ui.serve "$@"
