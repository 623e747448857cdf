-- Routing 分拨: the table that says who handles what where. A target or an
-- assist is stored as its code ("party:zy-heating", "grid_workers",
-- "dispatcher:community", "party_of_kind:heating_company"); the domain
-- parses it.
CREATE TABLE routing_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category_code TEXT REFERENCES categories (code),
    area_code TEXT REFERENCES areas (code),
    window_start TEXT,
    window_end TEXT,
    priority TEXT,
    target TEXT NOT NULL,
    -- Parties called to assist the lead (吹哨报到), comma-separated codes.
    assists TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX routing_rules_category ON routing_rules (category_code);

-- Every routing decision, with why: the rule chosen and every rule that
-- lost (JSON, language-neutral codes; rendered in the reader's language).
CREATE TABLE routing_decisions (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    decided_at TIMESTAMP NOT NULL,
    -- report | accept | return
    cause TEXT NOT NULL,
    rule_id TEXT,
    target TEXT NOT NULL,
    -- party:<code> | users:<role>:<area>:<id,id> | queue:<area>
    recipient TEXT NOT NULL,
    mode TEXT NOT NULL,
    explanation TEXT NOT NULL
);
CREATE INDEX routing_decisions_incident ON routing_decisions (incident_id, decided_at);

-- Public reports of these categories are checked on site by a grid worker
-- before they are registered (核实).
ALTER TABLE categories ADD COLUMN verify_on_site BOOLEAN NOT NULL DEFAULT FALSE;

-- Time limits per category and priority, over the category's own.
CREATE TABLE time_limits (
    category_code TEXT NOT NULL REFERENCES categories (code),
    priority TEXT NOT NULL,
    acknowledge_amount INTEGER NOT NULL,
    acknowledge_unit TEXT NOT NULL,
    resolve_amount INTEGER NOT NULL,
    resolve_unit TEXT NOT NULL,
    PRIMARY KEY (category_code, priority)
);

-- The working calendar: one row of weekly hours, and the days that break
-- the week (public holidays off, make-up working days 调休 on).
CREATE TABLE working_week (
    id INTEGER PRIMARY KEY,
    -- "08:30-12:00,14:00-17:30", local time
    periods TEXT NOT NULL,
    -- ISO weekdays worked, "1,2,3,4,5"
    weekdays TEXT NOT NULL,
    utc_offset_minutes INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE calendar_days (
    day DATE PRIMARY KEY,
    -- holiday | working_day
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One clock per step someone owes: a party's acknowledge and resolve, an
-- assisting party's report, a grid's on-site check. Escalation reads these.
CREATE TABLE deadlines (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    -- acknowledge | resolve | report | verify_on_site | triage
    step TEXT NOT NULL,
    party_code TEXT,
    -- The area whose people owe the step; escalation goes one level above.
    area_code TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    warn_at TIMESTAMP NOT NULL,
    -- running | paused | met | cancelled
    state TEXT NOT NULL,
    ended_at TIMESTAMP,
    paused_at TIMESTAMP,
    warned_at TIMESTAMP,
    overdue_at TIMESTAMP,
    escalated_to TEXT,
    extensions INTEGER NOT NULL DEFAULT 0,
    suspensions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deadlines_incident ON deadlines (incident_id);
CREATE INDEX deadlines_warn ON deadlines (warn_at) WHERE state = 'running' AND warned_at IS NULL;
CREATE INDEX deadlines_due ON deadlines (due_at) WHERE state = 'running' AND overdue_at IS NULL;

-- Suspension 挂起 and extension 延期: asked by the party, approved by a dispatcher.
CREATE TABLE clock_requests (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    -- suspend | extend
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- extend: how much more time
    amount INTEGER,
    unit TEXT,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    -- pending | approved | refused | ended
    state TEXT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    ended_at TIMESTAMP
);
CREATE INDEX clock_requests_incident ON clock_requests (incident_id, requested_at);

-- Lead and assist 吹哨报到: parties called onto an incident beside its lead.
CREATE TABLE incident_assists (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    party_code TEXT NOT NULL REFERENCES parties (code),
    called_by TEXT NOT NULL,
    called_at TIMESTAMP NOT NULL,
    -- called | acknowledged | reported
    state TEXT NOT NULL,
    acknowledged_at TIMESTAMP,
    reported_at TIMESTAMP,
    report TEXT,
    PRIMARY KEY (incident_id, party_code)
);
CREATE INDEX incident_assists_party ON incident_assists (party_code, state);
