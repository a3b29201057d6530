-- Transit hubs seen in rerouting.
SELECT country, note
FROM ref_hubs;
