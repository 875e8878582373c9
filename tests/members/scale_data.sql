-- A realistically large mirror for EXPLAIN checks of the members pages (not run by pytest).
-- psql cc_members -f tests/members/scale_data.sql   (into a database migrated with ./manage.py migrate)
-- Shapes follow the sandbox's "large" scale: 1,000 groups, 8 carriers, 50,000 employees,
-- 100,000 dependents, 200,000 individual enrollments, ~150,000 snapshots with 1-3 carrier
-- fulfillments each, 1,000,000 member requests (~1 KB raw each), 1,333,333 transactions and 60,000 tracking differences.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
TRUNCATE members_employee, members_dependent, members_individualenrollment, members_membersnapshot,
         members_fulfillmentsummary, members_trackingdifference, members_memberrequest, members_membertransaction,
         connections_group, connections_carrier CASCADE;

INSERT INTO connections_carrier (id, name, is_placeholder, kind, carrier_group_id_format, format_hint, file_cadence, first_seen)
SELECT md5('carrier' || c)::uuid::text, 'Carrier ' || c, false, CASE WHEN c % 3 = 0 THEN 'send' ELSE 'sync' END, '', '', '', now()
FROM generate_series(1, 8) c;

INSERT INTO connections_group (id, version, created, modified, raw, first_seen, last_seen, organization_id, name, dba_name, federal_ein, sic_code)
SELECT md5('group' || g)::uuid::text, md5('v' || g), now() - (g || ' hours')::interval, now(), '{}', now(), now(),
       md5('org')::uuid::text, (ARRAY['Blue Harbor','Granite','Summit','Redwood','Northgate','Lakeside'])[1 + g % 6] || ' ' || g || ' Inc', '', '', ''
FROM generate_series(1, 1000) g;

INSERT INTO members_employee (id, version, created, modified, raw, first_seen, last_seen, first_name, middle_name, last_name,
       date_of_birth, ssn, sex, group_id, location_id, email, employment_status, occupation, hire_date, lines_of_coverage)
SELECT md5('employee' || e)::uuid::text, md5('v' || e), now() - (e || ' minutes')::interval, now(), '{}', now(), now(),
       (ARRAY['Olivia','Emma','Liam','Noah','Priya','Mei','Omar','Diego','Keiko','Marcus','Ruth','Wei'])[1 + e % 12] || CASE WHEN e % 7 = 0 THEN 'a' ELSE '' END,
       '', (ARRAY['Smith','Johnson','Garcia','Nguyen','Patel','Okafor','Tanaka','Kowalski','O''Brien','Haddad','Schmidt','Rivera'])[1 + (e / 12) % 12] || (e % 997),
       date '1960-01-01' + (e % 15000), lpad(((e * 7919) % 1000000000)::text, 9, '0'), CASE WHEN e % 2 = 0 THEN 'F' ELSE 'M' END,
       md5('group' || (1 + e % 1000))::uuid::text, '', '', (ARRAY['full-time','full-time','full-time','part-time','terminated'])[1 + e % 5], '',
       date '2015-01-01' + (e % 3000), (ARRAY['dental,medical,vision','medical','dental,medical','','life,medical'])[1 + e % 5]
FROM generate_series(1, 50000) e;

INSERT INTO members_individualenrollment (id, version, created, modified, raw, first_seen, last_seen, group_enrollment_id, employee_id, group_id,
       carrier_id, plan_id, individual_type, individual_id, line_of_coverage, status, effective_start_date, effective_end_date,
       premium_amount, premium_unit, as_of_date)
SELECT md5('ie' || i)::uuid::text, md5('v' || i), now(), now(), '{}', now(), now(), NULL, md5('employee' || (1 + i % 50000))::uuid::text,
       md5('group' || (1 + (1 + i % 50000) % 1000))::uuid::text, md5('carrier' || (1 + i % 8))::uuid::text, NULL, 'employee',
       md5('employee' || (1 + i % 50000))::uuid::text, (ARRAY['medical','dental','vision','life'])[1 + (i / 50000) % 4], 'active',
       date '2020-01-01' + (i % 1500), date '9999-12-31', 120.50, 'month', current_date
FROM generate_series(0, 199999) i;

-- Each with its submitted payload read (details_version = version), as after the sync's single reads.
INSERT INTO members_membersnapshot (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, status, employee_id, group_id, replaced_by_id, errors,
       submitted, created_members, details_version)
SELECT md5('snapshot' || s)::uuid::text, md5('v' || s), now() - (s || ' minutes')::interval, now(), '{}', now(), now(), now(),
       (ARRAY['completed','completed','completed','completed','processing','replaced','submitted','canceled','failed'])[1 + s % 9],
       md5('employee' || (1 + s % 50000))::uuid::text, md5('group' || (1 + (1 + s % 50000) % 1000))::uuid::text, NULL, '[]',
       jsonb_build_object('snapshot_mode', 'current_open', 'employee', jsonb_build_object('id', md5('employee' || (1 + s % 50000))::uuid::text,
         'person', jsonb_build_object('first_name', 'Olivia', 'last_name', 'Okafor', 'ssn', '123456789')),
         'coverages', jsonb_build_array(jsonb_build_object('carrier_id', md5('carrier1')::uuid::text, 'line_of_coverage', 'dental',
           'enrolled_members', jsonb_build_array(jsonb_build_object('individual_type', 'employee', 'individual_id', md5('employee' || (1 + s % 50000))::uuid::text))))),
       CASE WHEN s > 100000 THEN jsonb_build_array(jsonb_build_object('id', md5('employee' || (1 + s % 50000))::uuid::text, 'type', 'employee')) ELSE '[]'::jsonb END,
       md5('v' || s)
FROM generate_series(1, 150000) s;

INSERT INTO members_fulfillmentsummary (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, status, snapshot_id, carrier_id, group_id, employee_id, errors)
SELECT md5('fs' || s || '-' || k)::uuid::text, md5('v' || s || k), now() - (s || ' minutes')::interval, now(), '{}', now(), now(), now(),
       CASE WHEN (s * 7 + k) % 50 = 0 THEN 'invalid' ELSE (ARRAY['sent','sent','sent','scheduled','no_changes','processing','replaced'])[1 + (s + k) % 7] END,
       md5('snapshot' || s)::uuid::text, md5('carrier' || (1 + (s + k) % 8))::uuid::text,
       md5('group' || (1 + (1 + s % 50000) % 1000))::uuid::text, md5('employee' || (1 + s % 50000))::uuid::text,
       CASE WHEN (s * 7 + k) % 50 = 0 THEN '[{"code": "plan_not_found", "message": "No plan named ''Gold PPO 750'' exists", "field": "coverages[0].plan_name"}]'::jsonb ELSE '[]'::jsonb END
FROM generate_series(1, 150000) s, generate_series(0, 2) k
WHERE k <= s % 3;

-- ~1 KB of raw per request, shaped like a new hire body.
INSERT INTO members_memberrequest (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, request_type, status, transaction_ids, employee_id, group_id)
SELECT md5('request' || r)::uuid::text, md5('v' || r), now() - (r * 30 || ' seconds')::interval, now(),
       jsonb_build_object('id', md5('request' || r)::uuid::text, 'request_type', 'new_hire', 'body', jsonb_build_object('coverages', jsonb_build_array(
         jsonb_build_object('carrier_id', md5('carrier1')::uuid::text, 'signature_date', '2024-01-15', 'carrier_config', jsonb_build_object('bill_group', '0100'),
           'lines_of_coverage', jsonb_build_object(
             'medical', jsonb_build_object('enrolling_members', jsonb_build_array(jsonb_build_object('id', md5('employee' || (1 + r % 50000))::uuid::text, 'member_type', 'employee', 'plan_id', md5('plan' || r % 50)::uuid::text)), 'waiving_members', '[]'::jsonb),
             'dental', jsonb_build_object('enrolling_members', jsonb_build_array(jsonb_build_object('id', md5('employee' || (1 + r % 50000))::uuid::text, 'member_type', 'employee', 'plan_id', md5('plan' || r % 50)::uuid::text)), 'waiving_members', '[]'::jsonb),
             'vision', jsonb_build_object('enrolling_members', jsonb_build_array(jsonb_build_object('id', md5('employee' || (1 + r % 50000))::uuid::text, 'member_type', 'employee', 'plan_id', md5('plan' || r % 50)::uuid::text)), 'waiving_members', '[]'::jsonb))))),
         'result', '{}'::jsonb),
       now(), now(), now(),
       (ARRAY['new_hire','termination','demographic','demographic','qualifying_life_event','qualifying_life_event','open_enrollment','open_enrollment','open_enrollment','enrollment_snapshot','cobra_enrollment','cobra_termination'])[1 + r % 12],
       CASE WHEN r % 97 = 0 THEN 'failed' WHEN r % 31 = 0 THEN 'canceled' WHEN r < 2000 THEN 'processing' ELSE 'completed' END,
       '[]', md5('employee' || (1 + r % 50000))::uuid::text, md5('group' || (1 + (1 + r % 50000) % 1000))::uuid::text
FROM generate_series(1, 1000000) r;

-- Mostly completed and verified; a few failed (with an error in the result), canceled, processing or not verified.
INSERT INTO members_membertransaction (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, transaction_type, status, verified, lines_of_coverage, member_request_id, employee_id, carrier_id)
SELECT md5('tx' || t)::uuid::text, md5('v' || t), now() - ((t * 3 / 4) * 30 || ' seconds')::interval, now(),
       CASE WHEN t % 89 = 0 THEN '{"result": {"errors": [{"message": "The carrier rejected the change: member not found on its roster."}]}}'::jsonb ELSE '{}'::jsonb END,
       now(), now(), now(),
       (ARRAY['carrier_new_hire','carrier_new_hire','carrier_termination','carrier_demographic','carrier_open_enrollment_full','carrier_qualifying_life_event_adding'])[1 + t % 6],
       CASE WHEN t % 89 = 0 THEN 'failed' WHEN t % 37 = 0 THEN 'canceled' WHEN t < 3000 THEN 'processing' ELSE 'completed' END,
       CASE WHEN t % 89 = 0 OR t % 37 = 0 OR t < 3000 OR t % 50 = 0 THEN NULL ELSE now() - ((t * 3 / 4) * 29 || ' seconds')::interval END,
       'dental,medical', md5('request' || (1 + t * 3 / 4))::uuid::text,
       md5('employee' || (1 + (1 + t * 3 / 4) % 50000))::uuid::text, md5('carrier' || (1 + t % 8))::uuid::text
FROM generate_series(0, 1333332) t;

-- 60,000 tracking differences (the sandbox's large scale has about 20,000): a third open, some dismissed.
INSERT INTO members_trackingdifference (id, version, created, modified, raw, first_seen, last_seen, snapshot_id, organization_id, group_id,
       employee_id, carrier_id, object_type, object_id, classification, difference_type, fields, impact_score, is_dismissed, is_suppressed,
       resolved, discrepancy_time)
SELECT md5('diff' || d)::uuid::text, md5('v' || d), now() - (d * 5 || ' minutes')::interval, now(), '{}', now(), now(),
       md5('snapshot' || (1 + d % 150000))::uuid::text, md5('org')::uuid::text, md5('group' || (1 + (1 + (1 + d % 150000) % 50000) % 1000))::uuid::text,
       md5('employee' || (1 + (1 + d % 150000) % 50000))::uuid::text, md5('carrier' || (1 + d % 8))::uuid::text,
       CASE WHEN d % 3 = 0 THEN 'dependent' ELSE 'individual_enrollment' END, md5('object' || d)::uuid::text,
       (ARRAY['field_mismatch','field_mismatch','missing_from_carrier','missing_from_platform'])[1 + d % 4],
       (ARRAY['dob','ie_effective_end_date','missing_ie','missing_ie'])[1 + d % 4],
       CASE WHEN d % 4 = 0 THEN '[{"key": "date_of_birth", "platform_value": "2016-08-02", "carrier_value": "2016-02-08"}]'::jsonb
            WHEN d % 4 = 1 THEN '[{"key": "effective_end_date", "platform_value": "9999-12-31", "carrier_value": "2026-01-31"}]'::jsonb
            ELSE '[{"key": "individual_enrollment", "platform_value": "dental coverage from 2024-01-01", "carrier_value": null}]'::jsonb END,
       (ARRAY[3, 5, 1])[1 + d % 3], d % 17 = 0, d % 41 = 0,
       CASE WHEN d % 3 = 0 THEN NULL ELSE now() - (d * 4 || ' minutes')::interval END,
       CASE WHEN d % 7 = 0 AND d % 3 = 0 THEN now() - (d * 3 || ' minutes')::interval END
FROM generate_series(1, 60000) d;

VACUUM ANALYZE;
