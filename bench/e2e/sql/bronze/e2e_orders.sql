SELECT * FROM landing.e2e_orders
