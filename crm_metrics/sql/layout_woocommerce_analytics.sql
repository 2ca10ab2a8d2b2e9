-- source: woocommerce_analytics
-- title: WooCommerce Analytics orders download
-- header: Date, Order #, Status, Customer, Customer type, Product(s), Items sold, Net Sales
-- writes: orders
--
-- WooCommerce's Analytics > Orders download names each order's customer by name only: a name is never a key
-- (two people share one; one person writes theirs two ways), so this layout is recognised in order to say so,
-- and refused: export the orders with the billing email (an order-export plugin, or WooCommerce > Orders >
-- Export), which the woocommerce_orders source reads.

CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT min(_line) - 1 AS _line, 'Customer' AS column_name, NULL AS value,
       'WooCommerce''s Analytics download names customers by name only, which is never a key: export the orders '
       || 'with the billing email (an order-export plugin), which the woocommerce_orders source reads' AS rule
FROM raw;

CREATE OR REPLACE TEMP VIEW source_orders AS SELECT _line FROM raw WHERE false;
