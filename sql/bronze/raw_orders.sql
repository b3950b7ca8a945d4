-- Loaded unchanged from the checkout export landing file.
SELECT * FROM landing.orders
