-- One canonical table as a CSV file in the import's format (ISO dates, UTC timestamps), in key order.
COPY (SELECT * EXCLUDE (_import_id) FROM {{table}} ORDER BY ALL) TO $path (HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ');
