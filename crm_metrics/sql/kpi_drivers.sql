-- The pieces the headline KPIs are made of, per group of each dimension of $dimensions, in the period ("after")
-- and the comparison period ("before"), under the shared filters. grain: one row per (dimension, side, grp,
-- customer_type). The orders are read once for every dimension.
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
-- Region, country, acquisition channel, segment and customer type are the customer's (one value per customer and
-- side), so those dimensions are summed per customer first; only the sales channel and the product category
-- differ between a customer's orders.
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
           o.region, o.country, o.acquisition_channel, o.channel, o.product_category
    FROM scoped AS o
    JOIN sides AS s ON o.order_date BETWEEN s.base_start AND s.side_end
),
dimensions AS (
    SELECT dimension FROM (
        SELECT 'region' AS dimension UNION ALL SELECT 'country' UNION ALL SELECT 'acquisition_channel'
        UNION ALL SELECT 'channel' UNION ALL SELECT 'product_category' UNION ALL SELECT 'segment'
        UNION ALL SELECT 'customer_type'
    ) AS named
    WHERE list_contains($dimensions, dimension)
),
buyers AS (
    -- each customer on each side and in the window before it: the customer's attributes there, the sales channel
    -- and category of their first order there (by date, then order id), their revenue and orders
    SELECT side, in_side, customer_key, min(customer_type) AS customer_type, min(region) AS region,
           min(country) AS country, min(acquisition_channel) AS acquisition_channel,
           arg_min({'channel': channel, 'product_category': product_category}, {'day': order_date, 'id': order_id})
               AS first_order,
           sum(amount) AS revenue, count(*) AS orders
    FROM in_windows
    GROUP BY side, in_side, customer_key
),
buyers_by AS (
    -- each buyer once per dimension asked for, in the group of their first order (a customer's own attribute for
    -- every dimension but the sales channel and the product category)
    SELECT d.dimension, w.side, w.in_side, w.customer_key, w.customer_type, w.revenue, w.orders,
           -- @include kpi_driver_group
    FROM (
        SELECT b.side, b.in_side, b.customer_key, b.customer_type, b.revenue, b.orders, b.region, b.country,
               b.acquisition_channel, b.first_order.channel AS channel,
               b.first_order.product_category AS product_category, g.segment
        FROM buyers AS b
        LEFT JOIN rpt_customer_segments AS g ON g.customer_key = b.customer_key
    ) AS w
    CROSS JOIN dimensions AS d
),
order_groups AS (
    -- the side's orders per customer and group: a customer's revenue and orders in the group of their attribute,
    -- and per sales channel and per product category the part of them bought there
    SELECT dimension, side, grp, customer_type, revenue, orders
    FROM buyers_by WHERE in_side AND dimension NOT IN ('channel', 'product_category')
    UNION ALL
    SELECT 'channel', side, channel, customer_type, sum(amount), count(*)
    FROM in_windows WHERE in_side AND list_contains($dimensions, 'channel')
    GROUP BY side, customer_key, channel, customer_type
    UNION ALL
    SELECT 'product_category', side, product_category, customer_type, sum(amount), count(*)
    FROM in_windows WHERE in_side AND list_contains($dimensions, 'product_category')
    GROUP BY side, customer_key, product_category, customer_type
),
order_pieces AS (
    SELECT dimension, side, grp, customer_type, sum(revenue) AS revenue, sum(orders) AS orders,
           count(*) AS customers, 0 AS members, 0 AS new_members, 0 AS base_customers, 0 AS retained
    FROM order_groups
    GROUP BY dimension, side, grp, customer_type
),
member_pieces AS (
    SELECT dimension, side, grp, customer_type, 0 AS revenue, 0 AS orders, 0 AS customers, count(*) AS members,
           count(*) FILTER (WHERE customer_type = 'New') AS new_members, 0 AS base_customers, 0 AS retained
    FROM buyers_by WHERE in_side
    GROUP BY dimension, side, grp, customer_type
),
side_buyers AS (
    SELECT side, customer_key FROM buyers WHERE in_side
),
base_pieces AS (
    SELECT f.dimension, f.side, f.grp, f.customer_type, 0 AS revenue, 0 AS orders, 0 AS customers, 0 AS members,
           0 AS new_members, count(*) AS base_customers, count(b.customer_key) AS retained
    FROM buyers_by AS f
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
