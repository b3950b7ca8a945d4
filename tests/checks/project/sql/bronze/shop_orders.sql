SELECT * FROM landing.shop_orders
