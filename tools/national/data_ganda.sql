-- Data ganda across shards: a NIK held by members in two or more kabupaten (each kabupaten
-- store checks uniqueness only within itself). One line a NIK, with where it is held.
SELECT "anggota.nik" AS nik,
       count(DISTINCT left(kode_wilayah, 5)) AS kabupaten_count,
       string_agg(DISTINCT left(kode_wilayah, 5), ' ' ORDER BY left(kode_wilayah, 5)) AS kabupaten,
       string_agg(left(kode_wilayah, 5) || '#' || id, ' ' ORDER BY left(kode_wilayah, 5), id) AS households
FROM rows
WHERE "anggota.nik" IS NOT NULL
GROUP BY "anggota.nik"
HAVING count(DISTINCT left(kode_wilayah, 5)) > 1
ORDER BY nik;
