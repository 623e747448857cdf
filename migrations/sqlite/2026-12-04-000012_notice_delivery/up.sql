-- The console shows a notice's author what became of it (read, pushed,
-- failed) and lists the notices they sent.
CREATE INDEX notifications_notice ON notifications (notice_id) WHERE notice_id IS NOT NULL;
CREATE INDEX outbox_notification ON outbox (notification_id);
CREATE INDEX notices_author ON notices (author_id, created_at, id);
