-- A trader's profile row: the profile table and its key column are the slots.
SELECT *
FROM {{ table }}
WHERE {{ key }} = $name;
