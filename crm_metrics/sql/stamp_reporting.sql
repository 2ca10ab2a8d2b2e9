-- Record the version the reporting layer was built for (its data version and the fingerprint of its SQL).
DELETE FROM rpt_state;
INSERT INTO rpt_state VALUES ($layer_version);
