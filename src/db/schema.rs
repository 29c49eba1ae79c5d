//! The database schema, shared by SQLite and PostgreSQL: only types both backends have.
//! `tests/registry/schema.rs` checks it against both migration sets.

diesel::table! {
    certification_bodies (id) {
        id -> Integer,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        approval_number -> Text,
        website -> Nullable<Text>,
    }
}

diesel::table! {
    scheme_versions (id) {
        id -> Integer,
        slug -> Text,
        standard_code -> Text,
        title_zh -> Text,
        title_en -> Text,
        effective_from -> Date,
        illustrative -> Bool,
    }
}

diesel::table! {
    indicators (id) {
        id -> Integer,
        scheme_version_id -> Integer,
        parent_id -> Nullable<Integer>,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        max_points -> Double,
        position -> Integer,
    }
}

diesel::table! {
    companies (id) {
        id -> Integer,
        credit_code -> Text,
        name_zh -> Text,
        name_en -> Nullable<Text>,
        province_code -> Text,
        city -> Text,
        address -> Text,
    }
}

diesel::table! {
    platforms (id) {
        id -> Integer,
        company_id -> Integer,
        name -> Text,
        platform_type -> Text,
        app_names -> Text,
    }
}

diesel::table! {
    platform_domains (id) {
        id -> Integer,
        platform_id -> Integer,
        domain -> Text,
        site_key -> Text,
    }
}

diesel::table! {
    certificates (id) {
        id -> Integer,
        number -> Text,
        platform_id -> Integer,
        company_id -> Integer,
        body_id -> Integer,
        scheme_version_id -> Integer,
        score -> Double,
        grade -> SmallInt,
        status -> Text,
        first_issued_on -> Date,
        issued_on -> Date,
        expires_on -> Date,
        last_assessed_on -> Date,
        last_assessment_kind -> Text,
        scope_zh -> Text,
        scope_en -> Text,
        sort_name -> Text,
        search_text -> Text,
        updated_at -> Timestamp,
        suspended_until -> Nullable<Date>,
        province_code -> Text,
        platform_type -> Text,
    }
}

diesel::table! {
    evaluations (id) {
        id -> Integer,
        certificate_id -> Integer,
        kind -> Text,
        assessed_on -> Date,
        total_score -> Double,
        grade -> Nullable<SmallInt>,
    }
}

diesel::table! {
    evaluation_scores (id) {
        id -> Integer,
        evaluation_id -> Integer,
        indicator_id -> Integer,
        earned -> Nullable<Double>,
        max_points -> Double,
    }
}

diesel::table! {
    certificate_events (id) {
        id -> Integer,
        certificate_id -> Integer,
        kind -> Text,
        occurred_on -> Date,
        grade_before -> Nullable<SmallInt>,
        grade_after -> Nullable<SmallInt>,
        reason_zh -> Nullable<Text>,
        reason_en -> Nullable<Text>,
        created_at -> Timestamp,
        province_code -> Text,
    }
}

diesel::table! {
    name_keys (name_key, certificate_id) {
        name_key -> Text,
        certificate_id -> Integer,
    }
}

diesel::table! {
    pinyin_keys (spelling, certificate_id) {
        spelling -> Text,
        certificate_id -> Integer,
    }
}

diesel::table! {
    search_tokens (token, certificate_id) {
        token -> Text,
        certificate_id -> Integer,
    }
}

diesel::table! {
    registry_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    mark_sightings (id) {
        id -> Integer,
        certificate_id -> Integer,
        host -> Text,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
        hits -> BigInt,
        confirmed_at -> Nullable<Timestamp>,
        confirmed_note -> Nullable<Text>,
        dismissed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    accounts (id) {
        id -> Integer,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        session_epoch -> Integer,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (key_hash) {
        key_hash -> Text,
        state -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Integer,
        throttle_key -> Text,
        at -> Timestamp,
        outcome -> Text,
        attempts -> Integer,
    }
}

diesel::table! {
    sighting_networks (sighting_id, network) {
        sighting_id -> Integer,
        network -> Text,
    }
}

diesel::table! {
    report_cases (id) {
        id -> Integer,
        kind -> Text,
        site -> Nullable<Text>,
        certificate_id -> Nullable<Integer>,
        status -> Text,
        reason -> Nullable<Text>,
        opened_at -> Timestamp,
        last_report_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        report_count -> Integer,
        assigned_to -> Nullable<Text>,
        merged_into -> Nullable<Integer>,
    }
}

diesel::table! {
    reports (id) {
        id -> Integer,
        case_id -> Integer,
        received_at -> Timestamp,
        site -> Nullable<Text>,
        number -> Nullable<Text>,
        what -> Text,
        evidence -> Text,
        contact -> Nullable<Text>,
        contact_erased_at -> Nullable<Timestamp>,
        network -> Text,
        token_hash -> Text,
    }
}

diesel::table! {
    log_cosignatures (witness, size) {
        witness -> Text,
        size -> BigInt,
        root -> Binary,
        line -> Text,
        cosigned_at -> Timestamp,
    }
}

diesel::table! {
    log_entries (idx) {
        idx -> BigInt,
        certificate_id -> Integer,
        event_id -> Nullable<Integer>,
        kind -> Text,
        body -> Binary,
    }
}

diesel::table! {
    log_hashes (level, idx) {
        level -> SmallInt,
        idx -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    log_head (id) {
        id -> Integer,
        origin -> Text,
        size -> BigInt,
        root -> Binary,
        checkpoint -> Text,
        signed_at -> Timestamp,
    }
}

diesel::table! {
    credentials (id) {
        id -> Integer,
        certificate_id -> Integer,
        event_id -> Nullable<Integer>,
        log_index -> Nullable<BigInt>,
        issued_at -> Timestamp,
        valid_from -> Date,
        valid_until -> Date,
        grade -> SmallInt,
        score -> Double,
        scheme_slug -> Text,
        scheme_code -> Text,
        body_name_zh -> Text,
        body_name_en -> Text,
        operator_name -> Text,
        credit_code -> Text,
        platform_name -> Text,
        domains -> Text,
        superseded_by -> Nullable<Integer>,
        revoked -> Bool,
        suspended -> Bool,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Integer,
        certificate_id -> Nullable<Integer>,
        company_id -> Nullable<Integer>,
        url -> Text,
        secret -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
        last_success_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Integer,
        endpoint_id -> Integer,
        message_id -> Text,
        kind -> Text,
        event_id -> Nullable<Integer>,
        log_index -> Nullable<BigInt>,
        certificate_number -> Nullable<Text>,
        credit_code -> Text,
        status -> Nullable<Text>,
        stars -> Nullable<SmallInt>,
        created_at -> Timestamp,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_response -> Nullable<Text>,
    }
}

diesel::joinable!(indicators -> scheme_versions (scheme_version_id));
diesel::joinable!(platforms -> companies (company_id));
diesel::joinable!(platform_domains -> platforms (platform_id));
diesel::joinable!(certificates -> platforms (platform_id));
diesel::joinable!(certificates -> companies (company_id));
diesel::joinable!(certificates -> certification_bodies (body_id));
diesel::joinable!(certificates -> scheme_versions (scheme_version_id));
diesel::joinable!(evaluations -> certificates (certificate_id));
diesel::joinable!(evaluation_scores -> evaluations (evaluation_id));
diesel::joinable!(evaluation_scores -> indicators (indicator_id));
diesel::joinable!(certificate_events -> certificates (certificate_id));
diesel::joinable!(search_tokens -> certificates (certificate_id));
diesel::joinable!(name_keys -> certificates (certificate_id));
diesel::joinable!(pinyin_keys -> certificates (certificate_id));
diesel::joinable!(mark_sightings -> certificates (certificate_id));
diesel::joinable!(sighting_networks -> mark_sightings (sighting_id));
diesel::joinable!(report_cases -> certificates (certificate_id));
diesel::joinable!(reports -> report_cases (case_id));
diesel::joinable!(log_entries -> certificates (certificate_id));
diesel::joinable!(credentials -> certificates (certificate_id));
diesel::joinable!(webhook_endpoints -> certificates (certificate_id));
diesel::joinable!(webhook_endpoints -> companies (company_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));

diesel::allow_tables_to_appear_in_same_query!(
    certification_bodies,
    scheme_versions,
    indicators,
    companies,
    platforms,
    platform_domains,
    certificates,
    evaluations,
    evaluation_scores,
    certificate_events,
    search_tokens,
    name_keys,
    pinyin_keys,
    registry_meta,
    mark_sightings,
    accounts,
    audit_log,
    sessions,
    login_failures,
    sighting_networks,
    report_cases,
    reports,
    log_cosignatures,
    log_entries,
    log_hashes,
    log_head,
    credentials,
    webhook_endpoints,
    webhook_deliveries,
);
