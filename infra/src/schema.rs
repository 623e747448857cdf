//! The one schema both backends share (portable column types only).

diesel::table! {
    areas (code) {
        code -> Text,
        name -> Text,
        name_en -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
        boundary -> Nullable<Text>,
        synthetic -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    area_revisions (id) {
        id -> Integer,
        revision -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    categories (code) {
        code -> Text,
        parent_code -> Nullable<Text>,
        label_zh -> Text,
        label_en -> Text,
        default_priority -> Text,
        acknowledge_amount -> Integer,
        acknowledge_unit -> Text,
        resolve_amount -> Integer,
        resolve_unit -> Text,
        position -> Integer,
    }
}

diesel::table! {
    parties (code) {
        code -> Text,
        name -> Text,
        name_en -> Text,
        kind -> Text,
        contact_phone -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    party_areas (party_code, area_code) {
        party_code -> Text,
        area_code -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        phone -> Nullable<Text>,
        locale -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_assignments (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        area_code -> Nullable<Text>,
        party_code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        family_id -> Text,
        user_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        action -> Text,
        actor_id -> Nullable<Text>,
        subject -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::table! {
    personal_data_access (id) {
        id -> Text,
        occurred_at -> Timestamp,
        reader_id -> Text,
        subject_id -> Text,
        field -> Text,
        purpose -> Text,
    }
}

diesel::table! {
    secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(party_areas -> parties (party_code));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(party_areas -> areas (area_code));
diesel::joinable!(role_assignments -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    areas,
    area_revisions,
    categories,
    parties,
    party_areas,
    users,
    role_assignments,
    refresh_tokens,
    login_throttle,
    audit_events,
    personal_data_access,
    secrets,
);
