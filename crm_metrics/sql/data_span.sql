-- The first and last completed order dates (the default reporting date is the last). grain: one row.
-- Read from the reporting layer (completed orders only): DuckDB answers min and max from its row-group
-- statistics instead of scanning every order.
SELECT min(order_date) AS first_order, max(order_date) AS last_order FROM rpt_orders;
