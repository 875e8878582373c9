-- The group side and the differences the attention queue needs, on top of tests/members/scale_data.sql
-- (not run by pytest): 20,000 group connections (~12% waiting on the platform, ~8% stuck in flight),
-- 60,000 tracking differences (~40% unresolved), 2,000 disconnection requests (10% to review) and
-- 3,000 renewal decisions (20% not ready). With the members data that makes ~45,000 open attention items.
-- psql cc_members -f tests/members/scale_data.sql && psql cc_members -f tests/attention/scale_data.sql
\set ON_ERROR_STOP on
SET synchronous_commit = off;
TRUNCATE connections_groupconnection, connections_groupdisconnectionrequest, connections_renewaldecision,
         members_trackingdifference, command_center_attentionitem CASCADE;

INSERT INTO connections_groupconnection (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, organization_id,
    group_audit_request_id, request_type, status, completed, federal_ein, carrier_group_id, group_name, broker_federal_ein, broker_tin,
    employer_email_address, setup_error, carrier_id, group_id)
SELECT md5('gc' || c)::uuid::text, md5('v' || c), now() - (c || ' hours')::interval, now(), '{}', now(), now(),
       now() - ((c % 40) || ' days')::interval, md5('org')::uuid::text, '', 'initial',
       (ARRAY['completed','completed','completed','completed','completed','processing','waiting_on_carrier','unable_to_connect','action_required','completed','carrier_authorization','noyo_review','completed','completed','completed','completed','completed'])[1 + c % 17],
       NULL, '', 'AB' || lpad(c::text, 6, '0'), 'Group ' || (1 + c % 1000), '', '', '',
       CASE WHEN c % 17 IN (7, 8) THEN 'The carrier does not know group number AB' || lpad(c::text, 6, '0') || '.' ELSE '' END,
       md5('carrier' || (1 + c % 8))::uuid::text, md5('group' || (1 + c % 1000))::uuid::text
FROM generate_series(1, 20000) c;

INSERT INTO members_trackingdifference (id, version, created, modified, raw, first_seen, last_seen, organization_id, object_type, object_id,
    classification, difference_type, fields, impact_score, is_dismissed, is_suppressed, resolved, discrepancy_time, carrier_id, employee_id,
    group_id, snapshot_id)
SELECT md5('diff' || d)::uuid::text, md5('v' || d), now() - (d || ' minutes')::interval, now(), '{}', now(), now(), md5('org')::uuid::text,
       'dependent', md5('dep' || d)::uuid::text,
       (ARRAY['field_mismatch','missing_from_carrier','missing_from_platform'])[1 + d % 3], (ARRAY['dob','missing_ie','ie_effective_end_date'])[1 + d % 3],
       '[]', 3 + d % 3, d % 20 = 0, false, CASE WHEN d % 5 < 3 THEN now() ELSE NULL END, NULL,
       md5('carrier' || (1 + d % 8))::uuid::text, md5('employee' || (1 + d % 50000))::uuid::text,
       md5('group' || (1 + (1 + d % 50000) % 1000))::uuid::text, md5('snapshot' || (1 + d % 150000))::uuid::text
FROM generate_series(1, 60000) d;

INSERT INTO connections_groupdisconnectionrequest (id, version, created, modified, raw, first_seen, last_seen, status_changed_at, organization_id,
    group_name, status, source_type, source_id, reason, effective_end_date, decided, completed, carrier_id, group_id)
SELECT md5('gdr' || r)::uuid::text, md5('v' || r), now(), now(), '{}', now(), now(), now(), md5('org')::uuid::text, 'Group ' || (1 + r % 1000),
       CASE WHEN r % 10 = 0 THEN 'needs_review' ELSE 'completed' END, 'carrier', '', 'broker_of_record', current_date + 30, NULL, NULL,
       md5('carrier' || (1 + r % 8))::uuid::text, md5('group' || (1 + r % 1000))::uuid::text
FROM generate_series(1, 2000) r;

INSERT INTO connections_renewaldecision (id, version, created, modified, raw, first_seen, last_seen, renewal_date, status, issues, group_id)
SELECT md5('renewal' || r)::uuid::text, md5('v' || r), now(), now(), '{}', now(), now(), current_date + (r % 200),
       CASE WHEN r % 5 = 0 THEN 'not_ready' ELSE 'ready' END,
       CASE WHEN r % 5 = 0 THEN '[{"level": "error", "message": "No plans found at the carrier for the renewal date."}]'::jsonb ELSE '[]'::jsonb END,
       md5('group' || (1 + r % 1000))::uuid::text
FROM generate_series(1, 3000) r;

VACUUM ANALYZE;
