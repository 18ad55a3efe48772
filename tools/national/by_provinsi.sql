-- National households and members by provinsi (the first two digits of kode_wilayah).
SELECT provinsi AS key, count(*) AS households, sum(members)::BIGINT AS members
FROM households GROUP BY provinsi ORDER BY provinsi;
