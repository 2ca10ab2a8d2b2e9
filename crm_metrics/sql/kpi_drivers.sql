-- The pieces the headline KPIs are made of, per group of each dimension of $dimensions, in the period ("after")
-- and the comparison period ("before"), under the shared filters. grain: one row per (dimension, side, grp,
-- customer_type). The orders are read, and each customer's first order found, once for every dimension.
-- Each side has a window before it ([$prev_start, $prev_end] for "after", [$base_prev_start, $base_prev_end] for
-- "before"), ending the day before the side starts: its buyers are the base the side's retention is measured on.
-- Columns (crm_metrics/drivers.py adds them up):
--   revenue, orders, customers  -- over the side's orders in the group (a customer buying through two sales
--                                  channels is a customer of each)
--   members, new_members        -- buyers of the side counted once, in the group of their first order in it
--   base_customers, retained    -- buyers of the window before, in the group of their first order there, and how
--                                  many of them bought in the side
-- customer_type is 'New' for a customer whose first completed order ever falls in the side (in the window
-- before, for base customers), 'Returning' otherwise. grp is NULL where the attribute was not recorded.
WITH
-- @include scoped_orders
sides AS (
    SELECT 'after' AS side, CAST($start AS DATE) AS side_start, CAST($end AS DATE) AS side_end,
           CAST($prev_start AS DATE) AS base_start
    UNION ALL
    SELECT 'before', CAST($base_start AS DATE), CAST($base_end AS DATE), CAST($base_prev_start AS DATE)
),
in_windows AS (
    -- every order of a side or of the window before it; an order may serve both sides
    SELECT s.side, o.order_date >= s.side_start AS in_side, o.customer_key, o.order_id, o.order_date, o.amount,
           CASE WHEN o.first_date >= CASE WHEN o.order_date >= s.side_start THEN s.side_start ELSE s.base_start END
                THEN 'New' ELSE 'Returning' END AS customer_type,
           o.region, o.country, o.acquisition_channel, o.channel, o.product_category, g.segment
    FROM scoped AS o
    JOIN sides AS s ON o.order_date BETWEEN s.base_start AND s.side_end
    LEFT JOIN rpt_customer_segments AS g ON g.customer_key = o.customer_key
),
dimensions AS (
    SELECT dimension FROM (
        SELECT 'region' AS dimension UNION ALL SELECT 'country' UNION ALL SELECT 'acquisition_channel'
        UNION ALL SELECT 'channel' UNION ALL SELECT 'product_category' UNION ALL SELECT 'segment'
        UNION ALL SELECT 'customer_type'
    ) AS named
    WHERE list_contains($dimensions, dimension)
),
firsts AS (
    -- each customer's first order on each side and in the window before it: the group the customer counts in
    SELECT side, in_side, customer_key, customer_type, region, country, acquisition_channel, channel,
           product_category, segment,
           row_number() OVER (PARTITION BY side, in_side, customer_key ORDER BY order_date, order_id) AS nth
    FROM in_windows
),
-- the rows below, once per dimension asked for, in the group of that dimension
orders_by AS (
    SELECT d.dimension, w.side, w.customer_key, w.amount, w.customer_type,
           -- @include kpi_driver_group
    FROM in_windows AS w CROSS JOIN dimensions AS d
    WHERE w.in_side
),
firsts_by AS (
    SELECT d.dimension, w.side, w.in_side, w.customer_key, w.customer_type,
           -- @include kpi_driver_group
    FROM firsts AS w CROSS JOIN dimensions AS d
    WHERE w.nth = 1
),
side_buyers AS (
    SELECT DISTINCT side, customer_key FROM in_windows WHERE in_side
),
order_pieces AS (
    SELECT dimension, side, grp, customer_type, sum(amount) AS revenue, count(*) AS orders,
           count(DISTINCT customer_key) AS customers, 0 AS members, 0 AS new_members, 0 AS base_customers,
           0 AS retained
    FROM orders_by
    GROUP BY dimension, side, grp, customer_type
),
member_pieces AS (
    SELECT dimension, side, grp, customer_type, 0 AS revenue, 0 AS orders, 0 AS customers, count(*) AS members,
           count(*) FILTER (WHERE customer_type = 'New') AS new_members, 0 AS base_customers, 0 AS retained
    FROM firsts_by WHERE in_side
    GROUP BY dimension, side, grp, customer_type
),
base_pieces AS (
    SELECT f.dimension, f.side, f.grp, f.customer_type, 0 AS revenue, 0 AS orders, 0 AS customers, 0 AS members,
           0 AS new_members, count(*) AS base_customers, count(b.customer_key) AS retained
    FROM firsts_by AS f
    LEFT JOIN side_buyers AS b ON b.side = f.side AND b.customer_key = f.customer_key
    WHERE NOT f.in_side
    GROUP BY f.dimension, f.side, f.grp, f.customer_type
),
pieces AS (
    SELECT * FROM order_pieces
    UNION ALL SELECT * FROM member_pieces
    UNION ALL SELECT * FROM base_pieces
)
SELECT dimension, side, grp, customer_type, sum(revenue) AS revenue, sum(orders) AS orders,
       sum(customers) AS customers, sum(members) AS members, sum(new_members) AS new_members,
       sum(base_customers) AS base_customers, sum(retained) AS retained
FROM pieces
GROUP BY dimension, side, grp, customer_type
ORDER BY dimension, side, grp, customer_type;
