SELECT * FROM landing.bench_customers
