SELECT shipments.import_country, shipments.origin_country, ref_countries.name,
    count(*) AS shipments, round(sum(value_usd)) AS value_usd, round(sum(weight_kg)) AS weight_kg
FROM shipments
LEFT JOIN ref_countries ON ref_countries.code = shipments.origin_country
GROUP BY ALL
ORDER BY shipments DESC
LIMIT 10
