-- Drop a scratch table of the reporting layer once the layer is built (its file says "-- temporary:").
DROP TABLE {{table}};
