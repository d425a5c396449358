-- Campaign editing: a version for stale-form detection, who added a content item by hand, and the indexes the
-- campaign page reads by.
ALTER TABLE campaigns ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE content_items ADD COLUMN created_by uuid REFERENCES users (id);
CREATE INDEX outcome_measurements_campaign ON outcome_measurements (campaign_id, measured_on);
CREATE INDEX campaign_variants_campaign ON campaign_variants (campaign_id);
-- At most one control arm per campaign.
CREATE UNIQUE INDEX campaign_variants_one_control ON campaign_variants (campaign_id) WHERE is_control;
