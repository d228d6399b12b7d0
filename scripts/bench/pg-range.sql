-- PostgreSQL's answer to "range": created >= a random value, ordered by created, 20 rows.
\set from random(1700000001, 1700000000 + :keys - 20)
SELECT name, doc FROM apps WHERE (doc->>'created')::bigint >= :from ORDER BY (doc->>'created')::bigint, name LIMIT 20;
