DELETE FROM import_ledger;
