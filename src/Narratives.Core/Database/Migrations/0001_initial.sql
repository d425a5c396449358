-- Narratives schema v1: the whole domain, so later work extends it rather than rewrites it.
-- Vocabularies (themes, audiences, platforms ...) are checked here; taxonomy ids are checked against
-- data/taxonomy.json by the application, since the taxonomy is versioned data, not schema.

CREATE TABLE countries (
    alpha3              char(3) PRIMARY KEY CHECK (alpha3 ~ '^[A-Z]{3}$'),
    alpha2              char(2) NOT NULL UNIQUE CHECK (alpha2 ~ '^[A-Z]{2}$'),
    numeric_code        char(3) NOT NULL UNIQUE CHECK (numeric_code ~ '^[0-9]{3}$'),
    name                text NOT NULL,
    region              text NOT NULL DEFAULT '',
    sub_region          text NOT NULL DEFAULT '',
    intermediate_region text NOT NULL DEFAULT ''
);

CREATE TABLE organizations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]*$'),
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('secretariat', 'civil_society', 'government', 'religious_body',
                                              'private_sector', 'international_organization', 'academia')),
    country     char(3) REFERENCES countries (alpha3),
    website     text,
    description text NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    is_demo     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
    id   text PRIMARY KEY CHECK (id IN ('staff', 'partner', 'researcher')),
    name text NOT NULL
);
INSERT INTO roles (id, name) VALUES ('staff', 'Staff'), ('partner', 'Partner'), ('researcher', 'Researcher');

CREATE TABLE users (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                text NOT NULL CHECK (position('@' IN email) > 1),
    normalized_email     text NOT NULL UNIQUE,
    user_name            text NOT NULL,
    normalized_user_name text NOT NULL UNIQUE,
    display_name         text NOT NULL DEFAULT '',
    password_hash        text,
    security_stamp       text NOT NULL,
    concurrency_stamp    text NOT NULL,
    organization_id      bigint REFERENCES organizations (id),
    two_factor_enabled   boolean NOT NULL DEFAULT false,
    authenticator_key    text,
    recovery_codes       text,
    lockout_enabled      boolean NOT NULL DEFAULT true,
    lockout_end          timestamptz,
    access_failed_count  integer NOT NULL DEFAULT 0 CHECK (access_failed_count >= 0),
    is_disabled          boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at      timestamptz
);

CREATE TABLE user_roles (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id text NOT NULL REFERENCES roles (id),
    PRIMARY KEY (user_id, role_id)
);

CREATE TABLE api_keys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id bigint NOT NULL REFERENCES organizations (id),
    name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    prefix          text NOT NULL UNIQUE,
    key_hash        bytea NOT NULL,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz
);

CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    actor_user_id    uuid REFERENCES users (id),
    actor_api_key_id bigint REFERENCES api_keys (id),
    actor_label      text NOT NULL,
    action           text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'archive', 'restore', 'approve',
                                                     'reject', 'propose', 'activate', 'revoke', 'disable', 'enable',
                                                     'sign_in_failed', 'access_denied')),
    entity_type      text NOT NULL,
    entity_id        text NOT NULL,
    before           jsonb,
    after            jsonb,
    remote_address   text
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_time ON audit_log (occurred_at DESC);

-- ---------------------------------------------------------------- initiatives

CREATE TABLE initiatives (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_ref           text UNIQUE,
    name                   text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    short_description      text NOT NULL DEFAULT '' CHECK (length(short_description) <= 500),
    description            text NOT NULL DEFAULT '',
    scope                  text NOT NULL CHECK (scope IN ('national', 'regional', 'global')),
    lead_organization      text NOT NULL CHECK (length(btrim(lead_organization)) BETWEEN 1 AND 300),
    lead_type              text NOT NULL CHECK (lead_type IN ('government', 'civil_society', 'religious_body',
                                                              'private_sector', 'international_organization', 'academia')),
    partner_organizations  text[] NOT NULL DEFAULT '{}',
    owner_organization_id  bigint REFERENCES organizations (id),
    themes                 text[] NOT NULL DEFAULT '{}',
    audiences              text[] NOT NULL DEFAULT '{}',
    languages              text[] NOT NULL DEFAULT '{}',
    channels               text[] NOT NULL DEFAULT '{}',
    status                 text NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'discontinued')),
    start_date             date,
    end_date               date,
    website                text,
    social_links           text[] NOT NULL DEFAULT '{}',
    contact_name           text,
    contact_email          text,
    verification           text NOT NULL DEFAULT 'unverified' CHECK (verification IN ('unverified', 'verified')),
    last_verified_at       timestamptz,
    notes                  text NOT NULL DEFAULT '',
    is_demo                boolean NOT NULL DEFAULT false,
    archived_at            timestamptz,
    version                integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    search                 tsvector GENERATED ALWAYS AS (
                               setweight(to_tsvector('simple', name), 'A') ||
                               setweight(to_tsvector('simple', short_description), 'B') ||
                               setweight(to_tsvector('simple', description), 'C')) STORED,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    CHECK (verification = 'unverified' OR last_verified_at IS NOT NULL),
    CHECK (array_to_string(languages, ',') ~ '^([a-z]{2}(,[a-z]{2})*)?$')
);
CREATE INDEX initiatives_search ON initiatives USING gin (search);
CREATE INDEX initiatives_themes ON initiatives USING gin (themes);
CREATE INDEX initiatives_audiences ON initiatives USING gin (audiences);

-- The UN M49 region and sub-region of an initiative are derived from its countries through this table.
CREATE TABLE initiative_countries (
    initiative_id bigint NOT NULL REFERENCES initiatives (id) ON DELETE CASCADE,
    country       char(3) NOT NULL REFERENCES countries (alpha3),
    PRIMARY KEY (initiative_id, country)
);
CREATE INDEX initiative_countries_country ON initiative_countries (country);

CREATE TABLE initiative_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiatives (id),
    version       integer NOT NULL,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    changed_by    uuid REFERENCES users (id),
    changed_by_label text NOT NULL,
    change_kind   text NOT NULL CHECK (change_kind IN ('created', 'updated', 'archived', 'restored', 'verified', 'proposal_applied', 'imported')),
    changes       jsonb NOT NULL,
    snapshot      jsonb NOT NULL,
    UNIQUE (initiative_id, version)
);

CREATE TABLE initiative_proposals (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id    bigint REFERENCES initiatives (id),
    organization_id  bigint NOT NULL REFERENCES organizations (id),
    proposed_by      uuid REFERENCES users (id),
    proposed_at      timestamptz NOT NULL DEFAULT now(),
    base_version     integer,
    payload          jsonb NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reviewed_by      uuid REFERENCES users (id),
    reviewed_at      timestamptz,
    rejection_reason text,
    CHECK (status <> 'rejected' OR length(btrim(coalesce(rejection_reason, ''))) > 0),
    CHECK ((status = 'pending') = (reviewed_at IS NULL))
);
CREATE INDEX initiative_proposals_pending ON initiative_proposals (proposed_at) WHERE status = 'pending';

-- ---------------------------------------------------------------- campaigns (GAMMMA+)

CREATE TABLE campaigns (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    initiative_id        bigint NOT NULL REFERENCES initiatives (id),
    organization_id      bigint NOT NULL REFERENCES organizations (id),
    external_ref         text UNIQUE,
    name                 text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    status               text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'finished')),
    is_published         boolean NOT NULL DEFAULT false,
    start_date           date,
    end_date             date,
    budget               numeric(14, 2) CHECK (budget >= 0),
    currency             char(3) CHECK (currency ~ '^[A-Z]{3}$'),
    -- Goal
    goal_text            text NOT NULL DEFAULT '',
    -- Audience
    audiences            text[] NOT NULL DEFAULT '{}',
    target_countries     text[] NOT NULL DEFAULT '{}',
    target_languages     text[] NOT NULL DEFAULT '{}',
    age_min              integer CHECK (age_min BETWEEN 0 AND 120),
    age_max              integer CHECK (age_max BETWEEN 0 AND 120),
    audience_description text NOT NULL DEFAULT '',
    -- Message
    themes               text[] NOT NULL DEFAULT '{}',
    key_message          text NOT NULL DEFAULT '',
    -- Messenger
    messenger            text CHECK (messenger IN ('former', 'survivor', 'religious_leader', 'peer', 'community_leader',
                                                   'government', 'celebrity', 'organization')),
    -- Media
    platforms            text[] NOT NULL DEFAULT '{}',
    offline_channels     text[] NOT NULL DEFAULT '{}',
    is_paid              boolean NOT NULL DEFAULT false,
    -- Action
    call_to_action       text NOT NULL DEFAULT '',
    landing_url          text,
    -- Monitoring and evaluation
    monitoring_metrics   text[] NOT NULL DEFAULT '{}',
    outcome_measures     text[] NOT NULL DEFAULT '{}',
    baseline             text NOT NULL DEFAULT '',
    is_demo              boolean NOT NULL DEFAULT false,
    archived_at          timestamptz,
    created_by           uuid REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
    CHECK (budget IS NULL OR currency IS NOT NULL),
    CHECK (age_min IS NULL OR age_max IS NULL OR age_min <= age_max),
    CHECK (status <> 'draft' OR NOT is_published),
    CHECK (array_to_string(target_languages, ',') ~ '^([a-z]{2}(,[a-z]{2})*)?$'),
    CHECK (array_to_string(target_countries, ',') ~ '^([A-Z]{3}(,[A-Z]{3})*)?$')
);
CREATE INDEX campaigns_initiative ON campaigns (initiative_id);
CREATE INDEX campaigns_organization ON campaigns (organization_id);

CREATE TABLE campaign_kpis (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    metric      text NOT NULL CHECK (metric IN ('impressions', 'reach', 'views', 'engagements', 'clicks', 'conversions', 'watch_hours')),
    target      numeric(18, 2) NOT NULL CHECK (target > 0),
    deadline    date NOT NULL,
    description text NOT NULL DEFAULT ''
);

CREATE TABLE campaign_variants (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    is_control  boolean NOT NULL DEFAULT false,
    description text NOT NULL DEFAULT '',
    UNIQUE (campaign_id, name)
);

-- Counts and sample sizes, never percentages, so that intervals can be computed.
CREATE TABLE outcome_measurements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id     bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    variant_id      bigint REFERENCES campaign_variants (id),
    kind            text NOT NULL CHECK (kind IN ('survey', 'conversion', 'qualitative')),
    -- survey
    question        text,
    design          text CHECK (design IN ('pre_post', 'treatment_control')),
    arm             text CHECK (arm IN ('pre', 'post', 'treatment', 'control')),
    sample_size     integer CHECK (sample_size > 0),
    agreeing        integer CHECK (agreeing >= 0),
    -- conversion
    conversion_type text CHECK (conversion_type IN ('helpline_call', 'sign_up', 'referral', 'event_attendance', 'other')),
    count           integer CHECK (count >= 0),
    -- qualitative
    note            text,
    evidence_url    text,
    measured_on     date NOT NULL,
    recorded_by     uuid REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (agreeing IS NULL OR sample_size IS NULL OR agreeing <= sample_size),
    CHECK (kind <> 'survey' OR (question IS NOT NULL AND design IS NOT NULL AND arm IS NOT NULL AND sample_size IS NOT NULL AND agreeing IS NOT NULL)),
    CHECK (kind <> 'conversion' OR (conversion_type IS NOT NULL AND count IS NOT NULL)),
    CHECK (kind <> 'qualitative' OR note IS NOT NULL)
);

-- ---------------------------------------------------------------- classifier models

CREATE TABLE model_versions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task               text NOT NULL CHECK (task IN ('theme', 'audience')),
    taxonomy_version   text NOT NULL,
    training_data_hash text NOT NULL,
    trainer            text NOT NULL,
    metrics            jsonb NOT NULL,
    model              bytea NOT NULL,
    is_active          boolean NOT NULL DEFAULT false,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    activated_at       timestamptz
);
CREATE UNIQUE INDEX model_versions_one_active ON model_versions (task) WHERE is_active;

-- ---------------------------------------------------------------- content

CREATE TABLE content_items (
    id                             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id                    bigint NOT NULL REFERENCES campaigns (id),
    variant_id                     bigint REFERENCES campaign_variants (id),
    platform                       text NOT NULL CHECK (platform IN ('facebook', 'instagram', 'youtube', 'x', 'tiktok',
                                                                     'meta_ads', 'google_ads', 'website', 'feed', 'offline', 'other')),
    external_id                    text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    permalink                      text,
    title                          text NOT NULL DEFAULT '',
    text                           text NOT NULL DEFAULT '',
    language                       text CHECK (language ~ '^[a-z]{2}$'),
    published_at                   timestamptz,
    duration_seconds               integer CHECK (duration_seconds >= 0),
    source                         text NOT NULL CHECK (source IN ('manual', 'import', 'api', 'feed', 'demo')),
    predicted_theme                text,
    predicted_theme_confidence     real CHECK (predicted_theme_confidence BETWEEN 0 AND 1),
    predicted_audiences            text[],
    predicted_audience_confidences real[],
    theme_model_version_id         bigint REFERENCES model_versions (id),
    audience_model_version_id      bigint REFERENCES model_versions (id),
    predicted_at                   timestamptz,
    reviewed_theme                 text,
    reviewed_audiences             text[],
    reviewed_by                    uuid REFERENCES users (id),
    reviewed_at                    timestamptz,
    created_at                     timestamptz NOT NULL DEFAULT now(),
    updated_at                     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (platform, external_id),
    CHECK ((reviewed_theme IS NULL) = (reviewed_at IS NULL))
);
CREATE INDEX content_items_campaign ON content_items (campaign_id);

-- ---------------------------------------------------------------- imports

CREATE TABLE raw_files (
    sha256       bytea PRIMARY KEY CHECK (length(sha256) = 32),
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    storage_path text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE imports (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id      bigint NOT NULL REFERENCES campaigns (id),
    file_name        text NOT NULL,
    file_sha256      bytea REFERENCES raw_files (sha256),
    source           text NOT NULL CHECK (source IN ('upload', 'cli', 'api', 'watch', 'feed', 'demo', 'replay')),
    format           text,
    status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'imported', 'imported_with_errors', 'duplicate', 'rejected', 'failed')),
    rows_read        integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_imported    integer NOT NULL DEFAULT 0 CHECK (rows_imported >= 0),
    rows_quarantined integer NOT NULL DEFAULT 0 CHECK (rows_quarantined >= 0),
    message          text NOT NULL DEFAULT '',
    created_by       uuid REFERENCES users (id),
    api_key_id       bigint REFERENCES api_keys (id),
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX imports_campaign ON imports (campaign_id, started_at DESC);
CREATE UNIQUE INDEX imports_once_per_file ON imports (campaign_id, file_sha256) WHERE status IN ('imported', 'imported_with_errors');

CREATE TABLE import_errors (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id   bigint NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line_number integer CHECK (line_number >= 1),
    column_name text,
    message     text NOT NULL,
    raw_text    text
);
CREATE INDEX import_errors_import ON import_errors (import_id);

-- ---------------------------------------------------------------- engagement

-- One row per content item and day, in the platform's own definitions (the platform is kept with each fact).
-- NULL means the export did not report that figure; 0 means it reported zero.
CREATE TABLE engagement_facts (
    content_item_id bigint NOT NULL REFERENCES content_items (id),
    day             date NOT NULL,
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
    PRIMARY KEY (content_item_id, day)
) PARTITION BY RANGE (day);

CREATE INDEX engagement_facts_day ON engagement_facts USING brin (day);

-- Monthly partitions are made on demand by whoever writes facts for a range of days.
CREATE FUNCTION ensure_engagement_partitions(from_day date, to_day date) RETURNS integer
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
            EXECUTE format('CREATE TABLE %I PARTITION OF engagement_facts FOR VALUES FROM (%L) TO (%L)',
                           name, month, (month + interval '1 month')::date);
            created := created + 1;
        END IF;
        month := (month + interval '1 month')::date;
    END LOOP;
    RETURN created;
END $$;
