-- The registry core: bodies, scheme versions and indicators, companies, platforms and their
-- domains, certificates, evaluations, public events, the name-search token index.
-- Types are the ones both backends share (see docs/ARCHITECTURE.md); dates are calendar dates in
-- China Standard Time, timestamps are UTC.

CREATE TABLE certification_bodies (
    id SERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    approval_number TEXT NOT NULL,
    website TEXT
);

CREATE TABLE scheme_versions (
    id SERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    standard_code TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    effective_from DATE NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE indicators (
    id SERIAL PRIMARY KEY,
    scheme_version_id INTEGER NOT NULL REFERENCES scheme_versions (id),
    parent_id INTEGER REFERENCES indicators (id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    max_points DOUBLE PRECISION NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (scheme_version_id, code)
);

CREATE TABLE companies (
    id SERIAL PRIMARY KEY,
    credit_code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT,
    province_code TEXT NOT NULL,
    city TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX companies_province ON companies (province_code);

CREATE TABLE platforms (
    id SERIAL PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name TEXT NOT NULL,
    platform_type TEXT NOT NULL,
    app_names TEXT NOT NULL DEFAULT ''
);
CREATE INDEX platforms_company ON platforms (company_id);
CREATE INDEX platforms_type ON platforms (platform_type);

CREATE TABLE platform_domains (
    id SERIAL PRIMARY KEY,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    domain TEXT NOT NULL UNIQUE
);
CREATE INDEX platform_domains_platform ON platform_domains (platform_id);

CREATE TABLE certificates (
    id SERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    platform_id INTEGER NOT NULL REFERENCES platforms (id),
    company_id INTEGER NOT NULL REFERENCES companies (id),
    body_id INTEGER NOT NULL REFERENCES certification_bodies (id),
    scheme_version_id INTEGER NOT NULL REFERENCES scheme_versions (id),
    score DOUBLE PRECISION NOT NULL,
    grade SMALLINT NOT NULL,
    status TEXT NOT NULL,
    first_issued_on DATE NOT NULL,
    issued_on DATE NOT NULL,
    expires_on DATE NOT NULL,
    last_assessed_on DATE NOT NULL,
    last_assessment_kind TEXT NOT NULL,
    scope_zh TEXT NOT NULL,
    scope_en TEXT NOT NULL,
    sort_name TEXT COLLATE "C" NOT NULL,
    search_text TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX certificates_platform ON certificates (platform_id);
CREATE INDEX certificates_company ON certificates (company_id);
CREATE INDEX certificates_grade ON certificates (grade, score);
CREATE INDEX certificates_status_expiry ON certificates (status, expires_on, grade);
CREATE INDEX certificates_issued ON certificates (issued_on);
CREATE INDEX certificates_expiry ON certificates (expires_on);
CREATE INDEX certificates_sort_name ON certificates (sort_name);
CREATE INDEX certificates_scheme ON certificates (scheme_version_id);

CREATE TABLE evaluations (
    id SERIAL PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    kind TEXT NOT NULL,
    assessed_on DATE NOT NULL,
    total_score DOUBLE PRECISION NOT NULL,
    grade SMALLINT
);
CREATE INDEX evaluations_certificate ON evaluations (certificate_id, assessed_on);

CREATE TABLE evaluation_scores (
    id SERIAL PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    earned DOUBLE PRECISION,
    max_points DOUBLE PRECISION NOT NULL,
    UNIQUE (evaluation_id, indicator_id)
);

CREATE TABLE certificate_events (
    id SERIAL PRIMARY KEY,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    grade_before SMALLINT,
    grade_after SMALLINT,
    reason_zh TEXT,
    reason_en TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX certificate_events_certificate ON certificate_events (certificate_id, occurred_on);
CREATE INDEX certificate_events_recent ON certificate_events (occurred_on, id);

-- Name search: one row per (token, certificate). Chinese text is indexed as character bigrams,
-- Latin text as words, so that two-character names such as 京东 are found through the index.
CREATE TABLE search_tokens (
    token TEXT COLLATE "C" NOT NULL,
    certificate_id INTEGER NOT NULL REFERENCES certificates (id),
    PRIMARY KEY (token, certificate_id)
);
CREATE INDEX search_tokens_certificate ON search_tokens (certificate_id);

CREATE TABLE registry_meta (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- A counter bumped by every change a public page shows; instances drop their page caches
-- when it moves (see web::page_cache).
INSERT INTO registry_meta (key, value) VALUES ('revision', '0');
