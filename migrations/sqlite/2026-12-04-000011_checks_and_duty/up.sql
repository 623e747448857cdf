-- Before anyone calls (未诉先办): checklists grid workers go through after a
-- warning or before a season, and who is on duty in a grid when.

-- A named list of things to check; items as JSON
-- [{"id", "text_zh", "text_en", "category", "photo_required"}].
CREATE TABLE checklist_templates (
    id         TEXT PRIMARY KEY NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    items      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Deleted templates stay for the campaigns that used them.
    deleted_at TIMESTAMP
);

-- A template × an area subtree × a due time; the items as started are
-- copied, so a later edit of the template changes no running campaign.
CREATE TABLE campaigns (
    id           TEXT PRIMARY KEY NOT NULL,
    template_id  TEXT NOT NULL REFERENCES checklist_templates (id),
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    items        TEXT NOT NULL,
    area_code    TEXT NOT NULL REFERENCES areas (code),
    due_at       TIMESTAMP NOT NULL,
    -- JSON: {"kind": "weather_warning", "signal", "level"} | {"kind": "season", "season"}; NULL when started by hand.
    trigger_info TEXT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'cancelled')),
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    cancelled_by TEXT,
    cancelled_at TIMESTAMP
);
CREATE INDEX campaigns_area ON campaigns (area_code, created_at);

-- One checklist per grid of the campaign's area.
CREATE TABLE check_tasks (
    id          TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    grid_code   TEXT NOT NULL REFERENCES areas (code),
    answered    INTEGER NOT NULL DEFAULT 0,
    done_at     TIMESTAMP,
    UNIQUE (campaign_id, grid_code)
);
CREATE INDEX check_tasks_grid ON check_tasks (grid_code, campaign_id);

-- One answer per item of a task, never changed: ok, fixed on the spot
-- (with the resolved incident) or raised (with the incident reported).
CREATE TABLE check_answers (
    task_id     TEXT NOT NULL REFERENCES check_tasks (id),
    item_id     TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('ok', 'fixed', 'raised')),
    result      TEXT,
    incident_id TEXT REFERENCES incidents (id),
    answered_by TEXT NOT NULL REFERENCES users (id),
    answered_at TIMESTAMP NOT NULL,
    -- SHA-256 of the answer as sent: the same again is a retry, another a conflict.
    sent_hash   TEXT NOT NULL,
    PRIMARY KEY (task_id, item_id)
);

-- Inbox entries about a checklist task.
ALTER TABLE notifications ADD COLUMN check_task_id TEXT REFERENCES check_tasks (id);

-- Who is on duty in a grid (or every grid of a community) by weekday and
-- local time; a window ending before it starts runs past midnight, and
-- belongs to the weekday it starts on.
CREATE TABLE duty_rosters (
    id         TEXT PRIMARY KEY NOT NULL,
    area_code  TEXT NOT NULL REFERENCES areas (code),
    user_id    TEXT NOT NULL REFERENCES users (id),
    -- ISO weekdays, comma-separated: 1 = Monday … 7 = Sunday.
    weekdays   TEXT NOT NULL,
    starts     TEXT NOT NULL,
    ends       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX duty_rosters_area ON duty_rosters (area_code);

-- A day someone is on or off duty whatever the roster says.
CREATE TABLE duty_exceptions (
    id         TEXT PRIMARY KEY NOT NULL,
    area_code  TEXT NOT NULL REFERENCES areas (code),
    user_id    TEXT NOT NULL REFERENCES users (id),
    -- Local date, YYYY-MM-DD.
    on_date    TEXT NOT NULL,
    on_duty    BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (area_code, user_id, on_date)
);
