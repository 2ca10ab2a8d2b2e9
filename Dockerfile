# The dashboard for a team: one container, the database on a volume, sign-in on.
#   docker build -t crm-dashboard .
#   docker compose up -d        (compose.yaml: the app, the data volume, the sign-in settings)
# One replica only: DuckDB lets one process write a database file; scale up (more CPU, memory), not out.
FROM python:3.11-slim

# Chromium draws the charts of the PDF digest and prints it (ui/report_document.py)
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt requirements-spark.txt pyproject.toml README.md ./
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py ./
COPY crm_metrics ./crm_metrics
COPY ui ./ui
COPY pages ./pages
COPY sample_data ./sample_data
RUN pip install --no-cache-dir --no-deps . && rm -rf /app/build

RUN useradd --create-home --uid 10001 crm && mkdir -p /data && chown crm:crm /data
USER crm
WORKDIR /data
VOLUME ["/data"]

# the database, its accounts and sources live on the volume; sign-in with local accounts (create the first admin
# with: docker compose run --rm app crm-metrics users add NAME --role admin)
ENV CRM_DB=/data/crm.duckdb \
    CRM_USERS=/data/users.json \
    CRM_SOURCES=/data/sources \
    CRM_AUTH=local \
    CRM_CHROMIUM=/usr/bin/chromium \
    PYTHONUNBUFFERED=1

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

CMD ["crm-dashboard", "--server.address", "0.0.0.0", "--server.port", "8501", "--server.headless", "true"]
