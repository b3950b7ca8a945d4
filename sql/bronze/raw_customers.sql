-- Loaded unchanged from the CRM export landing file.
SELECT * FROM landing.customers
