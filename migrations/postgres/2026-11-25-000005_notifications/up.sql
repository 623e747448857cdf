-- Phones that receive pushes. A token belongs to the last user who
-- registered it (a shared phone changes hands).
CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    token TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    locale TEXT NOT NULL,
    app_version TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX devices_user_id ON devices (user_id);

-- Announcements to the people of an area (a snow warning, lost keys).
CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    area_code TEXT NOT NULL REFERENCES areas (code),
    audience TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES users (id),
    recipients INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The in-app inbox: one entry per recipient of every notification.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    notice_id TEXT REFERENCES notices (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user_id ON notifications (user_id, created_at, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Pushes to send, written in the transaction of the change they announce.
-- The id is the message id phones drop duplicates by.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A worker's claim: nobody else sends the row until it lapses.
    lease_owner TEXT,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_by_state ON outbox (state, id);
