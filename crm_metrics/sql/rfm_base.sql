-- Shared CTEs of the RFM queries (included after scoped_orders); see rfm_scores.sql for the rules.
-- Scores are computed per snapshot: 'now' as of $as_of, and 'before' as of $before when that is given
-- (segment migration); every aggregate and rank is partitioned by snapshot. rfm_now holds 'now'.
-- $from_totals (set by crm_metrics.rfm.rfm_params when no order-level filter is set and the date is in the
-- later half of the history) reads each snapshot as the customers' whole-history totals (rpt_customer_totals)
-- less their orders after its date: at the last order date none, a few months back a few months of orders,
-- where the orders up to the date would be most of the history.
history AS (
    SELECT 'now' AS snapshot, CAST($as_of AS DATE) AS snapshot_date, * FROM scoped
    WHERE order_date <= $as_of AND NOT $from_totals
    UNION ALL
    SELECT 'before', CAST($before AS DATE), * FROM scoped
    WHERE $before IS NOT NULL AND order_date <= $before AND NOT $from_totals
),
since_now AS (
    -- $from_totals: each customer's orders after $as_of. The first of them (by date, then id) has the
    -- customer's last order date up to $as_of as its previous_date; every later one a date after it.
    SELECT customer_key, count(*) AS orders, count(*) FILTER (WHERE first_of_day) AS purchase_days,
           sum(amount) AS revenue, min(previous_date) AS last_order_before
    FROM scoped WHERE $from_totals AND order_date > $as_of
    GROUP BY customer_key
),
since_before AS (
    -- the same after $before
    SELECT customer_key, count(*) AS orders, count(*) FILTER (WHERE first_of_day) AS purchase_days,
           sum(amount) AS revenue, min(previous_date) AS last_order_before
    FROM scoped WHERE $from_totals AND $before IS NOT NULL AND order_date > $before
    GROUP BY customer_key
),
totals_and_since AS (
    -- $from_totals: each customer's whole-history totals (under the customer filters) beside their orders
    -- after each snapshot's date; one branch per snapshot, each joining its own orders on the key alone
    SELECT 'now' AS snapshot, CAST($as_of AS DATE) AS snapshot_date, t.*, a.orders AS orders_since,
           a.purchase_days AS days_since, a.revenue AS revenue_since, a.last_order_before
    FROM rpt_customer_totals AS t JOIN scoped_customers AS c USING (customer_key)
    LEFT JOIN since_now AS a USING (customer_key)
    WHERE $from_totals AND t.first_order <= $as_of
    UNION ALL
    SELECT 'before', CAST($before AS DATE), t.*, a.orders, a.purchase_days, a.revenue, a.last_order_before
    FROM rpt_customer_totals AS t JOIN scoped_customers AS c USING (customer_key)
    LEFT JOIN since_before AS a USING (customer_key)
    WHERE $from_totals AND $before IS NOT NULL AND t.first_order <= $before
),
exact_days AS (
    -- distinct purchase days, counted exactly only when an order-level filter is active (it may have
    -- removed a day's first order); otherwise empty, and the precomputed first_of_day flag serves
    SELECT snapshot, customer_key, count(DISTINCT order_date) AS days FROM history
    WHERE array_length($channel) + array_length($product_category) > 0 GROUP BY snapshot, customer_key
),
per_customer AS (
    SELECT h.snapshot, h.customer_key,
           -- the text id of today's customers only: ranks and the earlier snapshot need the integer key alone
           min(h.customer_id) FILTER (WHERE h.snapshot = 'now') AS customer_id,
           date_diff('day', max(h.order_date), max(h.snapshot_date)) AS recency_days,
           coalesce(min(e.days), count(*) FILTER (WHERE h.first_of_day)) AS purchase_days,
           count(*) AS orders,
           sum(h.amount) AS revenue,
           CAST(round(avg(CAST(CAST(h.amount AS DECIMAL(38, 2)) * 100 AS BIGINT))) / 100 AS DECIMAL(18, 2)) AS average_order,  -- cents, as in rpt_customer_totals
           max(h.order_date) AS last_order,
           min(h.order_date) AS first_order
    FROM history AS h LEFT JOIN exact_days AS e USING (snapshot, customer_key)
    GROUP BY h.snapshot, h.customer_key
    UNION ALL
    -- $from_totals: each snapshot is the whole history less the orders since (average order in whole cents, as
    -- above; the totals' own where nothing is taken away)
    SELECT snapshot, customer_key, CASE WHEN snapshot = 'now' THEN customer_id END,
           date_diff('day', coalesce(last_order_before, last_order), snapshot_date),
           purchase_days - coalesce(days_since, 0), orders - coalesce(orders_since, 0),
           revenue - coalesce(revenue_since, 0),
           CASE WHEN orders_since IS NULL THEN average_order
                ELSE CAST(round(CAST(CAST((revenue - revenue_since) * 100 AS BIGINT) AS DOUBLE) / (orders - orders_since))
                          / 100 AS DECIMAL(18, 2)) END,
           coalesce(last_order_before, last_order), first_order
    FROM totals_and_since
),
measured AS MATERIALIZED (
    SELECT *,
           CASE WHEN $frequency = 'orders' THEN orders ELSE purchase_days END AS frequency,
           CASE WHEN $monetary = 'average' THEN average_order ELSE revenue END AS monetary,
           CASE WHEN snapshot = 'now' THEN 0 ELSE 1 END AS snapshot_no
    FROM per_customer
),
-- Ranks per distinct value (rank = 1 + how many customers come strictly before): the windows then sort
-- a few thousand distinct recencies and frequencies, not every customer's row. The recency and frequency
-- lookups join on one whole-number key (value * 2 + snapshot) so the planner has no column shared between
-- the lookups that would tempt it to join them to each other first.
recency_ranks AS (
    SELECT recency_days * 2 + snapshot_no AS recency_key,
           sum(customers) OVER (PARTITION BY snapshot_no ORDER BY recency_days DESC) - customers + 1 AS r_rank,
           sum(customers) OVER (PARTITION BY snapshot_no) AS n
    FROM (SELECT snapshot_no, recency_days, count(*) AS customers FROM measured GROUP BY snapshot_no, recency_days) AS v
),
frequency_ranks AS (
    SELECT frequency * 2 + snapshot_no AS frequency_key,
           sum(customers) OVER (PARTITION BY snapshot_no ORDER BY frequency) - customers + 1 AS f_rank
    FROM (SELECT snapshot_no, frequency, count(*) AS customers FROM measured GROUP BY snapshot_no, frequency) AS v
),
monetary_ranks AS (
    SELECT snapshot_no, monetary,
           sum(customers) OVER (PARTITION BY snapshot_no ORDER BY monetary) - customers + 1 AS m_rank
    FROM (SELECT snapshot_no, monetary, count(*) AS customers FROM measured GROUP BY snapshot_no, monetary) AS v
),
ranked AS (
    SELECT m.*, r.r_rank, f.f_rank, k.m_rank, r.n
    FROM measured AS m
    JOIN recency_ranks AS r ON r.recency_key = m.recency_days * 2 + m.snapshot_no
    JOIN frequency_ranks AS f ON f.frequency_key = m.frequency * 2 + m.snapshot_no
    JOIN monetary_ranks AS k ON k.snapshot_no = m.snapshot_no AND k.monetary = m.monetary
),
scored AS (
    SELECT *,
           CASE WHEN $method = 'cuts' THEN 5 - array_length(list_filter($r_cuts, lambda c: recency_days > c))
                ELSE 1 + CAST(floor(5.0 * (r_rank - 1) / n) AS INTEGER) END AS r_score,
           CASE WHEN $method = 'cuts' THEN 1 + array_length(list_filter($f_cuts, lambda c: frequency > c))
                ELSE 1 + CAST(floor(5.0 * (f_rank - 1) / n) AS INTEGER) END AS f_score,
           CASE WHEN $method = 'cuts' THEN 1 + array_length(list_filter($m_cuts, lambda c: monetary > c))
                ELSE 1 + CAST(floor(5.0 * (m_rank - 1) / n) AS INTEGER) END AS m_score
    FROM ranked
),
rules AS (
    -- one row per rule (each a struct: name, priority, ranges, action)
    SELECT x.r.name AS name, x.r.priority AS priority, x.r.r_min AS r_min, x.r.r_max AS r_max,
           x.r.fm_min AS fm_min, x.r.fm_max AS fm_max, x.r.action AS action
    FROM (SELECT unnest($rules) AS r) AS x
),
score_values AS (SELECT * FROM (VALUES (1), (2), (3), (4), (5)) AS v(score)),
cell_segment AS (
    -- the segment of each of the 25 (R, FM) cells: the first rule by priority that holds it
    SELECT r.score AS r_score, fm.score AS fm_score, x.name AS segment, x.priority, x.action
    FROM score_values AS r CROSS JOIN score_values AS fm
    JOIN rules AS x ON r.score BETWEEN x.r_min AND x.r_max AND fm.score BETWEEN x.fm_min AND x.fm_max
    QUALIFY row_number() OVER (PARTITION BY r.score, fm.score ORDER BY x.priority) = 1
),
named AS (
    SELECT s.*, c.segment, c.priority, c.action
    FROM (SELECT *, CAST(floor((f_score + m_score) / 2.0) AS INTEGER) AS fm_score FROM scored) AS s
    LEFT JOIN cell_segment AS c USING (r_score, fm_score)
),
rfm_now AS (SELECT * FROM named WHERE snapshot = 'now'),
