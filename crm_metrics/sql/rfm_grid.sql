-- Customers and revenue per (R score, F score) cell as of $as_of: the RFM heat map. grain: one row per cell.
WITH
cells AS (SELECT r_score, f_score, count(*) AS customers, sum(revenue) AS revenue FROM rfm_scored GROUP BY 1, 2)
SELECT * FROM cells ORDER BY r_score, f_score;
