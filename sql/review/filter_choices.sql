-- The values the queue's filter menus offer: the importing countries, materials, origins
-- and detectors present among flags, each menu's choices in order.
WITH import_countries AS (
    SELECT DISTINCT 'import_country' AS menu, import_country AS choice
    FROM flags
    WHERE import_country IS NOT NULL
),

materials AS (
    SELECT DISTINCT 'material' AS menu, material AS choice
    FROM flags
    WHERE material IS NOT NULL
),

origins AS (
    SELECT DISTINCT 'origin' AS menu, origin_country AS choice
    FROM flags
    WHERE origin_country IS NOT NULL
),

-- A flag lists its detectors comma-separated.
detectors AS (
    SELECT DISTINCT 'detector' AS menu, unnest(string_split(detectors, ',')) AS choice
    FROM flags
),

final AS (
    SELECT menu, choice FROM import_countries
    UNION ALL
    SELECT menu, choice FROM materials
    UNION ALL
    SELECT menu, choice FROM origins
    UNION ALL
    SELECT menu, choice FROM detectors WHERE choice <> ''
)

SELECT * FROM final
ORDER BY menu, choice;
