-- Top content over any period without summing every content item's months at each request: per content item, the
-- running totals of its monthly figures from its first month on, so that a period's total is the difference of two
-- array elements (the running total at the period's last month minus the one before its first month).
-- Rows with platform '' hold an item's figures over all its platforms; the others one platform each.
-- Maintained with rollup_content_monthly by RollupStore (same transaction, the whole campaign at a time).
CREATE TABLE rollup_content_running (
    content_item_id bigint NOT NULL,
    platform        text NOT NULL,
    campaign_id     bigint NOT NULL,
    first_month     integer NOT NULL,   -- year * 12 + month - 1 of the first element
    impressions     bigint[] NOT NULL,  -- running totals, one element per month from first_month, gaps carried over
    engagements     bigint[] NOT NULL,
    months          integer[] NOT NULL, -- running count of months with figures: tells "no figures in the period" from zero
    PRIMARY KEY (content_item_id, platform)
);
CREATE INDEX rollup_content_running_campaign ON rollup_content_running (campaign_id);

-- Existing content rollups are brought over by the rollup job (one marked day per campaign refreshes the campaign's rows).
INSERT INTO rollup_dirty_days (campaign_id, day)
SELECT DISTINCT campaign_id, month FROM rollup_content_monthly
ON CONFLICT (campaign_id, day) DO NOTHING;
