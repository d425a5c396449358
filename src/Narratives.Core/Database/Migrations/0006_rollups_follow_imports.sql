-- The analytics rollups follow every change of the figures they sum:
-- * Totals over a reporting period (ads reports) count in the rollups on the period's last day: daily charts show
--   them there, and every total over a range that contains that day includes them.
-- * When an item's labels, language or campaign change (a review, a new prediction), the days it has figures on are
--   marked for the rollup job, which refreshes them.

CREATE VIEW engagement_rollup_input AS
SELECT content_item_id, day, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves, follows, spend
FROM engagement_facts
UNION ALL
SELECT content_item_id, period_end, platform, impressions, reach, views, watch_seconds, reactions, comments, shares, clicks, saves, follows, spend
FROM engagement_period_totals;

CREATE OR REPLACE VIEW rollup_daily_source AS
SELECT f.day, ci.campaign_id, f.platform,
       coalesce(ci.reviewed_theme, ci.predicted_theme, 'unclassified') AS theme,
       coalesce(ci.language, '') AS language,
       (f.platform IN ('meta_ads', 'google_ads') OR coalesce(f.spend, 0) > 0) AS is_paid,
       count(*)::int AS items,
       coalesce(sum(f.impressions), 0)::bigint AS impressions,
       coalesce(sum(f.reach), 0)::bigint AS reach,
       coalesce(sum(f.views), 0)::bigint AS views,
       coalesce(sum(f.watch_seconds), 0)::bigint AS watch_seconds,
       coalesce(sum(f.reactions), 0)::bigint AS reactions,
       coalesce(sum(f.comments), 0)::bigint AS comments,
       coalesce(sum(f.shares), 0)::bigint AS shares,
       coalesce(sum(f.clicks), 0)::bigint AS clicks,
       coalesce(sum(f.saves), 0)::bigint AS saves,
       coalesce(sum(f.follows), 0)::bigint AS follows,
       coalesce(sum(f.spend), 0)::numeric(16, 2) AS spend,
       coalesce(sum(f.views * ci.duration_seconds) FILTER (WHERE ci.duration_seconds > 0), 0)::bigint AS view_duration_seconds,
       coalesce(sum(f.watch_seconds) FILTER (WHERE ci.duration_seconds > 0 AND f.views IS NOT NULL), 0)::bigint AS timed_watch_seconds
FROM engagement_rollup_input f
JOIN content_items ci ON ci.id = f.content_item_id
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE OR REPLACE VIEW rollup_audience_source AS
SELECT f.day, ci.campaign_id, f.platform, coalesce(ci.reviewed_theme, ci.predicted_theme, 'unclassified') AS theme, a.audience,
       (f.platform IN ('meta_ads', 'google_ads') OR coalesce(f.spend, 0) > 0) AS is_paid,
       count(*)::int AS items,
       coalesce(sum(f.impressions), 0)::bigint AS impressions,
       coalesce(sum(f.reach), 0)::bigint AS reach,
       coalesce(sum(f.views), 0)::bigint AS views,
       coalesce(sum(f.reactions), 0)::bigint AS reactions,
       coalesce(sum(f.comments), 0)::bigint AS comments,
       coalesce(sum(f.shares), 0)::bigint AS shares,
       coalesce(sum(f.clicks), 0)::bigint AS clicks,
       coalesce(sum(f.saves), 0)::bigint AS saves,
       coalesce(sum(f.spend), 0)::numeric(16, 2) AS spend
FROM engagement_rollup_input f
JOIN content_items ci ON ci.id = f.content_item_id
CROSS JOIN LATERAL unnest(CASE WHEN cardinality(coalesce(ci.reviewed_audiences, ci.predicted_audiences)) > 0
                               THEN coalesce(ci.reviewed_audiences, ci.predicted_audiences)
                               ELSE ARRAY['unclassified'] END) AS a(audience)
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE OR REPLACE VIEW rollup_content_source AS
SELECT date_trunc('month', f.day)::date AS month, f.content_item_id, ci.campaign_id, f.platform,
       coalesce(sum(f.impressions), 0)::bigint AS impressions,
       coalesce(sum(f.reach), 0)::bigint AS reach,
       coalesce(sum(f.views), 0)::bigint AS views,
       coalesce(sum(coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0)), 0)::bigint AS engagements
FROM engagement_rollup_input f
JOIN content_items ci ON ci.id = f.content_item_id
GROUP BY 1, 2, 3, 4;

CREATE FUNCTION mark_relabelled_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty_days (campaign_id, day)
    SELECT DISTINCT x.campaign_id, f.day
    FROM new_rows n
    JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES (n.campaign_id), (o.campaign_id)) AS x(campaign_id)
    JOIN engagement_rollup_input f ON f.content_item_id = n.id
    WHERE (n.reviewed_theme, n.predicted_theme, n.reviewed_audiences, n.predicted_audiences, n.language, n.campaign_id, n.duration_seconds)
          IS DISTINCT FROM
          (o.reviewed_theme, o.predicted_theme, o.reviewed_audiences, o.predicted_audiences, o.language, o.campaign_id, o.duration_seconds)
    ON CONFLICT (campaign_id, day) DO UPDATE SET marked_at = now();
    RETURN NULL;
END $$;

CREATE TRIGGER content_items_mark_relabelled_days
AFTER UPDATE ON content_items
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION mark_relabelled_days();
