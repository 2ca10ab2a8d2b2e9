-- Business rules on orders that warn without rejecting. grain: one row per (rule, record), first 20 per rule.
SELECT rule, rec FROM (
    SELECT rule, rec, row_number() OVER (PARTITION BY rule ORDER BY rec) AS k FROM (
        SELECT 'negative amount (a refund?)' AS rule, rec FROM typed WHERE amount < 0
        UNION ALL
        SELECT 'zero or negative quantity', rec FROM typed WHERE quantity <= 0
        UNION ALL
        SELECT 'cost above the amount', rec FROM typed WHERE cost > amount AND amount > 0
    ) AS hits
) AS ranked WHERE k <= 20 ORDER BY rule, rec;
