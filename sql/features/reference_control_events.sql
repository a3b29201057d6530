-- China's licence requirements and bans: the controls the features reason with, each with
-- the importing countries it applies to and its last day in force.
SELECT effective_date, end_date, material, measure, target, destinations, description
FROM ref_control_events
WHERE measure IN ('licence', 'ban');
