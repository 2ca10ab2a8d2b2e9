-- How many customers the customer-base models would see as of $as_of under the shared filters: those
-- whose first completed order is on or before it (an upper bound under a sales-channel or category filter,
-- which may leave some of them without an order). grain: one row. Decides whether the fit takes a sample.
WITH
-- @include scoped_orders
counted AS (
    SELECT count(*) AS customers FROM scoped_customers WHERE first_date <= $as_of
)
SELECT customers FROM counted;
