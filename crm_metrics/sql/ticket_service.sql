-- Support tickets opened in [$start, $end] by {{dimension}} (category or channel, whitelisted), for the
-- customers the shared filters keep. A ticket counts as resolved at first contact when it is closed and the
-- same customer opens no other ticket of the same category in the $repeat_days days after it (the data
-- has no contact count, so a repeat ticket stands for an unresolved problem).
-- grain: one row per value of the dimension. Columns: value, tickets, closed, open, median_hours,
-- first_contact, first_contact_rate, rated, satisfaction (mean rating 1-5).
WITH
-- @include scoped_orders
opened AS (
    SELECT t.*, coalesce(CAST(t.{{dimension}} AS VARCHAR), 'unknown') AS value FROM tickets AS t
    WHERE CAST(t.opened_at AS DATE) BETWEEN $start AND $end
      AND t.customer_id IN (SELECT customer_id FROM scoped_customers)
),
with_repeat AS (
    SELECT o.*,
           EXISTS (SELECT 1 FROM tickets AS r
                   WHERE r.customer_id = o.customer_id AND r.ticket_id <> o.ticket_id
                     AND coalesce(r.category, '') = coalesce(o.category, '')
                     AND r.opened_at > o.opened_at
                     AND date_diff('second', o.opened_at, r.opened_at) <= CAST($repeat_days AS INTEGER) * 86400) AS repeated
    FROM opened AS o
)
SELECT value, count(*) AS tickets,
       count(closed_at) AS closed,
       count(*) - count(closed_at) AS open,
       median(date_diff('minute', opened_at, closed_at) / 60.0) AS median_hours,
       count(*) FILTER (WHERE closed_at IS NOT NULL AND NOT repeated) AS first_contact,
       CAST(count(*) FILTER (WHERE closed_at IS NOT NULL AND NOT repeated) AS DOUBLE)
           / nullif(count(closed_at), 0) AS first_contact_rate,
       count(satisfaction) AS rated,
       avg(satisfaction) AS satisfaction
FROM with_repeat GROUP BY value ORDER BY tickets DESC, value;
