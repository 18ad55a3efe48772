-- The national totals.
SELECT 'nasional' AS key, count(*) AS households, coalesce(sum(members), 0)::BIGINT AS members FROM households;
