-- Business rules on orders that warn without rejecting. grain: one row per (rule, record), first 20 per rule.
SELECT rule, rec FROM (
    SELECT rule, rec, row_number() OVER (PARTITION BY rule ORDER BY rec) AS k FROM (
        -- a returned or cancelled order with a negative amount or quantity is the usual way to write a return:
        -- nothing to warn (it never counts as revenue)
        SELECT 'negative amount on a completed order: it lowers revenue (give refunds the status returned to keep '
               || 'them out)' AS rule, rec
        FROM typed WHERE amount < 0 AND status = 'completed'
        UNION ALL
        SELECT 'zero or negative quantity on a completed order', rec
        FROM typed WHERE quantity <= 0 AND status = 'completed'
        UNION ALL
        SELECT 'cost above the amount', rec FROM typed WHERE cost > amount AND amount > 0
    ) AS hits
) AS ranked WHERE k <= 20 ORDER BY rule, rec;
