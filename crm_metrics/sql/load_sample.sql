-- Load the generated sample (registered as gen_* relations) into the canonical tables.
-- Ids become text with leading zeros; day offsets become dates from $start.
INSERT INTO customers
SELECT 'C' || lpad(CAST(customer_no AS VARCHAR), $width, '0') AS customer_id,
       CAST(signup_date AS DATE) AS signup_date,
       first_name || ' ' || last_name AS name,
       lower(strip_accents(replace(first_name, ' ', ''))) || '.' || lower(strip_accents(replace(replace(last_name, ' ', ''), '''', '')))
           || CAST(customer_no AS VARCHAR) || '@example.' || (CASE customer_no % 3 WHEN 0 THEN 'com' WHEN 1 THEN 'org' ELSE 'net' END) AS email,
       region, country, city, acquisition_channel,
       CAST(acquisition_cost AS DECIMAL(18, 2)) AS acquisition_cost,
       CASE WHEN referred_by_no > 0 THEN 'C' || lpad(CAST(referred_by_no AS VARCHAR), $width, '0') END AS referred_by,
       birth_year, gender, $import_customers AS _import_id
FROM gen_customers;

INSERT INTO campaigns
SELECT 'K' || lpad(CAST(campaign_no AS VARCHAR), 3, '0'), name, channel, CAST(start_date AS DATE),
       CAST(cost AS DECIMAL(18, 2)), CAST(end_date AS DATE), objective, target_segment, $import_campaigns
FROM gen_campaigns;

INSERT INTO orders
SELECT 'O' || lpad(CAST(order_no AS VARCHAR), 9, '0'),
       'C' || lpad(CAST(customer + 1 AS VARCHAR), $width, '0'),
       CAST($start AS DATE) + CAST(day AS INTEGER),
       CAST(amount AS DECIMAL(18, 2)), channel, product_category, quantity, CAST(cost AS DECIMAL(18, 2)),
       CASE WHEN campaign_no > 0 THEN 'K' || lpad(CAST(campaign_no AS VARCHAR), 3, '0') END,
       status, $import_orders
FROM gen_orders;

INSERT INTO contacts
SELECT 'K' || lpad(CAST(campaign_no AS VARCHAR), 3, '0'),
       'C' || lpad(CAST(customer + 1 AS VARCHAR), $width, '0'),
       CAST($start AS DATE) + CAST(day AS INTEGER), "group", opened, clicked, $import_contacts
FROM gen_contacts;

INSERT INTO tickets
SELECT 'T' || lpad(CAST(ticket_no AS VARCHAR), 8, '0'),
       'C' || lpad(CAST(customer + 1 AS VARCHAR), $width, '0'),
       CAST(CAST($start AS DATE) + CAST(day AS INTEGER) AS TIMESTAMP) + to_seconds(second),
       CASE WHEN NOT isnan(hours_open) THEN CAST(CAST($start AS DATE) + CAST(day AS INTEGER) AS TIMESTAMP)
            + to_seconds(second + CAST(round(hours_open * 3600) AS BIGINT)) END,
       category, channel, satisfaction, $import_tickets
FROM gen_tickets;

INSERT INTO surveys
SELECT 'C' || lpad(CAST(customer + 1 AS VARCHAR), $width, '0'),
       CAST($start AS DATE) + CAST(day AS INTEGER), csat, nps, comment, $import_surveys
FROM gen_surveys;
