-- PostgreSQL's answer to "eq-count": the page and the total count of the matches, in one transaction.
\set s random(0, 9)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT name, doc FROM apps WHERE doc->>'status' = 's' || :s ORDER BY name LIMIT 20;
SELECT count(*) FROM apps WHERE doc->>'status' = 's' || :s;
COMMIT;
