-- Business rules on customers that warn without rejecting. grain: one row per (rule, record), first 20 per rule.
SELECT rule, rec FROM (
    SELECT rule, rec, row_number() OVER (PARTITION BY rule ORDER BY rec) AS k FROM (
        SELECT 'email does not look like name@domain' AS rule, rec FROM typed
        WHERE email IS NOT NULL AND NOT regexp_full_match(email, '[^@\s]+@[^@\s]+\.[^@\s]+')
    ) AS hits
) AS ranked WHERE k <= 20 ORDER BY rule, rec;
