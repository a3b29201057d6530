-- Values of a child table's column missing from its parent's key; the check passes when
-- there are none.
SELECT DISTINCT child.{{ column }}
FROM {{ table }} AS child
ANTI JOIN {{ parent }} AS parent ON parent.{{ key }} = child.{{ column }}
WHERE child.{{ column }} IS NOT NULL;
