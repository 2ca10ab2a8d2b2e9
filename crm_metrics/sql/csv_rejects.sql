-- Structural problems the CSV reader found. grain: one row per problem, first $max_problems.
SELECT line, column_idx, column_name, error_type, csv_line, error_message
FROM reject_errors ORDER BY line LIMIT $max_problems;
