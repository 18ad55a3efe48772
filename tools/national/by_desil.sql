-- By desil 1-10 (households without a desil are left out, as in the manifest).
SELECT desil AS key, count(*) AS households, sum(members)::BIGINT AS members
FROM households WHERE desil IS NOT NULL GROUP BY desil ORDER BY desil::INTEGER;
