-- Records read. grain: one row.
SELECT count(*) FROM typed_rows;
