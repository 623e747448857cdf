DROP TABLE duty_exceptions;
DROP TABLE duty_rosters;
ALTER TABLE notifications DROP COLUMN check_task_id;
DROP TABLE check_answers;
DROP TABLE check_tasks;
DROP TABLE campaigns;
DROP TABLE checklist_templates;
