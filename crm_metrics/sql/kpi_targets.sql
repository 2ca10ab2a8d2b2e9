-- Every KPI target, by KPI and period. grain: one row per (kpi, period).
SELECT kpi, period_start, period_end, target, set_by, set_at
FROM crm_targets
ORDER BY kpi, period_start, period_end;
