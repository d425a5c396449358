-- Analytics rollups: daily sums by campaign, platform, theme, language and paid/organic, and by audience. Each is
-- defined once, as a view over the raw facts; the rollup tables hold the view's rows, refreshed for the campaign days
-- an import changed (and rebuilt in full by a command when a definition changes). Initiative, country and region come
-- from the campaign at query time.
-- Theme and audiences: a person's reviewed labels, else the classifier's prediction, else 'unclassified'.
-- Paid: an ads platform, or any spend that day.

CREATE VIEW rollup_daily_source AS
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
       -- For average watch-through: views times the item's duration, and the watch time of those same views.
       coalesce(sum(f.views * ci.duration_seconds) FILTER (WHERE ci.duration_seconds > 0), 0)::bigint AS view_duration_seconds,
       coalesce(sum(f.watch_seconds) FILTER (WHERE ci.duration_seconds > 0 AND f.views IS NOT NULL), 0)::bigint AS timed_watch_seconds
FROM engagement_facts f
JOIN content_items ci ON ci.id = f.content_item_id
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE VIEW rollup_audience_source AS
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
FROM engagement_facts f
JOIN content_items ci ON ci.id = f.content_item_id
CROSS JOIN LATERAL unnest(CASE WHEN cardinality(coalesce(ci.reviewed_audiences, ci.predicted_audiences)) > 0
                               THEN coalesce(ci.reviewed_audiences, ci.predicted_audiences)
                               ELSE ARRAY['unclassified'] END) AS a(audience)
GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TABLE rollup_daily (
    day                   date NOT NULL,
    campaign_id           bigint NOT NULL REFERENCES campaigns (id),
    platform              text NOT NULL,
    theme                 text NOT NULL,
    language              text NOT NULL,
    is_paid               boolean NOT NULL,
    items                 integer NOT NULL,
    impressions           bigint NOT NULL,
    reach                 bigint NOT NULL,
    views                 bigint NOT NULL,
    watch_seconds         bigint NOT NULL,
    reactions             bigint NOT NULL,
    comments              bigint NOT NULL,
    shares                bigint NOT NULL,
    clicks                bigint NOT NULL,
    saves                 bigint NOT NULL,
    follows               bigint NOT NULL,
    spend                 numeric(16, 2) NOT NULL,
    view_duration_seconds bigint NOT NULL,
    timed_watch_seconds   bigint NOT NULL,
    PRIMARY KEY (day, campaign_id, platform, theme, language, is_paid)
);
CREATE INDEX rollup_daily_campaign ON rollup_daily (campaign_id, day);

CREATE TABLE rollup_audience (
    day         date NOT NULL,
    campaign_id bigint NOT NULL REFERENCES campaigns (id),
    platform    text NOT NULL,
    theme       text NOT NULL,
    audience    text NOT NULL,
    is_paid     boolean NOT NULL,
    items       integer NOT NULL,
    impressions bigint NOT NULL,
    reach       bigint NOT NULL,
    views       bigint NOT NULL,
    reactions   bigint NOT NULL,
    comments    bigint NOT NULL,
    shares      bigint NOT NULL,
    clicks      bigint NOT NULL,
    saves       bigint NOT NULL,
    spend       numeric(16, 2) NOT NULL,
    PRIMARY KEY (day, campaign_id, platform, theme, audience, is_paid)
);
CREATE INDEX rollup_audience_campaign ON rollup_audience (campaign_id, day);

-- Content totals by calendar month, for "top content" without reading every daily fact.
CREATE VIEW rollup_content_source AS
SELECT date_trunc('month', f.day)::date AS month, f.content_item_id, ci.campaign_id, f.platform,
       coalesce(sum(f.impressions), 0)::bigint AS impressions,
       coalesce(sum(f.reach), 0)::bigint AS reach,
       coalesce(sum(f.views), 0)::bigint AS views,
       coalesce(sum(coalesce(f.reactions, 0) + coalesce(f.comments, 0) + coalesce(f.shares, 0) + coalesce(f.saves, 0) + coalesce(f.clicks, 0)), 0)::bigint AS engagements
FROM engagement_facts f
JOIN content_items ci ON ci.id = f.content_item_id
GROUP BY 1, 2, 3, 4;

CREATE TABLE rollup_content_monthly (
    month           date NOT NULL,
    content_item_id bigint NOT NULL REFERENCES content_items (id),
    campaign_id     bigint NOT NULL REFERENCES campaigns (id),
    platform        text NOT NULL,
    impressions     bigint NOT NULL,
    reach           bigint NOT NULL,
    views           bigint NOT NULL,
    engagements     bigint NOT NULL,
    PRIMARY KEY (month, content_item_id, platform)
);
CREATE INDEX rollup_content_monthly_campaign ON rollup_content_monthly (campaign_id, month);
