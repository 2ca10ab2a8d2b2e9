-- Shared CTEs of the RFM queries (included after scoped_orders); see rfm_scores.sql for the rules.
history AS (SELECT * FROM scoped WHERE order_date <= $as_of),
per_customer AS (
    SELECT customer_id,
           date_diff('day', max(order_date), $as_of) AS recency_days,
           count(DISTINCT order_date) AS purchase_days,
           count(*) AS orders,
           sum(amount) AS revenue,
           CAST(avg(amount) AS DECIMAL(18, 2)) AS average_order,
           max(order_date) AS last_order,
           min(order_date) AS first_order
    FROM history GROUP BY customer_id
),
measured AS (
    SELECT *,
           CASE WHEN $frequency = 'orders' THEN orders ELSE purchase_days END AS frequency,
           CASE WHEN $monetary = 'average' THEN average_order ELSE revenue END AS monetary
    FROM per_customer
),
ranked AS (
    SELECT *,
           rank() OVER (ORDER BY recency_days DESC) AS r_rank,
           rank() OVER (ORDER BY frequency) AS f_rank,
           rank() OVER (ORDER BY monetary) AS m_rank,
           count(*) OVER () AS n
    FROM measured
),
scored AS (
    SELECT *,
           CASE WHEN $method = 'cuts' THEN 5 - len(list_filter($r_cuts, lambda c: recency_days > c))
                ELSE 1 + CAST(floor(5.0 * (r_rank - 1) / n) AS INTEGER) END AS r_score,
           CASE WHEN $method = 'cuts' THEN 1 + len(list_filter($f_cuts, lambda c: frequency > c))
                ELSE 1 + CAST(floor(5.0 * (f_rank - 1) / n) AS INTEGER) END AS f_score,
           CASE WHEN $method = 'cuts' THEN 1 + len(list_filter($m_cuts, lambda c: monetary > c))
                ELSE 1 + CAST(floor(5.0 * (m_rank - 1) / n) AS INTEGER) END AS m_score
    FROM ranked
),
rules AS (SELECT unnest($rules, recursive := true)),
named AS (
    SELECT s.*, CAST(floor((s.f_score + s.m_score) / 2.0) AS INTEGER) AS fm_score, r.name AS segment,
           r.priority, r.action
    FROM scored AS s
    LEFT JOIN rules AS r
      ON s.r_score BETWEEN r.r_min AND r.r_max
     AND CAST(floor((s.f_score + s.m_score) / 2.0) AS INTEGER) BETWEEN r.fm_min AND r.fm_max
    QUALIFY row_number() OVER (PARTITION BY s.customer_id ORDER BY r.priority NULLS LAST) = 1
),
