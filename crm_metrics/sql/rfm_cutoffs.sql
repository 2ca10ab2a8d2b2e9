-- The value range behind each score: the cut-off table. grain: one row per (measure, score).
WITH
ranges AS (
    SELECT 'recency_days' AS measure, r_score AS score, min(recency_days) AS low, max(recency_days) AS high,
           count(*) AS customers FROM rfm_scored GROUP BY 2
    UNION ALL
    SELECT 'frequency', f_score, min(frequency), max(frequency), count(*) FROM rfm_scored GROUP BY 2
    UNION ALL
    SELECT 'monetary', m_score, min(monetary), max(monetary), count(*) FROM rfm_scored GROUP BY 2
)
SELECT * FROM ranges ORDER BY measure, score;
