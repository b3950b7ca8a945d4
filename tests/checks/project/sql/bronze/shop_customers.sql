SELECT * FROM landing.shop_customers
