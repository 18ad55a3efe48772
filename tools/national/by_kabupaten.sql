-- Households and members by kabupaten/kota (PP.KK): one line a shard, as its manifest counts.
SELECT kabupaten AS key, count(*) AS households, sum(members)::BIGINT AS members
FROM households GROUP BY kabupaten ORDER BY kabupaten;
