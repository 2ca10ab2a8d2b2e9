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

-- Settings stored with the data, shared by every user (the currency of the amounts).
-- grain: one row per setting key
CREATE TABLE IF NOT EXISTS crm_settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

-- KPI targets an editor set or imported: what a KPI should reach over a period (crm_metrics/targets.py).
-- grain: one row per (kpi, period)
CREATE TABLE IF NOT EXISTS crm_targets (
    kpi          VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end   DATE NOT NULL,
    target       DOUBLE NOT NULL,
    set_by       VARCHAR,
    set_at       TIMESTAMP,
    PRIMARY KEY (kpi, period_start, period_end)
);

-- KPI alerts: a threshold on a KPI's value, or on its change against the previous period, over the latest days;
-- the Overview flags a breach and `python -m crm_metrics alerts` lists it (crm_metrics/targets.py).
-- grain: one row per alert
CREATE TABLE IF NOT EXISTS crm_alerts (
    alert_id  BIGINT PRIMARY KEY,
    kpi       VARCHAR NOT NULL,
    measure   VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    threshold DOUBLE NOT NULL,
    days      INTEGER NOT NULL,
    set_by    VARCHAR,
    set_at    TIMESTAMP
);

-- Prior versions of rows an import updated, so that the import can be undone.
-- grain: one row per (replaced row, replacing import)
CREATE TABLE IF NOT EXISTS customers_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM customers LIMIT 0;
CREATE TABLE IF NOT EXISTS orders_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM orders LIMIT 0;
CREATE TABLE IF NOT EXISTS campaigns_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM campaigns LIMIT 0;
CREATE TABLE IF NOT EXISTS contacts_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM contacts LIMIT 0;
CREATE TABLE IF NOT EXISTS tickets_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM tickets LIMIT 0;
CREATE TABLE IF NOT EXISTS surveys_history AS SELECT *, CAST(NULL AS BIGINT) AS _replaced_by FROM surveys LIMIT 0;

-- Parsing rules of the import (documented in the README, "What the import accepts").
-- The typed_<table>.sql queries first clean every raw value once (crm_clean), then parse the cleaned
-- value with the macros below, which therefore expect cleaned input.
-- crm_clean: zero-width spaces, word joiners and BOMs removed wherever they are (they never carry meaning);
-- outer white space and invisible marks trimmed: every kind of space (non-breaking, narrow, thin, ideographic),
-- direction marks, soft hyphens and joiners at either end. Joiners inside a value stay: they spell emoji
-- (a family is three people joined) and Persian and Indic words.
-- plain: the byte scan found only ASCII and no space or tab beside a delimiter, quote or line break,
-- so no value has anything to clean (at 10M rows, skipping the per-value checks halves the typing).
-- ascii: the byte scan found only ASCII in the file, so no invisible or non-breaking character can
-- occur; most values need no trim at all (checking the ends is cheaper than trimming).
CREATE OR REPLACE MACRO crm_clean(s, plain, ascii) AS
    CASE WHEN plain THEN s
         WHEN ascii AND left(s, 1) NOT IN (' ', chr(9)) AND right(s, 1) NOT IN (' ', chr(9)) THEN s
         WHEN ascii THEN trim(s, ' ' || chr(9))
         WHEN regexp_matches(s, '[\x{200B}\x{2060}\x{FEFF}]|^[\s\x{00A0}\x{00AD}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{2066}-\x{206F}\x{3000}]|[\s\x{00A0}\x{00AD}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{2066}-\x{206F}\x{3000}]$')
             THEN regexp_replace(regexp_replace(s, '[\x{200B}\x{2060}\x{FEFF}]', '', 'g'),
                                 '^[\s\x{00A0}\x{00AD}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{2066}-\x{206F}\x{3000}]+|[\s\x{00A0}\x{00AD}\x{2000}-\x{200F}\x{2028}-\x{202F}\x{205F}-\x{2064}\x{2066}-\x{206F}\x{3000}]+$', '', 'g')
         ELSE s
    END;
-- The null spellings of typed columns. Text columns treat only blank as null, so 'NA' (Namibia) stays.
CREATE OR REPLACE MACRO crm_null(v) AS
    CASE WHEN v IN ('', 'NULL', 'null', 'Null', 'N/A', 'n/a', '#N/A', '-') THEN NULL ELSE v END;
CREATE OR REPLACE MACRO crm_text(v) AS nullif(v, '');
-- crm_id: an id as the import stores it, so that two spellings that look alike are one key: in Unicode's
-- composed form (NFC: a decomposed José is the composed José) and without invisible format characters
-- anywhere (direction marks, soft hyphens, joiners: Unicode's Cf). Pure-ASCII files have nothing to change.
CREATE OR REPLACE MACRO crm_id(v, ascii) AS
    CASE WHEN ascii THEN crm_text(v) ELSE crm_text(nfc_normalize(regexp_replace(v, '\p{Cf}', '', 'g'))) END;
CREATE OR REPLACE MACRO crm_year_ok(d) AS CASE WHEN year(d) BETWEEN 1900 AND 2199 THEN d END;
-- crm_date parses only; the typed queries apply crm_year_ok to the parsed column (parsing once).
-- A date column may hold a timestamp (an export's "Created at"): its calendar day as written in the file is the
-- date (the shop's own day; an offset or Z after it changes nothing). The time after the date is dropped:
-- 24-hour or 12-hour clock, with or without seconds, after a space or a T.
CREATE OR REPLACE MACRO crm_day_text(v) AS
    CASE WHEN length(v) > 10
         THEN regexp_replace(v, '(T|\s+)([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?(\s*(Z|UTC|[+-]\d{2}:?\d{2}))?\s*$', '')
         ELSE v END;
CREATE OR REPLACE MACRO crm_date(v, fmt) AS CAST(try_strptime(crm_day_text(crm_null(v)), fmt) AS DATE);
CREATE OR REPLACE MACRO crm_ts_utc(v, fmt) AS coalesce(
    -- with an offset (or Z): converted to UTC
    CAST(try_strptime(regexp_replace(v, 'Z$', '+00:00'),
        ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z',
         '%Y-%m-%dT%H:%M%z', '%Y-%m-%d %H:%M%z']) AT TIME ZONE 'UTC' AS TIMESTAMP),
    -- without an offset: taken as UTC
    try_strptime(v, ['%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d %H:%M:%S.%f',
                     '%Y-%m-%dT%H:%M', '%Y-%m-%d %H:%M']),
    try_strptime(v, [fmt || ' %H:%M:%S', fmt || ' %H:%M']),
    CAST(try_strptime(v, fmt) AS TIMESTAMP));
-- An offset after the time beyond the world's clocks (-12:00 to +14:00), or of 60 minutes or more, is not a
-- timestamp (+25:00 was read as a day earlier).
CREATE OR REPLACE MACRO crm_offset_ok(v) AS
    NOT regexp_matches(v, ':\d\d(:\d\d(\.\d+)?)? ?[+-]((1[5-9]|[2-9]\d):?\d\d|14:?(0[1-9]|[1-5]\d)|\d\d:?[6-9]\d)$')
    AND NOT regexp_matches(v, ':\d\d(:\d\d(\.\d+)?)? ?-((1[3-9]|[2-9]\d):?\d\d|12:?(0[1-9]|[1-5]\d))$');
CREATE OR REPLACE MACRO crm_timestamp(v, fmt) AS
    CASE WHEN crm_offset_ok(crm_null(v)) THEN crm_ts_utc(crm_null(v), fmt) END;
-- Money: a currency symbol only before or after the number (beside its sign: $12, -$12, $-12, 12 €, (€12.50));
-- negative as -x, x- or (x); thousands separators only in groups of three (1,234.56, 1 234.56; with a decimal
-- comma 1.234,56, 1 234,56; a non-breaking or narrow space counts as a space); at most two decimals; never
-- scientific notation, NaN or Infinity. So 12 34, 5 10, 1$2$3 and 12.3 4 are not amounts (they are named as
-- problems), never 1234, 510, 123 or 12.34.
-- At most ten digits before the decimal mark (below 10^10 in absolute value): every sum, product and
-- cent count the reports make of a stored amount then fits its type, whatever one row holds.
CREATE OR REPLACE MACRO crm_money_bound(m) AS CASE WHEN abs(m) < 10000000000 THEN m END;
CREATE OR REPLACE MACRO crm_money_core(x, dec) AS
    crm_money_bound(CASE
        WHEN dec = '.' AND regexp_full_match(x, '(\d{1,3}(,\d{3})+|\d{1,3}( \d{3})+|\d+)(\.\d{1,2})?')
            THEN TRY_CAST(replace(replace(x, ',', ''), ' ', '') AS DECIMAL(18, 2))
        WHEN dec = ',' AND regexp_full_match(x, '(\d{1,3}(\.\d{3})+|\d{1,3}( \d{3})+|\d+)(,\d{1,2})?')
            THEN TRY_CAST(replace(replace(replace(x, '.', ''), ' ', ''), ',', '.') AS DECIMAL(18, 2))
    END);
CREATE OR REPLACE MACRO crm_money_signed(x, dec) AS
    CASE
        WHEN regexp_full_match(x, '\(.*\)') THEN -crm_money_core(trim(x[2:-2]), dec)
        WHEN regexp_full_match(x, '-.*') THEN -crm_money_core(trim(x[2:]), dec)
        WHEN regexp_full_match(x, '.*-') THEN -crm_money_core(trim(x[:-2]), dec)
        WHEN regexp_full_match(x, '\+.*') THEN crm_money_core(trim(x[2:]), dec)
        ELSE crm_money_core(x, dec)
    END;
-- the amount without its currency symbol (before the number, after a sign or an opening parenthesis; or after
-- the number, before a closing parenthesis or a trailing minus) and with every kind of space as a plain one
CREATE OR REPLACE MACRO crm_money_bare(v) AS
    trim(regexp_replace(regexp_replace(regexp_replace(v, '[\x{00A0}\x{202F}]', ' ', 'g'),
                                       '^([-+(]?) *[$€£¥] *', '\1'),
                        ' *[$€£¥] *([-)]?)$', '\1'));
CREATE OR REPLACE MACRO crm_money(v, dec) AS
    CASE
        WHEN crm_null(v) IS NULL THEN NULL
        -- fast path: a plain amount such as 12 or -12.5
        WHEN dec = '.' AND regexp_full_match(v, '-?\d{1,10}(\.\d{1,2})?') THEN CAST(v AS DECIMAL(18, 2))
        ELSE crm_money_signed(crm_money_bare(v), dec)
    END;
CREATE OR REPLACE MACRO crm_int(v) AS
    CASE WHEN regexp_full_match(v, '[+-]?\d{1,9}') THEN CAST(v AS INTEGER) END;
CREATE OR REPLACE MACRO crm_bool(v) AS
    CASE WHEN lower(v) IN ('true', 't', 'yes', 'y', '1') THEN true
         WHEN lower(v) IN ('false', 'f', 'no', 'n', '0') THEN false END;
-- true when a value was given but did not parse (the import lists these cells as problems).
CREATE OR REPLACE MACRO crm_bad(v, parsed) AS crm_null(v) IS NOT NULL AND parsed IS NULL;

-- The reporting layer: derived from the tables above, rebuilt by crm_metrics.reporting whenever the data
-- version changes (never edited directly). rpt_state holds the version it was built for.
CREATE TABLE IF NOT EXISTS rpt_state (data_version BIGINT);

-- Masked views for roles that may not see personal data (crm_metrics/access.py). A viewer's cursor puts
-- this schema first on its search path, so every query it runs reads these instead of the tables.
-- Masking: name -> first letter and ***; email -> first letter, ***, @domain; birth year, gender and
-- survey comments -> NULL.
CREATE SCHEMA IF NOT EXISTS masked;
CREATE OR REPLACE VIEW masked.customers AS
SELECT customer_id, signup_date,
       CASE WHEN name IS NULL OR name = '' THEN name ELSE left(name, 1) || '***' END AS name,
       CASE WHEN email IS NULL THEN NULL
            WHEN position('@' IN email) > 1 THEN left(email, 1) || '***@' || split_part(email, '@', 2)
            ELSE '***' END AS email,
       region, country, city, acquisition_channel, acquisition_cost, referred_by,
       CAST(NULL AS INTEGER) AS birth_year, CAST(NULL AS VARCHAR) AS gender, _import_id
FROM main.customers;
CREATE OR REPLACE VIEW masked.surveys AS
SELECT customer_id, survey_date, csat, nps, CAST(NULL AS VARCHAR) AS comment, _import_id
FROM main.surveys;
