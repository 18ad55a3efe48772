/// Built-in Indonesian name, address and occupation lists, written the way Dukcapil does
/// (UPPERCASE).
enum Names {
    /// Male given names: Javanese, Sundanese, Malay/Minang, Bugis, Batak, Arabic-derived.
    static let male: [String] = [
        "AHMAD", "MUHAMMAD", "BUDI", "AGUS", "SLAMET", "SUPARMAN", "SUGENG", "WAHYU", "JOKO", "BAMBANG",
        "SUTRISNO", "SUYANTO", "HERU", "EKO", "DWI", "TRI", "ADI", "ANDI", "ARIF", "RUDI",
        "HENDRA", "DEDI", "ASEP", "UJANG", "CECEP", "DADANG", "ENDANG", "JAJANG", "ENCEP", "YAYAN",
        "IWAN", "DEDEN", "AEP", "OMAN", "ROHMAT", "SAEFUL", "KOSASIH", "SUHENDAR", "YUSUF", "IBRAHIM",
        "ABDUL", "RAHMAT", "HIDAYAT", "FAUZI", "RIZKI", "FAJAR", "ILHAM", "IRFAN", "HASAN", "HUSEIN",
        "ZAINAL", "SYAMSUL", "SAIFUL", "NURDIN", "JAMALUDIN", "BASRI", "AMIRUDDIN", "HASANUDDIN", "SYAHRIR", "ANWAR",
        "DARWIS", "ZULKIFLI", "ERWIN", "YUSRIZAL", "AFRIZAL", "JONI", "DONI", "RONI", "TOGAR", "PARLINDUNGAN",
        "BONAR", "MARULI", "RAJA", "SAHAT", "HOTMAN", "MARTIN", "YOHANES", "PETRUS", "YOSEF", "MARKUS",
        "KETUT", "WAYAN", "MADE", "NYOMAN", "GEDE", "PUTU", "KOMANG", "SUPRIADI", "SUHARTO", "SUDARMAN",
        "SUKARDI", "PAIMAN", "TUKIMAN", "PONIMAN", "WAGIMAN", "KARYO", "PARJO", "MULYADI", "RAHMAN", "SYARIFUDDIN",
        "DANI", "BAYU", "ARYA", "DIMAS", "GALIH", "RAFI", "AKBAR", "FIRMAN", "HARIS", "LUKMAN",
    ]

    /// Female given names.
    static let female: [String] = [
        "SITI", "SRI", "NUR", "DEWI", "ENDANG", "SUMARNI", "SUPARMI", "SUKARSIH", "TUMINAH", "PAINEM",
        "SARINAH", "SUNARSIH", "WARSIH", "KASMINAH", "RUMINAH", "SUYATMI", "TRI", "DWI", "EKA", "RATNA",
        "YANTI", "YULI", "RINA", "LINA", "NINA", "TINA", "WATI", "ENI", "ERNA", "IKA",
        "NENG", "IMAS", "EUIS", "ENUNG", "OOM", "CUCU", "AI", "LILIS", "TITIN", "ELIS",
        "NANI", "YAYAH", "IDA", "AISYAH", "FATIMAH", "KHADIJAH", "MARYAM", "AMINAH", "ZAINAB", "HALIMAH",
        "NURHAYATI", "NURHASANAH", "ROSMIATI", "JUMIATI", "SURIATI", "MASNIAR", "YUSNIAR", "ASNIDAR", "ROSNANI", "DARLIAH",
        "HASNAH", "NURMI", "SARIAH", "RAHMAWATI", "HARTATI", "SUSANTI", "HANDAYANI", "WULANDARI", "PUSPITA", "INDAH",
        "PUTRI", "AYU", "FITRI", "NOVI", "DIAN", "MEGA", "RIKA", "LESTARI", "KARTINI", "MARLINA",
        "ROSMAWATI", "BUTET", "RUGUN", "TIUR", "MARIA", "MAGDALENA", "YOHANA", "MARTHA", "NI", "LUH",
        "KADEK", "ANISA", "NADIA", "SALSABILA", "ZAHRA", "AULIA", "NABILA", "SAFITRI", "AMELIA", "RANI",
    ]

    /// Second parts of male names ("AHMAD FAUZI", "BUDI SANTOSO").
    static let maleSecond: [String] = [
        "FAUZI", "SANTOSO", "HIDAYAT", "SAPUTRA", "PRASETYO", "SETIAWAN", "GUNAWAN", "KURNIAWAN", "NUGROHO", "WIBOWO",
        "SUSANTO", "HARTONO", "PURNOMO", "RIYADI", "SUPRIYADI", "RAHMAN", "HAKIM", "RAMADHAN", "FIRDAUS", "MAULANA",
        "SUDRAJAT", "SUPRIATNA", "HERMAWAN", "KUSNADI", "SOLEH", "SOLIHIN", "MUSLIM", "SYAHPUTRA", "ABIDIN", "ARIFIN",
    ]

    /// Second parts of female names ("SITI NURHALIZA", "SRI WAHYUNI").
    static let femaleSecond: [String] = [
        "NURHALIZA", "WAHYUNI", "RAHAYU", "LESTARI", "SUSILOWATI", "HANDAYANI", "PURNAMASARI", "KURNIASIH", "MULYANI", "SETIAWATI",
        "NURJANAH", "AMINAH", "FITRIANI", "SAFITRI", "PERTIWI", "UTAMI", "ANGGRAENI", "MAESAROH", "KOMALASARI", "SUMIATI",
        "YULIANTI", "HARYATI", "NINGSIH", "SARI", "WATI", "ASTUTI", "RAHMAWATI", "KHOIRUNNISA", "OKTAVIANI", "MARDIANA",
    ]

    /// Batak marga, used as family names in Sumatera Utara (provinsi 12).
    static let marga: [String] = [
        "SIMANJUNTAK", "SIREGAR", "NASUTION", "HARAHAP", "LUBIS", "SITOMPUL", "PANJAITAN", "HUTAPEA", "SITORUS", "SINAGA",
        "SIMATUPANG", "PARDEDE", "SIAHAAN", "MANURUNG", "TAMBUNAN", "HUTAGALUNG", "SILALAHI", "GINTING", "TARIGAN", "SEMBIRING",
    ]

    static let streets: [String] = [
        "Melati", "Mawar", "Kenanga", "Anggrek", "Flamboyan", "Cempaka", "Dahlia", "Merdeka", "Pahlawan", "Raya",
        "Masjid", "Pasar", "Sekolah", "Kebon", "Sawah", "Mangga", "Rambutan", "Nangka", "Kelapa", "Durian",
        "Sudirman", "Diponegoro", "Gatot Subroto", "Ahmad Yani", "Veteran", "Kartini", "Hasanuddin", "Imam Bonjol", "Cendrawasih", "Merpati",
    ]

    static let dusun: [String] = [
        "Krajan", "Kulon", "Wetan", "Lor", "Kidul", "Tengah", "Sukamaju", "Sukamulya", "Sukasari", "Mekarsari",
        "Cibodas", "Babakan", "Sindangsari", "Karanganyar", "Sidomulyo", "Tegalsari", "Sumbersari", "Margomulyo", "Pasir", "Tanjung",
    ]

    static let roman: [String] = ["I", "II", "III", "IV", "V"]

    /// Occupations of adult men and their weights.
    static let maleJobs: [String] = [
        "PETANI", "BURUH TANI", "BURUH HARIAN LEPAS", "PEDAGANG", "WIRASWASTA", "NELAYAN", "SOPIR",
        "TUKANG BANGUNAN", "KARYAWAN SWASTA", "PETERNAK", "TIDAK BEKERJA", "PENGEMUDI OJEK", "TUKANG KAYU",
    ]
    static let maleJobWeights = Weighted([20, 10, 22, 8, 8, 3, 4, 6, 7, 2, 6, 3, 1])

    /// Occupations of adult women and their weights.
    static let femaleJobs: [String] = [
        "MENGURUS RUMAH TANGGA", "PEDAGANG", "BURUH HARIAN LEPAS", "PETANI", "BURUH TANI", "KARYAWAN SWASTA",
        "WIRASWASTA", "TIDAK BEKERJA", "ASISTEN RUMAH TANGGA", "PENJAHIT",
    ]
    static let femaleJobWeights = Weighted([50, 11, 10, 8, 5, 5, 4, 4, 2, 1])

    /// Occupations of the elderly (65+) and their weights.
    static let elderJobs: [String] = ["TIDAK BEKERJA", "PETANI", "PEDAGANG", "BURUH TANI"]
    static let elderJobWeights = Weighted([62, 25, 8, 5])
}
