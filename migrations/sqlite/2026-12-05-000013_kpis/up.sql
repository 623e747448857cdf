-- Statistics (issue 16). Each case's fact: what the counters know of it,
-- derived whole from the case after every step (domain::stats::fact), so the
-- daily counters move by the difference and never count a case twice.
CREATE TABLE incident_facts (
    -- derived from the incident and rebuilt from it, never the other way
    incident_id TEXT PRIMARY KEY,
    grid_code TEXT NOT NULL,
    -- '' before a party holds the case
    party_code TEXT NOT NULL,
    category_code TEXT NOT NULL,
    reported_on DATE NOT NULL,
    dispatched_on DATE,
    acknowledged_in_time BOOLEAN NOT NULL,
    extended BOOLEAN NOT NULL,
    suspended BOOLEAN NOT NULL,
    in_ledger BOOLEAN NOT NULL,
    due_on DATE,
    closed BOOLEAN NOT NULL,
    closed_in_time BOOLEAN NOT NULL,
    verified_on DATE,
    reworked BOOLEAN NOT NULL,
    without_evidence BOOLEAN NOT NULL,
    rated_on DATE,
    rating TEXT,
    solved BOOLEAN
);

-- The daily counters: the sum of every case's contributions per local day
-- of its cohort (report, dispatch, due, verification, rating), grid, party
-- and category. `gridops stats rebuild` recomputes them from the facts.
CREATE TABLE kpi_daily (
    day DATE NOT NULL,
    grid_code TEXT NOT NULL,
    party_code TEXT NOT NULL,
    category_code TEXT NOT NULL,
    reported BIGINT NOT NULL DEFAULT 0,
    dispatched BIGINT NOT NULL DEFAULT 0,
    acknowledged_in_time BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    due BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    closed_in_time BIGINT NOT NULL DEFAULT 0,
    due_suspended BIGINT NOT NULL DEFAULT 0,
    closed_suspended BIGINT NOT NULL DEFAULT 0,
    closed_in_time_suspended BIGINT NOT NULL DEFAULT 0,
    ledgered BIGINT NOT NULL DEFAULT 0,
    verified BIGINT NOT NULL DEFAULT 0,
    reworked BIGINT NOT NULL DEFAULT 0,
    closures_without_evidence BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    basically_satisfied BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    solved_answered BIGINT NOT NULL DEFAULT 0,
    solved BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, grid_code, party_code, category_code)
);

-- The same counters per month (its first day): a long period reads its whole
-- months here and only its ragged ends from the days.
CREATE TABLE kpi_monthly (
    month DATE NOT NULL,
    grid_code TEXT NOT NULL,
    party_code TEXT NOT NULL,
    category_code TEXT NOT NULL,
    reported BIGINT NOT NULL DEFAULT 0,
    dispatched BIGINT NOT NULL DEFAULT 0,
    acknowledged_in_time BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    due BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    closed_in_time BIGINT NOT NULL DEFAULT 0,
    due_suspended BIGINT NOT NULL DEFAULT 0,
    closed_suspended BIGINT NOT NULL DEFAULT 0,
    closed_in_time_suspended BIGINT NOT NULL DEFAULT 0,
    ledgered BIGINT NOT NULL DEFAULT 0,
    verified BIGINT NOT NULL DEFAULT 0,
    reworked BIGINT NOT NULL DEFAULT 0,
    closures_without_evidence BIGINT NOT NULL DEFAULT 0,
    rated BIGINT NOT NULL DEFAULT 0,
    satisfied BIGINT NOT NULL DEFAULT 0,
    basically_satisfied BIGINT NOT NULL DEFAULT 0,
    dissatisfied BIGINT NOT NULL DEFAULT 0,
    solved_answered BIGINT NOT NULL DEFAULT 0,
    solved BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, grid_code, party_code, category_code)
);
