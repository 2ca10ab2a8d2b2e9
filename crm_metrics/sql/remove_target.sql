-- Remove one KPI target. grain: one row per (kpi, period).
DELETE FROM crm_targets WHERE kpi = $kpi AND period_start = $period_start AND period_end = $period_end;
