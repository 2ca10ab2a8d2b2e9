-- Every catalog KPI (crm_metrics/catalog.py) for one period under the shared filters. grain: one row.
-- Periods are inclusive: [$start, $end]; the previous period [$prev_start, $prev_end] has equal length.
WITH
-- @include scoped_orders
in_period AS (SELECT * FROM scoped WHERE order_date BETWEEN $start AND $end),
per_customer AS (
    SELECT customer_id, count(*) AS orders, sum(amount) AS revenue, min(first_date) AS first_date
    FROM in_period GROUP BY customer_id
),
previous_customers AS (
    SELECT customer_id, sum(amount) AS revenue FROM scoped
    WHERE order_date BETWEEN $prev_start AND $prev_end GROUP BY customer_id
),
new_customers AS (SELECT customer_id FROM per_customer WHERE first_date >= $start),
ranked AS (
    SELECT revenue, row_number() OVER (ORDER BY revenue DESC, customer_id) AS rank_no, count(*) OVER () AS n
    FROM per_customer
),
history AS (
    -- customers who had bought by the period end, within the customer-level filters
    SELECT (SELECT sum(amount) FROM scoped WHERE order_date <= $end) AS revenue,
           (SELECT count(*) FROM scoped_customers WHERE first_date <= $end) AS customers
),
campaign_share AS (
    -- each campaign's spend is shared out by its treated customers inside the customer filters
    SELECT campaign_id,
           CAST(sum(treated) FILTER (WHERE (len($region) = 0 OR list_contains($region, region))
                                      AND (len($country) = 0 OR list_contains($country, country))
                                      AND (len($city) = 0 OR list_contains($city, city))
                                      AND (len($acquisition_channel) = 0
                                           OR list_contains($acquisition_channel, acquisition_channel)))
                AS DOUBLE) / sum(treated) AS share
    FROM rpt_campaign_reach WHERE len($campaign) + len($cohort) + len($segment) = 0 GROUP BY campaign_id
    UNION ALL
    -- with a campaign or cohort filter: the share of each campaign's treated customers the filters keep
    SELECT campaign_id,
           avg(CASE WHEN customer_id IN (SELECT customer_id FROM scoped_customers) THEN 1.0 ELSE 0.0 END)
    FROM rpt_campaign_members WHERE len($campaign) + len($cohort) + len($segment) > 0 AND member_group = 'treatment'
    GROUP BY campaign_id
),
spend AS (
    SELECT sum(k.cost * coalesce(s.share, CASE WHEN len($region) + len($country) + len($city)
                                                    + len($acquisition_channel) + len($campaign) + len($cohort) + len($segment) = 0
                                               THEN 1.0 ELSE 0.0 END)) AS spend
    FROM campaigns AS k LEFT JOIN campaign_share AS s USING (campaign_id)
    WHERE k.start_date BETWEEN $start AND $end
),
attributed AS (SELECT sum(amount) AS revenue FROM in_period WHERE campaign_touched),
survey_scores AS (
    SELECT count(csat) AS csat_answers, count(*) FILTER (WHERE csat >= 4) AS satisfied,
           count(nps) AS nps_answers, count(*) FILTER (WHERE nps >= 9) AS promoters,
           count(*) FILTER (WHERE nps <= 6) AS detractors
    FROM surveys
    WHERE survey_date BETWEEN $start AND $end AND customer_id IN (SELECT customer_id FROM scoped_customers)
),
base AS (
    SELECT
        coalesce((SELECT sum(revenue) FROM per_customer), 0) AS revenue,
        (SELECT count(*) FROM in_period) AS orders,
        (SELECT count(*) FROM per_customer) AS active_customers,
        (SELECT count(*) FROM new_customers) AS new_customers,
        (SELECT count(*) FROM per_customer WHERE orders >= 2) AS repeat_customers,
        (SELECT count(*) FROM previous_customers) AS previous_customers,
        (SELECT count(*) FROM previous_customers WHERE customer_id IN (SELECT customer_id FROM per_customer))
            AS retained_customers,
        (SELECT sum(revenue) FROM previous_customers) AS previous_revenue,
        (SELECT sum(revenue) FROM per_customer WHERE customer_id IN (SELECT customer_id FROM previous_customers))
            AS retained_revenue,
        (SELECT revenue FROM history) AS history_revenue,
        (SELECT customers FROM history) AS history_customers,
        (SELECT avg(c.acquisition_cost) FROM new_customers AS n JOIN scoped_customers AS c USING (customer_id))
            AS mean_acquisition_cost,
        (SELECT spend FROM spend) AS campaign_spend,
        coalesce((SELECT revenue FROM attributed), 0) AS attributed_revenue,
        (SELECT sum(revenue) FROM ranked WHERE rank_no <= ceil(0.2 * n)) AS top20_revenue,
        (SELECT csat_answers FROM survey_scores) AS csat_answers,
        (SELECT satisfied FROM survey_scores) AS satisfied,
        (SELECT nps_answers FROM survey_scores) AS nps_answers,
        (SELECT promoters FROM survey_scores) AS promoters,
        (SELECT detractors FROM survey_scores) AS detractors
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
