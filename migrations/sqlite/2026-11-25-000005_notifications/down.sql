DROP TABLE outbox;
DROP TABLE notifications;
DROP TABLE notices;
DROP TABLE devices;
