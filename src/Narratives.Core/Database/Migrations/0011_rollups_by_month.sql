-- The analytics pages read a period (90 days on the Overview) of the daily and audience rollups. Unsplit, PostgreSQL
-- read every day ever rolled up to find the period's rows, so each widget slowed down with every month of history.
-- Both rollups are now split by month, as the facts are: a period reads only its months. A rollup's month is made
-- together with the facts' month (ensure_engagement_partitions); the months of periods' totals (rolled up on their
-- last day) are made by the import that brings them and by the rollup refresh and rebuild.
--
-- Both are derived data written only by RollupStore (and rebuilt from their views), so, as for the content rollup in
-- 0010, they keep their primary keys but no longer check their campaign row by row.

ALTER TABLE rollup_daily RENAME TO rollup_daily_unsplit;
ALTER INDEX rollup_daily_pkey RENAME TO rollup_daily_unsplit_pkey;
ALTER INDEX rollup_daily_campaign RENAME TO rollup_daily_unsplit_campaign;
ALTER TABLE rollup_audience RENAME TO rollup_audience_unsplit;
ALTER INDEX rollup_audience_pkey RENAME TO rollup_audience_unsplit_pkey;
ALTER INDEX rollup_audience_campaign RENAME TO rollup_audience_unsplit_campaign;

CREATE TABLE rollup_daily (LIKE rollup_daily_unsplit INCLUDING DEFAULTS) PARTITION BY RANGE (day);
ALTER TABLE rollup_daily ADD PRIMARY KEY (day, campaign_id, platform, theme, language, is_paid);
CREATE INDEX rollup_daily_campaign ON rollup_daily (campaign_id, day);

CREATE TABLE rollup_audience (LIKE rollup_audience_unsplit INCLUDING DEFAULTS) PARTITION BY RANGE (day);
ALTER TABLE rollup_audience ADD PRIMARY KEY (day, campaign_id, platform, theme, audience, is_paid);
CREATE INDEX rollup_audience_campaign ON rollup_audience (campaign_id, day);

-- One lock per month, held to the end of the transaction that made it (see 0009); each of the three tables is checked
-- on its own, so a database migrated with facts but no rollup months gets them the first time a month is asked for.
CREATE OR REPLACE FUNCTION ensure_engagement_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month date := date_trunc('month', from_day)::date;
    created integer := 0;
    parent text;
    name text;
BEGIN
    IF to_day < from_day THEN
        RAISE EXCEPTION 'to_day % is before from_day %', to_day, from_day;
    END IF;
    WHILE month <= to_day LOOP
        FOREACH parent IN ARRAY ARRAY['engagement_facts', 'rollup_daily', 'rollup_audience'] LOOP
            name := format('%s_%s', parent, to_char(month, 'YYYY_MM'));
            IF to_regclass(name) IS NULL THEN
                PERFORM pg_advisory_xact_lock(hashtext(parent || ' partition'), hashtext(name));
                -- Read the catalogue afresh (to_regclass may still answer from this session's cache).
                IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                               WHERE i.inhparent = parent::regclass AND c.relname = name) THEN
                    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                                   name, parent, month, (month + interval '1 month')::date);
                    IF parent = 'engagement_facts' THEN
                        created := created + 1;
                    END IF;
                END IF;
            END IF;
        END LOOP;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END $$;

-- A month for every month that has facts, periods' totals or rollup rows, then the rows themselves.
SELECT ensure_engagement_partitions(m, m)
FROM (SELECT date_trunc('month', day)::date AS m FROM rollup_daily_unsplit
      UNION SELECT date_trunc('month', day)::date FROM rollup_audience_unsplit
      UNION SELECT date_trunc('month', period_end)::date FROM engagement_period_totals
      UNION SELECT to_date(substring(c.relname FROM 'engagement_facts_(\d{4}_\d{2})$'), 'YYYY_MM')
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'engagement_facts'::regclass AND c.relname ~ '^engagement_facts_\d{4}_\d{2}$') months;

INSERT INTO rollup_daily SELECT * FROM rollup_daily_unsplit;
INSERT INTO rollup_audience SELECT * FROM rollup_audience_unsplit;
DROP TABLE rollup_daily_unsplit;
DROP TABLE rollup_audience_unsplit;
