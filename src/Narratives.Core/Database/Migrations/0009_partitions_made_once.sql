-- Two imports that need the same new month at the same time: the second waits for the first to commit its partition
-- and then finds it, instead of failing with "relation already exists". One lock per month, held to the end of the
-- transaction that made the partition.
CREATE OR REPLACE FUNCTION ensure_engagement_partitions(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    month date := date_trunc('month', from_day)::date;
    created integer := 0;
    name text;
BEGIN
    IF to_day < from_day THEN
        RAISE EXCEPTION 'to_day % is before from_day %', to_day, from_day;
    END IF;
    WHILE month <= to_day LOOP
        name := format('engagement_facts_%s', to_char(month, 'YYYY_MM'));
        IF to_regclass(name) IS NULL THEN
            PERFORM pg_advisory_xact_lock(hashtext('engagement_facts partition'), hashtext(name));
            -- Read the catalogue afresh (to_regclass may still answer from this session's cache).
            IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                           WHERE i.inhparent = 'engagement_facts'::regclass AND c.relname = name) THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF engagement_facts FOR VALUES FROM (%L) TO (%L)',
                               name, month, (month + interval '1 month')::date);
                created := created + 1;
            END IF;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END $$;
