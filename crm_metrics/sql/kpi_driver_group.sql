-- A row's group in the dimension d.dimension (included by kpi_drivers.sql in a SELECT over rows w holding the
-- attributes and customer_type, cross joined with the dimensions d): NULL where the attribute was not recorded.
CASE d.dimension WHEN 'region' THEN w.region
                 WHEN 'country' THEN w.country
                 WHEN 'acquisition_channel' THEN w.acquisition_channel
                 WHEN 'channel' THEN w.channel
                 WHEN 'product_category' THEN w.product_category
                 WHEN 'segment' THEN w.segment
                 WHEN 'customer_type' THEN w.customer_type
END AS grp
