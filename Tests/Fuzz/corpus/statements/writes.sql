INSERT INTO intake.reports (status, source, person_id, score) VALUES ('new', 'hotline', :p, 1.50), ('screened', 'web', NULL, -2) RETURNING id, status;
INSERT INTO attachments.notes (id, subject) VALUES ('NTE-X1', 'O''Brien' || ' visit');
UPDATE people.people SET city = 'Boise', state = NULL WHERE id IN ('PER-1', 'PER 2');
UPDATE people.people AS p SET p.city = upper(p.city), middle_name = coalesce(middle_name, first_name) WHERE p.state = 'WA' AND lower(city) LIKE 's%' RETURNING *;
UPDATE services.service_offerings SET capacity_usage = capacity_usage + :n WHERE id = 'SVC-0001';
DELETE FROM attachments.notes WHERE record_id = 'CAS-00019' AND note_type IS NULL RETURNING id, subject;
DELETE FROM attachments.notes WHERE true;
EXPLAIN UPDATE people.people SET city = 'x' WHERE last_name LIKE 'Doe';
