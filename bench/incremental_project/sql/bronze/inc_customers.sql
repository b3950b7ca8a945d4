SELECT * FROM landing.inc_customers
