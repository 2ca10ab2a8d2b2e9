-- Changes whenever an import lands or is undone: the key of every cached result.
SELECT coalesce(max(import_id), 0) * 1000003 + count(undone_at) FROM import_ledger;
