-- By status as the manifest names it: usulan, terverifikasi, ditetapkan, tidak_layak:REASON.
SELECT CASE WHEN alasan_tidak_layak IS NULL THEN status ELSE status || ':' || alasan_tidak_layak END AS key,
       count(*) AS households, sum(members)::BIGINT AS members
FROM households GROUP BY key ORDER BY key;
