#!/usr/bin/env bash
# Install the runtime requirements into .venv and start the dashboard on http://localhost:8501.
# The first start creates data/crm.duckdb and loads the workshop sample into it. With CRM_DB set, the app uses
# that file and a new one starts empty (CRM_FIRST_START=sample loads the sample into it too).
set -euo pipefail
if [ -z "${CRM_DB:-}" ]; then
    export CRM_FIRST_START="${CRM_FIRST_START:-sample}"
fi
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements.txt
exec .venv/bin/python -m ui.serve "$@"
