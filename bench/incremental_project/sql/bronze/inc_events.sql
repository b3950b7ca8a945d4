SELECT * FROM landing.inc_events
