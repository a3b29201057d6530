-- One trained model of a role, under the resolution's version.
INSERT INTO entity_models
    (model_version, role, trained_at, splink_version, threshold, settings, spellings, links)
VALUES
    ($model_version, $role, now()::TIMESTAMP, $splink_version, $threshold, $settings,
     $spellings, $links)
