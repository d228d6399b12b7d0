-- PostgreSQL's answer to "eq" (scripts/bench-query.sh): a 20-row page of status = one of 10 values, in name order.
\set s random(0, 9)
SELECT name, doc FROM apps WHERE doc->>'status' = 's' || :s ORDER BY name LIMIT 20;
