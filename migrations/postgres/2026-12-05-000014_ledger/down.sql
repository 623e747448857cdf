DROP INDEX clock_requests_review;
DROP INDEX clock_requests_ledger;
ALTER TABLE clock_requests DROP COLUMN last_reviewed_at;
ALTER TABLE clock_requests DROP COLUMN last_review_note;
ALTER TABLE clock_requests DROP COLUMN reviews;
ALTER TABLE clock_requests DROP COLUMN reminded_on;
ALTER TABLE clock_requests DROP COLUMN review_on;
