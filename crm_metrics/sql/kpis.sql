-- Every catalog KPI (crm_metrics/catalog.py) for one period under the shared filters. grain: one row.
-- Periods are inclusive: [$start, $end]; the previous period [$prev_start, $prev_end] has equal length.
WITH
-- @include scoped_orders
window_orders AS (
    -- the period and the previous one; rpt_orders is sorted by date, so only their row groups are read
    SELECT customer_key, order_date, amount, first_date, campaign_touched, previous_date
    FROM scoped WHERE order_date BETWEEN least($start, $prev_start) AND greatest($end, $prev_end)
),
previous_buyers AS (
    -- under a sales channel or product category filter only: previous_date (over all of a customer's
    -- orders) cannot tell whether they bought in the previous period within the filter, so list them
    SELECT DISTINCT customer_key FROM window_orders
    WHERE array_length($channel) + array_length($product_category) > 0 AND order_date BETWEEN $prev_start AND $prev_end
),
per_customer AS (
    -- grain: one row per customer who bought in the period. A customer who also bought in the previous
    -- period has exactly one order in the period whose previous order falls in the previous period.
    SELECT customer_key, count(*) AS orders, sum(amount) AS revenue, min(first_date) AS first_date,
           count(*) FILTER (WHERE previous_date BETWEEN $prev_start AND $prev_end) > 0 AS bought_before
    FROM window_orders WHERE order_date BETWEEN $start AND $end
    GROUP BY customer_key
),
retention AS (
    SELECT CASE WHEN array_length($channel) + array_length($product_category) > 0 THEN p.customer_key IN (SELECT customer_key FROM previous_buyers)
                ELSE p.bought_before END AS retained,
           p.revenue
    FROM per_customer AS p
),
window_totals AS (
    SELECT sum(amount) FILTER (WHERE order_date BETWEEN $start AND $end) AS revenue,
           count(*) FILTER (WHERE order_date BETWEEN $start AND $end) AS orders,
           sum(amount) FILTER (WHERE order_date BETWEEN $prev_start AND $prev_end) AS previous_revenue,
           sum(amount) FILTER (WHERE order_date BETWEEN $start AND $end AND campaign_touched) AS attributed_revenue,
           -- each customer's first order in the previous period
           count(*) FILTER (WHERE order_date BETWEEN $prev_start AND $prev_end
                            AND (previous_date IS NULL OR previous_date < $prev_start)) AS previous_buyers
    FROM window_orders
),
ranked AS (
    -- ties at the 20% line do not change the sum of the top revenues, so no tie-breaker is needed
    SELECT revenue, row_number() OVER (ORDER BY revenue DESC) AS rank_no FROM per_customer
),
counts AS (
    SELECT (SELECT count(*) FROM per_customer) AS active_customers,
           (SELECT count(*) FROM per_customer WHERE first_date >= $start) AS new_customers,
           (SELECT count(*) FROM per_customer WHERE orders >= 2) AS repeat_customers,
           CASE WHEN array_length($channel) + array_length($product_category) > 0 THEN (SELECT count(*) FROM previous_buyers)
                ELSE (SELECT previous_buyers FROM window_totals) END AS previous_customers,
           (SELECT count(*) FROM retention WHERE retained) AS retained_customers,
           (SELECT sum(revenue) FROM retention WHERE retained) AS retained_revenue
),
history AS (
    -- customers who had bought by the period end, within the customer-level filters
    -- whole months from the monthly totals, the month of $end from the orders (all orders under a
    -- campaign, cohort or segment filter, which the monthly totals cannot apply)
    SELECT (SELECT sum(part) FROM (
                SELECT revenue AS part FROM scoped_months WHERE month < date_trunc('month', $end)
                UNION ALL
                SELECT amount FROM scoped WHERE order_date <= $end
                  AND (array_length($campaign) + array_length($cohort) + array_length($segment) > 0 OR order_date >= date_trunc('month', $end))
           ) AS parts) AS revenue,
           (SELECT count(*) FROM scoped_customers WHERE first_date <= $end) AS customers
),
campaign_share AS (
    -- each campaign's spend is shared out by its treated customers inside the customer filters
    SELECT campaign_id,
           CAST(sum(treated) FILTER (WHERE (array_length($region) = 0 OR list_contains($region, region))
                                      AND (array_length($country) = 0 OR list_contains($country, country))
                                      AND (array_length($city) = 0 OR list_contains($city, city))
                                      AND (array_length($acquisition_channel) = 0
                                           OR list_contains($acquisition_channel, acquisition_channel)))
                AS DOUBLE) / sum(treated) AS share
    FROM rpt_campaign_reach WHERE array_length($campaign) + array_length($cohort) + array_length($segment) = 0 GROUP BY campaign_id
    UNION ALL
    -- with a campaign or cohort filter: the share of each campaign's treated customers the filters keep
    SELECT campaign_id,
           avg(CASE WHEN customer_key IN (SELECT customer_key FROM scoped_customers) THEN 1.0 ELSE 0.0 END)
    FROM rpt_campaign_members WHERE array_length($campaign) + array_length($cohort) + array_length($segment) > 0 AND member_group = 'treatment'
    GROUP BY campaign_id
),
spend AS (
    SELECT sum(k.cost * coalesce(s.share, CASE WHEN array_length($region) + array_length($country) + array_length($city)
                                                    + array_length($acquisition_channel) + array_length($campaign) + array_length($cohort) + array_length($segment) = 0
                                               THEN 1.0 ELSE 0.0 END)) AS spend
    FROM campaigns AS k LEFT JOIN campaign_share AS s USING (campaign_id)
    WHERE k.start_date BETWEEN $start AND $end
),
survey_scores AS (
    SELECT count(csat) AS csat_answers, count(*) FILTER (WHERE csat >= 4) AS satisfied,
           count(nps) AS nps_answers, count(*) FILTER (WHERE nps >= 9) AS promoters,
           count(*) FILTER (WHERE nps <= 6) AS detractors
    FROM surveys
    WHERE survey_date BETWEEN $start AND $end AND customer_id IN (SELECT customer_id FROM scoped_customers)
),
base AS (
    SELECT
        coalesce(w.revenue, 0) AS revenue, w.orders, c.active_customers, c.new_customers, c.repeat_customers,
        c.previous_customers, c.retained_customers, w.previous_revenue, c.retained_revenue,
        h.revenue AS history_revenue, h.customers AS history_customers,
        (SELECT avg(k.acquisition_cost) FROM per_customer AS p JOIN rpt_customers AS k USING (customer_key)
         WHERE p.first_date >= $start) AS mean_acquisition_cost,
        (SELECT spend FROM spend) AS campaign_spend,
        coalesce(w.attributed_revenue, 0) AS attributed_revenue,
        -- the top ceil(n / 5) customers: 5 * rank <= n + 4 in whole numbers
        (SELECT sum(revenue) FROM ranked WHERE 5 * rank_no <= c.active_customers + 4) AS top20_revenue,
        s.csat_answers, s.satisfied, s.nps_answers, s.promoters, s.detractors
    FROM counts AS c, window_totals AS w, history AS h, survey_scores AS s
)
SELECT
    revenue,
    orders,
    active_customers,
    new_customers,
    active_customers - new_customers AS returning_customers,
    CAST(revenue AS DOUBLE) / nullif(orders, 0) AS aov,
    CAST(orders AS DOUBLE) / nullif(active_customers, 0) AS purchase_frequency,
    CAST(repeat_customers AS DOUBLE) / nullif(active_customers, 0) AS repeat_rate,
    CAST(retained_customers AS DOUBLE) / nullif(previous_customers, 0) AS retention_rate,
    1 - CAST(retained_customers AS DOUBLE) / nullif(previous_customers, 0) AS churn_rate,
    CAST(coalesce(retained_revenue, 0) AS DOUBLE) / nullif(previous_revenue, 0) AS revenue_retention,
    CAST(history_revenue AS DOUBLE) / nullif(history_customers, 0) AS avg_clv,
    coalesce(CAST(mean_acquisition_cost AS DOUBLE), CAST(campaign_spend AS DOUBLE) / nullif(new_customers, 0)) AS cac,
    (attributed_revenue - campaign_spend) / nullif(campaign_spend, 0) AS marketing_roi,
    CAST(satisfied AS DOUBLE) / nullif(csat_answers, 0) AS csat,
    100.0 * (promoters - detractors) / nullif(nps_answers, 0) AS nps,
    CAST(top20_revenue AS DOUBLE) / nullif(revenue, 0) AS top20_share,
    -- the counts behind the ratios, shown as "based on" in the help and the how-it-is-computed panel
    previous_customers, csat_answers, nps_answers, campaign_spend, attributed_revenue
FROM base;
