-- Data-quality checks over the stored data. grain: one row per check.
-- "Future" means dated after the day the row was imported (from the ledger), so no clock is read.
WITH order_stats AS (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE amount = 0) AS zero_amount,
           count(*) FILTER (WHERE amount < 0) AS negative_amount,
           count(*) FILTER (WHERE status = 'returned') AS returned,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE o.order_date > CAST(l.imported_at AS DATE)) AS future,
           count(*) FILTER (WHERE o.customer_id NOT IN (SELECT customer_id FROM customers)) AS orphans,
           count(*) FILTER (WHERE campaign_id IS NOT NULL AND campaign_id NOT IN (SELECT campaign_id FROM campaigns)) AS unknown_campaign
    FROM orders AS o LEFT JOIN import_ledger AS l ON l.import_id = o._import_id
),
customer_stats AS (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE customer_id NOT IN (SELECT customer_id FROM orders)) AS without_orders,
           count(*) FILTER (WHERE signup_date IS NULL AND name IS NULL AND email IS NULL) AS without_profile
    FROM customers
),
email_dupes AS (
    SELECT CAST(coalesce(sum(k), 0) AS BIGINT) AS n FROM (
        -- main.customers, not the masked view a viewer's cursor reads: only a count leaves this query,
        -- and masked emails (j***@example.com) would collide
        SELECT count(*) AS k FROM main.customers WHERE email IS NOT NULL
        GROUP BY lower(trim(email)) HAVING count(*) > 1
    )
),
before_signup AS (
    SELECT count(*) AS n FROM orders AS o JOIN customers AS c USING (customer_id)
    WHERE o.order_date < c.signup_date
),
ticket_stats AS (
    SELECT count(*) AS n, count(*) FILTER (WHERE closed_at IS NULL) AS open_tickets FROM tickets
),
-- every count in one row: a VALUES list cannot hold subqueries on every engine (Spark)
counts AS (
    SELECT e.n AS email_dupes, c.n AS customers, c.without_orders, c.without_profile, o.n AS orders, o.orphans,
           o.zero_amount, o.negative_amount, o.returned, o.cancelled, o.future, o.unknown_campaign,
           b.n AS before_signup, t.n AS tickets, t.open_tickets
    FROM email_dupes AS e CROSS JOIN customer_stats AS c CROSS JOIN order_stats AS o CROSS JOIN before_signup AS b
    CROSS JOIN ticket_stats AS t
)
SELECT check_name, table_name, affected, total, meaning FROM (
    SELECT 0 AS k, 'Duplicate customers' AS check_name, 'customers' AS table_name, email_dupes AS affected,
           customers AS total, 'customers whose email (ignoring case) is shared with another customer' AS meaning FROM counts
    UNION ALL
    SELECT 1 AS k, 'Customers without orders' AS check_name, 'customers' AS table_name, without_orders AS affected,
           customers AS total, 'customers who never placed an order' AS meaning FROM counts
    UNION ALL
    SELECT 2 AS k, 'Customers without a profile' AS check_name, 'customers' AS table_name, without_profile AS affected,
           customers AS total, 'customer rows created from orders or contacts: no signup date, name or email yet' AS meaning FROM counts
    UNION ALL
    SELECT 3 AS k, 'Orders without customers' AS check_name, 'orders' AS table_name, orphans AS affected,
           orders AS total, 'orders whose customer_id is not in customers' AS meaning FROM counts
    UNION ALL
    SELECT 4 AS k, 'Zero amounts' AS check_name, 'orders' AS table_name, zero_amount AS affected,
           orders AS total, 'orders with an amount of exactly 0' AS meaning FROM counts
    UNION ALL
    SELECT 5 AS k, 'Negative amounts' AS check_name, 'orders' AS table_name, negative_amount AS affected,
           orders AS total, 'orders with an amount below 0 (refunds recorded as orders?)' AS meaning FROM counts
    UNION ALL
    SELECT 6 AS k, 'Returned orders' AS check_name, 'orders' AS table_name, returned AS affected,
           orders AS total, 'orders with status returned (left out of revenue)' AS meaning FROM counts
    UNION ALL
    SELECT 7 AS k, 'Cancelled orders' AS check_name, 'orders' AS table_name, cancelled AS affected,
           orders AS total, 'orders with status cancelled (left out of revenue)' AS meaning FROM counts
    UNION ALL
    SELECT 8 AS k, 'Future-dated orders' AS check_name, 'orders' AS table_name, future AS affected,
           orders AS total, 'orders dated after the day they were imported' AS meaning FROM counts
    UNION ALL
    SELECT 9 AS k, 'Orders before signup' AS check_name, 'orders' AS table_name, before_signup AS affected,
           orders AS total, 'orders dated before their customer''s signup date' AS meaning FROM counts
    UNION ALL
    SELECT 10 AS k, 'Orders for unknown campaigns' AS check_name, 'orders' AS table_name, unknown_campaign AS affected,
           orders AS total, 'orders whose campaign_id is not in campaigns' AS meaning FROM counts
    UNION ALL
    SELECT 11 AS k, 'Open tickets' AS check_name, 'tickets' AS table_name, open_tickets AS affected,
           tickets AS total, 'tickets with no closing time' AS meaning FROM counts
) AS checks
ORDER BY k;
