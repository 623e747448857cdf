-- The problem ledger 挂账: a request of kind 'ledger' for a case that cannot
-- be solved in its time even after an extension. While it is 'approved' the
-- case is in the ledger (its clocks paused); 'ended' is back into work.
-- review_on: when a dispatcher looks at it again; reminded_on: the review
-- date the dispatchers were last reminded of (once per date, however many
-- workers sweep).
ALTER TABLE clock_requests ADD COLUMN review_on DATE;
ALTER TABLE clock_requests ADD COLUMN reminded_on DATE;
ALTER TABLE clock_requests ADD COLUMN reviews INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clock_requests ADD COLUMN last_review_note TEXT;
ALTER TABLE clock_requests ADD COLUMN last_reviewed_at TIMESTAMP;
-- The ledger list, longest-standing first, and the reminder sweep.
CREATE INDEX clock_requests_ledger ON clock_requests (kind, state, decided_at, id);
CREATE INDEX clock_requests_review ON clock_requests (kind, state, review_on);
