SELECT count(*) FROM stage;
