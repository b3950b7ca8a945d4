-- Loaded unchanged from the tracking landing file.
SELECT * FROM landing.customer_events
