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
        duplicate_radius_m -> Integer,
        verify_on_site -> Bool,
        public_reports -> Bool,
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

diesel::table! {
    incidents (id) {
        id -> Text,
        reference -> Text,
        category_code -> Text,
        description -> Text,
        lat -> Double,
        lng -> Double,
        address -> Nullable<Text>,
        grid_code -> Text,
        source -> Text,
        reporter_id -> Text,
        priority -> Text,
        status -> Text,
        party_code -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        returned_by -> Text,
        duplicate_of -> Nullable<Text>,
        rating -> Nullable<Text>,
        rating_comment -> Nullable<Text>,
        rework_count -> Integer,
        result -> Nullable<Text>,
        version -> BigInt,
        occurred_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        acknowledge_due -> Nullable<Timestamp>,
        resolve_due -> Nullable<Timestamp>,
    }
}

diesel::table! {
    incident_events (id) {
        id -> Text,
        incident_id -> Text,
        seq -> Integer,
        action -> Text,
        actor_id -> Text,
        occurred_at -> Timestamp,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        attachments -> Text,
        stream_tx -> BigInt,
        stream_seq -> BigInt,
        detail -> Nullable<Text>,
        prev_hash -> Nullable<Text>,
        hash -> Nullable<Text>,
        photo_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    closure_evidence (incident_id, event_seq) {
        incident_id -> Text,
        event_seq -> Integer,
        action -> Text,
        taken_after -> Bool,
        taken_after_reason -> Nullable<Text>,
        taken_near -> Bool,
        taken_near_reason -> Nullable<Text>,
        before_and_after -> Bool,
        before_and_after_reason -> Nullable<Text>,
        complete -> Bool,
        radius_m -> Double,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    timeline_sealing (began_at) {
        began_at -> Timestamp,
    }
}

diesel::table! {
    incident_photos (incident_id, photo_key) {
        incident_id -> Text,
        photo_key -> Text,
        kind -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        taken_at -> Nullable<Timestamp>,
        taken_lat -> Nullable<Double>,
        taken_lng -> Nullable<Double>,
        original_sha256 -> Text,
    }
}

diesel::table! {
    incident_followers (incident_id, user_id) {
        incident_id -> Text,
        user_id -> Text,
        since -> Timestamp,
    }
}

diesel::table! {
    incident_counters (scope) {
        scope -> Text,
        last -> BigInt,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    devices (id) {
        id -> Text,
        user_id -> Text,
        token -> Text,
        platform -> Text,
        locale -> Text,
        app_version -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notices (id) {
        id -> Text,
        area_code -> Text,
        audience -> Text,
        title -> Text,
        body -> Text,
        author_id -> Text,
        recipients -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        topic -> Text,
        incident_id -> Nullable<Text>,
        notice_id -> Nullable<Text>,
        title -> Text,
        body -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        stream_tx -> BigInt,
        stream_seq -> BigInt,
        check_task_id -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        notification_id -> Text,
        user_id -> Text,
        channel -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    routing_rules (id) {
        id -> Text,
        name -> Text,
        category_code -> Nullable<Text>,
        area_code -> Nullable<Text>,
        window_start -> Nullable<Text>,
        window_end -> Nullable<Text>,
        priority -> Nullable<Text>,
        target -> Text,
        assists -> Text,
        mode -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    routing_decisions (id) {
        id -> Text,
        incident_id -> Text,
        decided_at -> Timestamp,
        cause -> Text,
        rule_id -> Nullable<Text>,
        target -> Text,
        recipient -> Text,
        mode -> Text,
        explanation -> Text,
    }
}

diesel::table! {
    time_limits (category_code, priority) {
        category_code -> Text,
        priority -> Text,
        acknowledge_amount -> Integer,
        acknowledge_unit -> Text,
        resolve_amount -> Integer,
        resolve_unit -> Text,
    }
}

diesel::table! {
    working_week (id) {
        id -> Integer,
        periods -> Text,
        weekdays -> Text,
        utc_offset_minutes -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deadlines (id) {
        id -> Text,
        incident_id -> Text,
        step -> Text,
        party_code -> Nullable<Text>,
        area_code -> Text,
        started_at -> Timestamp,
        due_at -> Timestamp,
        warn_at -> Timestamp,
        state -> Text,
        ended_at -> Nullable<Timestamp>,
        paused_at -> Nullable<Timestamp>,
        warned_at -> Nullable<Timestamp>,
        overdue_at -> Nullable<Timestamp>,
        escalated_to -> Nullable<Text>,
        extensions -> Integer,
        suspensions -> Integer,
    }
}

diesel::table! {
    clock_requests (id) {
        id -> Text,
        incident_id -> Text,
        kind -> Text,
        reason -> Text,
        amount -> Nullable<Integer>,
        unit -> Nullable<Text>,
        requested_by -> Text,
        requested_at -> Timestamp,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        review_on -> Nullable<Date>,
        reminded_on -> Nullable<Date>,
        reviews -> Integer,
        last_review_note -> Nullable<Text>,
        last_reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    incident_assists (incident_id, party_code) {
        incident_id -> Text,
        party_code -> Text,
        called_by -> Text,
        called_at -> Timestamp,
        state -> Text,
        acknowledged_at -> Nullable<Timestamp>,
        reported_at -> Nullable<Timestamp>,
        report -> Nullable<Text>,
    }
}

diesel::joinable!(incident_events -> incidents (incident_id));
diesel::joinable!(deadlines -> incidents (incident_id));
diesel::joinable!(routing_decisions -> incidents (incident_id));
diesel::joinable!(incident_assists -> incidents (incident_id));
diesel::joinable!(clock_requests -> incidents (incident_id));
diesel::joinable!(outbox -> notifications (notification_id));
diesel::joinable!(devices -> users (user_id));
diesel::joinable!(incident_photos -> incidents (incident_id));
diesel::table! {
    patrols (id) {
        id -> Text,
        walker_id -> Text,
        status -> Text,
        planned_route -> Nullable<Text>,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        points -> Integer,
        track_deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    patrol_grids (patrol_id, grid_code) {
        patrol_id -> Text,
        grid_code -> Text,
    }
}

diesel::table! {
    track_points (patrol_id, point_id) {
        patrol_id -> Text,
        point_id -> Text,
        at -> Timestamp,
        lat -> Double,
        lng -> Double,
        accuracy_m -> Double,
        source -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    covered_cells (grid_code, day, cell, patrol_id) {
        grid_code -> Text,
        day -> Date,
        cell -> BigInt,
        patrol_id -> Text,
    }
}

diesel::table! {
    patrol_findings (incident_id) {
        incident_id -> Text,
        patrol_id -> Text,
    }
}

diesel::joinable!(patrol_grids -> patrols (patrol_id));
diesel::joinable!(patrol_findings -> incidents (incident_id));
diesel::joinable!(party_areas -> parties (party_code));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(party_areas -> areas (area_code));
diesel::joinable!(role_assignments -> users (user_id));

diesel::table! {
    category_attributes (category_code, code) {
        category_code -> Text,
        code -> Text,
        datatype -> Text,
        required -> Bool,
        description_zh -> Text,
        description_en -> Text,
        choices -> Text,
        position -> Integer,
    }
}

diesel::table! {
    open311_keys (id) {
        id -> Text,
        name -> Text,
        key_hash -> Text,
        key_prefix -> Text,
        user_id -> Text,
        per_minute -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    open311_requests (token) {
        token -> Text,
        key_id -> Text,
        fingerprint -> Text,
        retry_window -> BigInt,
        incident_id -> Nullable<Text>,
        service_code -> Text,
        description -> Text,
        address -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        device_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        media_url -> Nullable<Text>,
        attributes -> Text,
        media -> Nullable<Text>,
        created_at -> Timestamp,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    checklist_templates (id) {
        id -> Text,
        name_zh -> Text,
        name_en -> Text,
        items -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> Text,
        template_id -> Text,
        name_zh -> Text,
        name_en -> Text,
        items -> Text,
        area_code -> Text,
        due_at -> Timestamp,
        trigger_info -> Nullable<Text>,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        cancelled_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    check_tasks (id) {
        id -> Text,
        campaign_id -> Text,
        grid_code -> Text,
        answered -> Integer,
        done_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    check_answers (task_id, item_id) {
        task_id -> Text,
        item_id -> Text,
        answer -> Text,
        result -> Nullable<Text>,
        incident_id -> Nullable<Text>,
        answered_by -> Text,
        answered_at -> Timestamp,
        sent_hash -> Text,
    }
}

diesel::table! {
    duty_rosters (id) {
        id -> Text,
        area_code -> Text,
        user_id -> Text,
        weekdays -> Text,
        starts -> Text,
        ends -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    duty_exceptions (id) {
        id -> Text,
        area_code -> Text,
        user_id -> Text,
        on_date -> Text,
        on_duty -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    incident_facts (incident_id) {
        incident_id -> Text,
        grid_code -> Text,
        party_code -> Text,
        category_code -> Text,
        reported_on -> Date,
        dispatched_on -> Nullable<Date>,
        acknowledged_in_time -> Bool,
        extended -> Bool,
        suspended -> Bool,
        in_ledger -> Bool,
        due_on -> Nullable<Date>,
        closed -> Bool,
        closed_in_time -> Bool,
        verified_on -> Nullable<Date>,
        reworked -> Bool,
        without_evidence -> Bool,
        rated_on -> Nullable<Date>,
        rating -> Nullable<Text>,
        solved -> Nullable<Bool>,
    }
}

diesel::table! {
    kpi_monthly (month, grid_code, party_code, category_code) {
        month -> Date,
        grid_code -> Text,
        party_code -> Text,
        category_code -> Text,
        reported -> BigInt,
        dispatched -> BigInt,
        acknowledged_in_time -> BigInt,
        extended -> BigInt,
        due -> BigInt,
        closed -> BigInt,
        closed_in_time -> BigInt,
        due_suspended -> BigInt,
        closed_suspended -> BigInt,
        closed_in_time_suspended -> BigInt,
        ledgered -> BigInt,
        verified -> BigInt,
        reworked -> BigInt,
        closures_without_evidence -> BigInt,
        rated -> BigInt,
        satisfied -> BigInt,
        basically_satisfied -> BigInt,
        dissatisfied -> BigInt,
        solved_answered -> BigInt,
        solved -> BigInt,
    }
}

diesel::table! {
    kpi_daily (day, grid_code, party_code, category_code) {
        day -> Date,
        grid_code -> Text,
        party_code -> Text,
        category_code -> Text,
        reported -> BigInt,
        dispatched -> BigInt,
        acknowledged_in_time -> BigInt,
        extended -> BigInt,
        due -> BigInt,
        closed -> BigInt,
        closed_in_time -> BigInt,
        due_suspended -> BigInt,
        closed_suspended -> BigInt,
        closed_in_time_suspended -> BigInt,
        ledgered -> BigInt,
        verified -> BigInt,
        reworked -> BigInt,
        closures_without_evidence -> BigInt,
        rated -> BigInt,
        satisfied -> BigInt,
        basically_satisfied -> BigInt,
        dissatisfied -> BigInt,
        solved_answered -> BigInt,
        solved -> BigInt,
    }
}

diesel::table! {
    hotspot_rules (category_code) {
        category_code -> Text,
        radius_m -> Integer,
        min_reports -> Integer,
        within_days -> Integer,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    incident_links (incident_id) {
        incident_id -> Text,
        root_id -> Text,
        linked_by -> Text,
        linked_at -> Timestamp,
    }
}

diesel::joinable!(campaigns -> checklist_templates (template_id));
diesel::joinable!(check_tasks -> campaigns (campaign_id));
diesel::joinable!(check_answers -> check_tasks (task_id));
diesel::joinable!(category_attributes -> categories (category_code));
diesel::joinable!(incidents -> categories (category_code));
diesel::joinable!(incidents -> parties (party_code));
diesel::joinable!(open311_keys -> users (user_id));
diesel::joinable!(open311_requests -> open311_keys (key_id));
diesel::joinable!(open311_requests -> incidents (incident_id));

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
    incidents,
    incident_events,
    incident_photos,
    closure_evidence,
    timeline_sealing,
    incident_followers,
    incident_links,
    hotspot_rules,
    incident_counters,
    idempotency_keys,
    devices,
    notices,
    notifications,
    outbox,
    routing_rules,
    routing_decisions,
    time_limits,
    working_week,
    calendar_days,
    deadlines,
    clock_requests,
    incident_assists,
    patrols,
    patrol_grids,
    track_points,
    covered_cells,
    patrol_findings,
    category_attributes,
    open311_keys,
    open311_requests,
    checklist_templates,
    campaigns,
    check_tasks,
    check_answers,
    duty_rosters,
    duty_exceptions,
    incident_facts,
    kpi_daily,
    kpi_monthly,
);
