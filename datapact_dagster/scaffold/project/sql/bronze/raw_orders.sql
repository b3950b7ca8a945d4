-- Loaded unchanged from the landing file orders.parquet (see README.md: where landing files go).
SELECT * FROM landing.orders
