-- Data-quality checks over the stored data. grain: one row per check.
-- "Future" means dated after the day the row was imported (from the ledger), so no clock is read.
WITH order_stats AS (
    SELECT count(*) AS n,
           count(*) FILTER (WHERE amount = 0) AS zero_amount,
           count(*) FILTER (WHERE amount < 0) AS negative_amount,
           count(*) FILTER (WHERE status = 'returned') AS returned,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE o.order_date > CAST(l.imported_at AS DATE)) AS future,
           count(*) FILTER (WHERE campaign_id IS NOT NULL AND campaign_id NOT IN (SELECT campaign_id FROM campaigns)) AS unknown_campaign
    FROM orders AS o LEFT JOIN import_ledger AS l ON l.import_id = o._import_id
),
linked AS (
    -- orders and customers matched once (one full join, not three over the orders): an order without its
    -- customer, a customer without any order (once each), an order dated before its customer's signup
    SELECT count(*) FILTER (WHERE c.customer_id IS NULL) AS orphans,
           count(*) FILTER (WHERE o.customer_id IS NULL) AS without_orders,
           count(*) FILTER (WHERE o.order_date < c.signup_date) AS before_signup
    FROM orders AS o FULL OUTER JOIN customers AS c ON o.customer_id = c.customer_id
),
customer_stats AS (
    SELECT count(*) AS n,
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
ticket_stats AS (
    SELECT count(*) AS n, count(*) FILTER (WHERE closed_at IS NULL) AS open_tickets FROM tickets
),
-- every count in one row: a VALUES list cannot hold subqueries on every engine (Spark)
counts AS (
    SELECT e.n AS email_dupes, c.n AS customers, k.without_orders, c.without_profile, o.n AS orders, k.orphans,
           o.zero_amount, o.negative_amount, o.returned, o.cancelled, o.future, o.unknown_campaign,
           k.before_signup, t.n AS tickets, t.open_tickets
    FROM email_dupes AS e CROSS JOIN customer_stats AS c CROSS JOIN order_stats AS o CROSS JOIN linked AS k
    CROSS JOIN ticket_stats AS t
),
checks (k, check_name, table_name, meaning) AS (
    VALUES
    (0, 'Duplicate customers', 'customers', 'customers whose email (ignoring case) is shared with another customer'),
    (1, 'Customers without orders', 'customers', 'customers who never placed an order'),
    (2, 'Customers without a profile', 'customers', 'customer rows created from orders or contacts: no signup date, name or email yet'),
    (3, 'Orders without customers', 'orders', 'orders whose customer_id is not in customers'),
    (4, 'Zero amounts', 'orders', 'orders with an amount of exactly 0'),
    (5, 'Negative amounts', 'orders', 'orders with an amount below 0 (refunds recorded as orders?)'),
    (6, 'Returned orders', 'orders', 'orders with status returned (left out of revenue)'),
    (7, 'Cancelled orders', 'orders', 'orders with status cancelled (left out of revenue)'),
    (8, 'Future-dated orders', 'orders', 'orders dated after the day they were imported'),
    (9, 'Orders before signup', 'orders', 'orders dated before their customer''s signup date'),
    (10, 'Orders for unknown campaigns', 'orders', 'orders whose campaign_id is not in campaigns'),
    (11, 'Open tickets', 'tickets', 'tickets with no closing time')
)
SELECT c.check_name, c.table_name,
       CASE c.k
           WHEN 0 THEN n.email_dupes
           WHEN 1 THEN n.without_orders
           WHEN 2 THEN n.without_profile
           WHEN 3 THEN n.orphans
           WHEN 4 THEN n.zero_amount
           WHEN 5 THEN n.negative_amount
           WHEN 6 THEN n.returned
           WHEN 7 THEN n.cancelled
           WHEN 8 THEN n.future
           WHEN 9 THEN n.before_signup
           WHEN 10 THEN n.unknown_campaign
           WHEN 11 THEN n.open_tickets
       END AS affected,
       CASE c.table_name WHEN 'customers' THEN n.customers WHEN 'orders' THEN n.orders ELSE n.tickets END AS total,
       c.meaning
FROM checks AS c CROSS JOIN counts AS n
ORDER BY c.k;
