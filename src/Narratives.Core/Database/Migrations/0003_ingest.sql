-- Ingest: what each imported figure means, cumulative snapshots, period totals, campaign feeds and the hook for
-- analytics rollups. Depends only on 0001.

-- How a fact in engagement_facts came to be: a daily value as exported ('daily'), or the increase between two
-- cumulative snapshots of the same item ('cumulative'). Rows written before this migration are daily series.
ALTER TABLE engagement_facts
    ADD COLUMN meaning text NOT NULL DEFAULT 'daily' CHECK (meaning IN ('daily', 'cumulative'));

-- Lifetime totals of one content item as of a date, exactly as the export gave them. Daily facts are derived from
-- consecutive snapshots by difference, so importing Monday's and Friday's lifetime totals never counts Monday twice.
CREATE TABLE engagement_snapshots (
    content_item_id bigint NOT NULL REFERENCES content_items (id),
    as_of           date NOT NULL,
    platform        text NOT NULL,
    impressions     bigint CHECK (impressions >= 0),
    reach           bigint CHECK (reach >= 0),
    views           bigint CHECK (views >= 0),
    watch_seconds   bigint CHECK (watch_seconds >= 0),
    reactions       bigint CHECK (reactions >= 0),
    comments        bigint CHECK (comments >= 0),
    shares          bigint CHECK (shares >= 0),
    clicks          bigint CHECK (clicks >= 0),
    saves           bigint CHECK (saves >= 0),
    follows         bigint CHECK (follows >= 0),
    spend           numeric(14, 2) CHECK (spend >= 0),
    import_id       bigint REFERENCES imports (id),
    PRIMARY KEY (content_item_id, as_of)
);

-- Totals over a reporting period longer than a day (ads reports). Kept as given: they are not spread over days.
CREATE TABLE engagement_period_totals (
    content_item_id bigint NOT NULL REFERENCES content_items (id),
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    platform        text NOT NULL,
    impressions     bigint CHECK (impressions >= 0),
    reach           bigint CHECK (reach >= 0),
    views           bigint CHECK (views >= 0),
    watch_seconds   bigint CHECK (watch_seconds >= 0),
    reactions       bigint CHECK (reactions >= 0),
    comments        bigint CHECK (comments >= 0),
    shares          bigint CHECK (shares >= 0),
    clicks          bigint CHECK (clicks >= 0),
    saves           bigint CHECK (saves >= 0),
    follows         bigint CHECK (follows >= 0),
    spend           numeric(14, 2) CHECK (spend >= 0),
    import_id       bigint REFERENCES imports (id),
    PRIMARY KEY (content_item_id, period_start, period_end),
    CHECK (period_end > period_start)
);

-- A replayed import (the kept raw file imported again after a parser fix) supersedes the earlier one.
ALTER TABLE imports
    DROP CONSTRAINT imports_status_check,
    ADD CONSTRAINT imports_status_check CHECK (status IN ('running', 'imported', 'imported_with_errors', 'duplicate', 'rejected', 'failed', 'replayed')),
    ADD COLUMN currency char(3) CHECK (currency ~ '^[A-Z]{3}$'),
    ADD COLUMN report jsonb;

ALTER TABLE import_errors
    ADD COLUMN file_name text;

-- Campaign days whose engagement changed since the analytics rollups last ran. Ingest adds to it in the same
-- transaction as the facts; the rollup job (analytics) consumes and deletes rows.
CREATE TABLE rollup_dirty_days (
    campaign_id bigint NOT NULL REFERENCES campaigns (id),
    day         date NOT NULL,
    marked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (campaign_id, day)
);

-- RSS and Atom feeds a campaign publishes (a blog, a YouTube channel feed); the feed collector adds their items.
CREATE TABLE campaign_feeds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    url             text NOT NULL CHECK (url ~ '^https?://'),
    etag            text,
    last_modified   text,
    last_fetched_at timestamptz,
    last_status     text,
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, url)
);

-- The increase of a lifetime total since the previous snapshot; a total that went down (a platform recount) adds 0.
CREATE FUNCTION ingest_increase(current_total bigint, previous_total bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN current_total IS NULL THEN NULL ELSE greatest(current_total - coalesce(previous_total, 0), 0) END
$$;

CREATE FUNCTION ingest_increase(current_total numeric, previous_total numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN current_total IS NULL THEN NULL ELSE greatest(current_total - coalesce(previous_total, 0), 0) END
$$;
