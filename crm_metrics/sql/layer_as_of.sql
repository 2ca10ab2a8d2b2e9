-- The date rpt_customer_segments scores every customer as of: the last completed order (the layer's rpt_orders).
SELECT max(order_date) FROM rpt_orders;
