-- source: marketplace_dump
-- title: Marketplace dump (orders, payments, customers)
-- header: order_id, customer_id, order_status, order_purchase_timestamp
-- header 2: order_id, payment_sequential, payment_type, payment_value
-- header 3: customer_id, customer_unique_id, customer_city, customer_state
-- writes: customers, orders
--
-- A worked example of a source of your own that reads three files together (see the README, "Your own
-- layouts"), in the layout of the public marketplace data sets: the orders file (raw), the payments file
-- (raw_2: several rows per order, one per payment method or instalment) and the customers file (raw_3). In this
-- layout the customer_id of an order names the customer of that one order; the person behind it is
-- customer_unique_id, so the customer key is the person's. An order's amount is the sum of its payments, its day
-- the purchase day as written. Status: delivered, shipped, invoiced, processing, approved = completed; canceled,
-- unavailable = cancelled; created = not an order yet (counted, left out). Orders with no payment are counted
-- and left out; an order whose customer the customers file lacks is a problem named by its line.

-- grain: one row per order, with its payments summed and its person found
CREATE OR REPLACE TEMP VIEW dump_orders AS
SELECT o._line, crm_text(o.order_id) AS order_id, p.amount, c.person, c.city, c.state,
       crm_date(o.order_purchase_timestamp, getvariable('crm_date_format')) AS day,
       o.order_purchase_timestamp AS day_text, lower(crm_text(o.order_status)) AS dump_status,
       CASE WHEN lower(crm_text(o.order_status)) IN ('delivered', 'shipped', 'invoiced', 'processing', 'approved')
                THEN 'completed'
            WHEN lower(crm_text(o.order_status)) IN ('canceled', 'unavailable') THEN 'cancelled'
            WHEN lower(crm_text(o.order_status)) = 'created' THEN 'not an order' END AS status,
       crm_text(o.customer_id) AS order_customer
FROM raw AS o
LEFT JOIN (SELECT crm_text(order_id) AS order_id, sum(crm_money(payment_value, '.')) AS amount
           FROM raw_2 GROUP BY 1) AS p ON p.order_id = crm_text(o.order_id)
LEFT JOIN (SELECT crm_text(customer_id) AS customer_id, crm_text(customer_unique_id) AS person,
                  crm_text(customer_city) AS city, crm_text(customer_state) AS state FROM raw_3) AS c
       ON c.customer_id = crm_text(o.customer_id);

CREATE OR REPLACE TEMP VIEW source_dates AS SELECT order_purchase_timestamp AS value FROM raw;

-- grain: one row per (line, column) that cannot be read
CREATE OR REPLACE TEMP VIEW source_problems AS
SELECT _line, 'order_purchase_timestamp' AS column_name, day_text AS value, 'not a date and time' AS rule
FROM dump_orders WHERE day IS NULL
UNION ALL
SELECT _line, 'order_status', dump_status, 'an order status this source does not map' FROM dump_orders
WHERE status IS NULL
UNION ALL
SELECT _line, 'customer_id', order_customer, 'this customer is not in the customers file' FROM dump_orders
WHERE person IS NULL;

-- grain: one row per order with a payment
CREATE OR REPLACE TEMP VIEW source_orders AS
SELECT _line, order_id, person AS customer_id, strftime(day, '%Y-%m-%d') AS order_date, amount, status
FROM dump_orders WHERE amount IS NOT NULL AND status <> 'not an order';

-- grain: one row per person, with the city and state of their latest order
CREATE OR REPLACE TEMP VIEW source_customers AS
SELECT min(_line) AS _line, person AS customer_id, arg_max(city, (day, _line)) AS city,
       arg_max(state, (day, _line)) AS region
FROM dump_orders WHERE amount IS NOT NULL AND status <> 'not an order' GROUP BY person;

CREATE OR REPLACE TEMP VIEW source_left_out AS
SELECT 'orders without a payment' AS what, count(*) AS rows, NULL AS amount FROM dump_orders WHERE amount IS NULL
UNION ALL
SELECT 'orders not placed yet (created)', count(*), sum(amount) FROM dump_orders WHERE status = 'not an order';
