-- Profiles say where a corridor stands against China's controls, which importers switched
-- origin right after one, and how many new buyers an exporter found lately.
ALTER TABLE profile_corridors ADD COLUMN control_date DATE;
ALTER TABLE profile_corridors ADD COLUMN after_control BOOLEAN;
ALTER TABLE profile_importers ADD COLUMN origin_switches VARCHAR;
ALTER TABLE profile_exporters ADD COLUMN new_pairs_90d BIGINT;
