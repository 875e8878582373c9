-- A realistically large connections mirror for the page benchmark (not run by pytest).
-- psql cc_big -f tests/connections/scale_data.sql   (into a database migrated with ./manage.py migrate;
-- after tests/members/scale_data.sql if you want both, which truncates the groups and carriers this keeps).
-- 125,000 groups (the members data's 1,000 among them) x 8 carriers each out of 40 = 1,000,000 group
-- connections, ~1 KB raw each, in the spread the sandbox's large scale has: most completed, a few
-- percent in flight (some stuck for weeks), a few percent waiting on the platform with a setup error;
-- and their status history: one "first seen" change each, and a second for those that moved since.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
TRUNCATE connections_groupconnection;
DELETE FROM command_center_statuschange WHERE resource = 'connections.groupconnection';

INSERT INTO connections_carrier (id, name, is_placeholder, kind, carrier_group_id_format, format_hint, file_cadence, first_seen)
SELECT md5('carrier' || c)::uuid::text, 'Carrier ' || c, false, CASE WHEN c % 3 = 0 THEN 'send' ELSE 'sync' END, '', '', '', now()
FROM generate_series(1, 40) c
ON CONFLICT (id) DO NOTHING;

INSERT INTO connections_group (id, version, created, modified, raw, first_seen, last_seen, organization_id, name, dba_name, federal_ein, sic_code)
SELECT md5('group' || g)::uuid::text, md5('v' || g), now() - (g || ' minutes')::interval, now(), '{}', now(), now(),
       md5('org' || g % 50)::uuid::text, (ARRAY['Blue Harbor','Granite','Summit','Redwood','Northgate','Lakeside'])[1 + g % 6] || ' ' || g || ' Inc',
       CASE WHEN g % 5 = 0 THEN 'DBA ' || (ARRAY['Harbor','Stone','Peak','Grove'])[1 + g % 4] || ' ' || g ELSE '' END,
       lpad((g * 37 % 1000000000)::text, 9, '0'), ''
FROM generate_series(1, 125000) g
ON CONFLICT (id) DO NOTHING;

-- c = 8 * (g - 1) + k: group g's k-th carrier, carriers spread so each carrier has ~25,000 connections.
-- Status by c % 100: 80 completed, 5 waiting_on_carrier, 4 processing, 3 noyo_review, 2 created,
-- 2 carrier_authorization, 2 action_required, 2 unable_to_connect.
INSERT INTO connections_groupconnection (id, version, created, modified, raw, first_seen, last_seen, removed_upstream_at, status_changed_at,
       organization_id, group_audit_request_id, request_type, status, completed, federal_ein, carrier_group_id, group_name,
       broker_federal_ein, broker_tin, employer_email_address, setup_error, carrier_id, group_id)
SELECT md5('gc' || c)::uuid::text, md5('v' || c), created, modified,
       jsonb_build_object('id', md5('gc' || c)::uuid::text, 'group_id', md5('group' || g)::uuid::text, 'carrier_id', md5('carrier' || carrier)::uuid::text,
         'organization_id', md5('org' || g % 50)::uuid::text, 'status', status, 'request_type', request_type,
         'group_data', jsonb_build_object('group_name', group_name, 'carrier_group_id', carrier_group_id, 'federal_ein', lpad((g * 37 % 1000000000)::text, 9, '0'),
           'broker_federal_ein', '', 'broker_tin', '', 'employer_email_address', 'benefits@group' || g || '.example.com',
           'carrier_config', jsonb_build_object('bill_group', '0100', 'division', 'A', 'class_code', 'FT', 'lines_of_coverage', jsonb_build_array('medical', 'dental', 'vision'))),
         'setup_result', jsonb_build_object('error', setup_error), 'created', created, 'modified', modified,
         'notes', 'Connection requested through the platform; carrier contact on file, plan mapping reviewed by implementation.'),
       created, now(), CASE WHEN c % 997 = 0 THEN now() - interval '3 days' END, status_changed_at,
       md5('org' || g % 50)::uuid::text, '', request_type, status, CASE WHEN status = 'completed' THEN status_changed_at END,
       lpad((g * 37 % 1000000000)::text, 9, '0'), carrier_group_id, group_name, '', '', 'benefits@group' || g || '.example.com', setup_error,
       md5('carrier' || carrier)::uuid::text, md5('group' || g)::uuid::text
FROM (
    SELECT c, g, 1 + ((g * 7 + k) % 40) AS carrier,
           now() - (c * 40 || ' seconds')::interval AS created,
           now() - (c * 20 || ' seconds')::interval AS modified,
           -- In flight for hours to weeks: some stuck past the 7 days.
           now() - (c * 20 || ' seconds')::interval - ((c % 23) || ' days')::interval AS status_changed_at,
           CASE WHEN c % 10 = 0 THEN 'incremental' ELSE 'initial' END AS request_type,
           s.status,
           CASE s.status
               WHEN 'unable_to_connect' THEN (ARRAY['Carrier rejected the group: policy number not found.', 'Carrier portal credentials expired.', 'No plan mapping for line of coverage vision.'])[1 + c % 3]
               WHEN 'action_required' THEN (ARRAY['Missing broker TIN.', 'Carrier needs the signed authorization form.'])[1 + c % 2]
               WHEN 'noyo_review' THEN CASE WHEN c % 2 = 0 THEN 'Plan names differ from the carrier''s.' ELSE '' END
               ELSE '' END AS setup_error,
           (ARRAY['Blue Harbor','Granite','Summit','Redwood','Northgate','Lakeside'])[1 + g % 6] || ' ' || g || ' Inc' AS group_name,
           CASE WHEN c % 50 = 0 THEN '' ELSE (ARRAY['NW', 'PL', 'GR', 'AC'])[1 + k % 4] || lpad((c * 13 % 1000000)::text, 6, '0') END AS carrier_group_id
    FROM generate_series(1, 1000000) c,
         LATERAL (SELECT 1 + (c - 1) / 8 AS g, (c - 1) % 8 AS k) gk,
         LATERAL (SELECT CASE
             WHEN c % 100 < 80 THEN 'completed'
             WHEN c % 100 < 85 THEN 'waiting_on_carrier'
             WHEN c % 100 < 89 THEN 'processing'
             WHEN c % 100 < 92 THEN 'noyo_review'
             WHEN c % 100 < 94 THEN 'created'
             WHEN c % 100 < 96 THEN 'carrier_authorization'
             WHEN c % 100 < 98 THEN 'action_required'
             ELSE 'unable_to_connect' END AS status) s
) rows;

-- Status history: every connection first seen as created, and a change to its status since.
INSERT INTO command_center_statuschange (resource, object_id, old_status, new_status, observed_at, noyo_modified)
SELECT 'connections.groupconnection', id, '', 'created', created, created FROM connections_groupconnection;
INSERT INTO command_center_statuschange (resource, object_id, old_status, new_status, observed_at, noyo_modified)
SELECT 'connections.groupconnection', id, 'created', status, status_changed_at, modified FROM connections_groupconnection WHERE status <> 'created';

VACUUM ANALYZE connections_carrier, connections_group, connections_groupconnection, command_center_statuschange;
