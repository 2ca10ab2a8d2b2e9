SELECT max(data_version) FROM rpt_state;
