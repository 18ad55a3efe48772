-- The views every query reads. The runner replaces {files} with the list of the packages'
-- dtks-PERIOD.csv.zst files (DuckDB decompresses zstd itself).
--   rows:       one row per member, the household columns repeated (the flat export layout)
--   households: one row per household of a package (a kabupaten store's export), with its
--               kabupaten (PP.KK of kode_wilayah) and member count
CREATE OR REPLACE VIEW rows AS
SELECT * FROM read_csv({files}, header = true, all_varchar = true, union_by_name = true, filename = 'package');

CREATE OR REPLACE VIEW households AS
SELECT package, id,
       any_value(kode_wilayah)                        AS kode_wilayah,
       left(any_value(kode_wilayah), 2)               AS provinsi,
       left(any_value(kode_wilayah), 5)               AS kabupaten,
       any_value(status)                              AS status,
       any_value(alasan_tidak_layak)                  AS alasan_tidak_layak,
       any_value(desil)                               AS desil,
       any_value(program)                             AS program,
       count(*)                                       AS members
FROM rows
GROUP BY package, id;
