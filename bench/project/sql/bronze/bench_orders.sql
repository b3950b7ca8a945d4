SELECT * FROM landing.bench_orders
