DROP INDEX notices_author;
DROP INDEX outbox_notification;
DROP INDEX notifications_notice;
