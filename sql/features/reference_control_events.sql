-- China's licence requirements and bans: the controls the features reason with.
SELECT effective_date, material, measure, target, description
FROM ref_control_events
WHERE measure IN ('licence', 'ban');
