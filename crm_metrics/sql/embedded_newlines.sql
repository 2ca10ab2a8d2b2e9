-- Line breaks inside quoted values, so that records can be cross-checked against physical lines.
SELECT coalesce(sum(length(v) - length(replace(v, chr(10), ''))), 0)
FROM (SELECT unnest(list_value(*COLUMNS(*))) AS v FROM (SELECT COLUMNS(lambda c: c <> 'rec') FROM stage));
