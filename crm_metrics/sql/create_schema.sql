-- The canonical data model and the import ledger. Idempotent: run on every connect.
-- Grain: one row per entity named in each table's comment. Money DECIMAL(18,2), ids text, UTC times.

CREATE SEQUENCE IF NOT EXISTS import_id_seq START 1;

-- grain: one row per import attempt that landed (and stays, marked undone, after an undo)
CREATE TABLE IF NOT EXISTS import_ledger (
    import_id      BIGINT PRIMARY KEY,
    table_name     VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    file_sha256    VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL,
    imported_by    VARCHAR,
    rows_in_file   BIGINT NOT NULL,
    rows_inserted  BIGINT NOT NULL,
    rows_updated   BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    customers_created BIGINT NOT NULL DEFAULT 0,
    options        VARCHAR,
    warnings       VARCHAR,
    undone_at      TIMESTAMP
);

-- grain: one row per customer
CREATE TABLE IF NOT EXISTS customers (
    customer_id         VARCHAR NOT NULL,
    signup_date         DATE,
    name                VARCHAR,
    email               VARCHAR,
    region              VARCHAR,
    country             VARCHAR,
    city                VARCHAR,
    acquisition_channel VARCHAR,
    acquisition_cost    DECIMAL(18, 2),
    referred_by         VARCHAR,
    birth_year          INTEGER,
    gender              VARCHAR,
    _import_id          BIGINT
);

-- grain: one row per order
CREATE TABLE IF NOT EXISTS orders (
    order_id         VARCHAR NOT NULL,
    customer_id      VARCHAR NOT NULL,
    order_date       DATE NOT NULL,
    amount           DECIMAL(18, 2) NOT NULL,
    channel          VARCHAR,
    product_category VARCHAR,
    quantity         INTEGER,
    cost             DECIMAL(18, 2),
    campaign_id      VARCHAR,
    status           VARCHAR NOT NULL,
    _import_id       BIGINT
);

-- grain: one row per campaign
CREATE TABLE IF NOT EXISTS campaigns (
    campaign_id    VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    channel        VARCHAR NOT NULL,
    start_date     DATE NOT NULL,
    cost           DECIMAL(18, 2) NOT NULL,
    end_date       DATE,
    objective      VARCHAR,
    target_segment VARCHAR,
    _import_id     BIGINT
);

-- grain: one row per (campaign, customer, contact day)
CREATE TABLE IF NOT EXISTS contacts (
    campaign_id  VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    contact_date DATE NOT NULL,
    "group"      VARCHAR NOT NULL,
    opened       BOOLEAN,
    clicked      BOOLEAN,
    _import_id   BIGINT
);

-- grain: one row per support ticket
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id    VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    opened_at    TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP,
    category     VARCHAR,
    channel      VARCHAR,
    satisfaction INTEGER,
    _import_id   BIGINT
);

-- grain: one row per (customer, survey day)
CREATE TABLE IF NOT EXISTS surveys (
    customer_id VARCHAR NOT NULL,
    survey_date DATE NOT NULL,
    csat        INTEGER,
    nps         INTEGER,
    comment     VARCHAR,
    _import_id  BIGINT
);

-- Prior versions of rows an import updated, so that the import can be undone.
-- grain: one row per (replaced row, replacing import)
CREATE TABLE IF NOT EXISTS customers_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM customers LIMIT 0;
CREATE TABLE IF NOT EXISTS orders_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM orders LIMIT 0;
CREATE TABLE IF NOT EXISTS campaigns_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM campaigns LIMIT 0;
CREATE TABLE IF NOT EXISTS contacts_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM contacts LIMIT 0;
CREATE TABLE IF NOT EXISTS tickets_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM tickets LIMIT 0;
CREATE TABLE IF NOT EXISTS surveys_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM surveys LIMIT 0;
