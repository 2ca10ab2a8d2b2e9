-- Every touchpoint of one customer ($customer_id) up to the end of $as_of, newest first: orders, campaign
-- contacts (with opens and clicks), support tickets and survey answers.
-- grain: one row per touchpoint. Columns: happened_at (timestamp; dates at midnight), kind (Order, Campaign,
-- Ticket, Survey), reference (the row's id), title, detail, amount (orders), score (ticket rating or
-- survey CSAT), status.
WITH
order_events AS (
    SELECT CAST(o.order_date AS TIMESTAMP) AS happened_at, 'Order' AS kind, o.order_id AS reference,
           coalesce(o.product_category, 'Order') || coalesce(' × ' || CAST(o.quantity AS VARCHAR), '') AS title,
           concat_ws(' · ', o.channel, 'campaign ' || o.campaign_id) AS detail,
           CAST(o.amount AS DOUBLE) AS amount, CAST(NULL AS DOUBLE) AS score, o.status AS status
    FROM orders AS o WHERE o.customer_id = $customer_id AND o.order_date <= $as_of
),
contact_events AS (
    SELECT CAST(t.contact_date AS TIMESTAMP), 'Campaign', t.campaign_id,
           coalesce(k.name, t.campaign_id),
           concat_ws(' · ', k.channel, CASE WHEN t."group" = 'control' THEN 'held out (control group)' END,
                     CASE WHEN t.opened THEN 'opened' END, CASE WHEN t.clicked THEN 'clicked' END),
           CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), t."group"
    FROM contacts AS t LEFT JOIN campaigns AS k USING (campaign_id)
    WHERE t.customer_id = $customer_id AND t.contact_date <= $as_of
),
ticket_events AS (
    SELECT opened_at, 'Ticket', ticket_id, coalesce(category, 'Support ticket'),
           concat_ws(' · ', channel,
                     CASE WHEN closed_at IS NULL OR CAST(closed_at AS DATE) > $as_of THEN 'still open'
                          ELSE 'resolved in ' || CAST(round(date_diff('minute', opened_at, closed_at) / 60.0, 1)
                                                      AS VARCHAR) || ' h' END),
           CAST(NULL AS DOUBLE),
           CASE WHEN CAST(closed_at AS DATE) <= $as_of THEN CAST(satisfaction AS DOUBLE) END,
           CASE WHEN closed_at IS NULL OR CAST(closed_at AS DATE) > $as_of THEN 'open' ELSE 'closed' END
    FROM tickets WHERE customer_id = $customer_id AND CAST(opened_at AS DATE) <= $as_of
),
survey_events AS (
    SELECT CAST(survey_date AS TIMESTAMP), 'Survey', CAST(survey_date AS VARCHAR),
           concat_ws(' · ', 'CSAT ' || CAST(csat AS VARCHAR), 'NPS ' || CAST(nps AS VARCHAR)),
           comment, CAST(NULL AS DOUBLE), CAST(csat AS DOUBLE), NULL
    FROM surveys WHERE customer_id = $customer_id AND survey_date <= $as_of
)
SELECT * FROM order_events
UNION ALL SELECT * FROM contact_events
UNION ALL SELECT * FROM ticket_events
UNION ALL SELECT * FROM survey_events
ORDER BY happened_at DESC, kind, reference;
