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
)
SELECT * FROM (VALUES
    ('Duplicate customers', 'customers', (SELECT n FROM email_dupes), (SELECT n FROM customer_stats),
     'customers whose email (ignoring case) is shared with another customer'),
    ('Customers without orders', 'customers', (SELECT without_orders FROM customer_stats), (SELECT n FROM customer_stats),
     'customers who never placed an order'),
    ('Customers without a profile', 'customers', (SELECT without_profile FROM customer_stats), (SELECT n FROM customer_stats),
     'customer rows created from orders or contacts: no signup date, name or email yet'),
    ('Orders without customers', 'orders', (SELECT orphans FROM order_stats), (SELECT n FROM order_stats),
     'orders whose customer_id is not in customers'),
    ('Zero amounts', 'orders', (SELECT zero_amount FROM order_stats), (SELECT n FROM order_stats),
     'orders with an amount of exactly 0'),
    ('Negative amounts', 'orders', (SELECT negative_amount FROM order_stats), (SELECT n FROM order_stats),
     'orders with an amount below 0 (refunds recorded as orders?)'),
    ('Returned orders', 'orders', (SELECT returned FROM order_stats), (SELECT n FROM order_stats),
     'orders with status returned (left out of revenue)'),
    ('Cancelled orders', 'orders', (SELECT cancelled FROM order_stats), (SELECT n FROM order_stats),
     'orders with status cancelled (left out of revenue)'),
    ('Future-dated orders', 'orders', (SELECT future FROM order_stats), (SELECT n FROM order_stats),
     'orders dated after the day they were imported'),
    ('Orders before signup', 'orders', (SELECT n FROM before_signup), (SELECT n FROM order_stats),
     'orders dated before their customer''s signup date'),
    ('Orders for unknown campaigns', 'orders', (SELECT unknown_campaign FROM order_stats), (SELECT n FROM order_stats),
     'orders whose campaign_id is not in campaigns'),
    ('Open tickets', 'tickets', (SELECT open_tickets FROM ticket_stats), (SELECT n FROM ticket_stats),
     'tickets with no closing time')
) AS checks(check_name, table_name, affected, total, meaning);
