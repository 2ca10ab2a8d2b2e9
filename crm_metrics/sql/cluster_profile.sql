-- One row per cluster: size and average features of the customers assigned to it (registered as
-- "assigned": customer_id, cluster, recency_days, frequency, monetary, tenure_days, average_order,
-- tickets, revenue). grain: one row per cluster.
SELECT cluster, count(*) AS customers, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS customer_share,
       avg(recency_days) AS recency_days, avg(frequency) AS frequency, avg(monetary) AS monetary,
       avg(tenure_days) AS tenure_days, avg(average_order) AS average_order, avg(tickets) AS tickets,
       sum(revenue) AS revenue, sum(revenue) / sum(sum(revenue)) OVER () AS revenue_share
FROM assigned GROUP BY cluster ORDER BY cluster;
