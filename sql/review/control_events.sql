-- China's measures on a flag's material(s), oldest first; 'gallium/germanium' covers both.
SELECT effective_date, material, measure, description
FROM ref_control_events
WHERE list_contains(string_split($material, '/'), material)
ORDER BY effective_date;
