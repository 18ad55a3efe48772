// Every text the console shows, in Indonesian (the default) and English: the one home of its
// labels. The chosen language is kept in localStorage.

const texts = {
  id: {
    skip: "Langsung ke isi",
    language: "English",
    languageName: "Bahasa",
    signIn: "Masuk",
    signInTitle: "Masuk ke Konsol Lumbung",
    token: "Token akses",
    tokenHelp: "Token dari lumbung token create (lmb_…). Disimpan hanya di tab ini.",
    tokenRefused: "Token ditolak.",
    signOut: "Keluar",
    pages: "Halaman",
    cari: "Cari",
    cariTitle: "Cari rumah tangga",
    searchBy: "Cari dengan",
    nik: "NIK",
    kk: "Nomor KK",
    number: "Nomor (16 angka)",
    search: "Cari",
    searching: "Mencari…",
    notFound: "Tidak ditemukan.",
    failed: "Gagal memuat",
    household: "Rumah tangga",
    id: "ID",
    kodeWilayah: "Kode wilayah",
    alamat: "Alamat",
    status: "Status",
    desil: "Desil",
    desilVersi: "versi",
    noDesil: "belum ada",
    program: "Program",
    none: "tidak ada",
    updated: "Diperbarui",
    members: "Anggota",
    nama: "Nama",
    hubungan: "Hubungan",
    jenisKelamin: "JK",
    tanggalLahir: "Tanggal lahir",
    statusNik: "Status NIK",
    dukcapil: "Hasil Dukcapil",
    belumDipadankan: "belum dipadankan",
    openRequests: "Usulan terbuka",
    history: "Riwayat",
    jenis: "Jenis",
    waktu: "Waktu",
    aksi: "Aksi",
    aktor: "Oleh",
    catatan: "Catatan",
    noRequests: "Tidak ada usulan.",
    noHistory: "Belum ada riwayat usulan.",
    notAllowed: "Tidak dapat dilihat dengan token ini.",
  },
  en: {
    skip: "Skip to content",
    language: "Bahasa Indonesia",
    languageName: "Language",
    signIn: "Sign in",
    signInTitle: "Sign in to Konsol Lumbung",
    token: "Access token",
    tokenHelp: "A token from lumbung token create (lmb_…). Kept in this tab only.",
    tokenRefused: "The token was refused.",
    signOut: "Sign out",
    pages: "Pages",
    cari: "Search",
    cariTitle: "Find a household",
    searchBy: "Search by",
    nik: "NIK",
    kk: "KK number",
    number: "Number (16 digits)",
    search: "Search",
    searching: "Searching…",
    notFound: "Not found.",
    failed: "Could not load",
    household: "Household",
    id: "ID",
    kodeWilayah: "Region code",
    alamat: "Address",
    status: "Status",
    desil: "Decile",
    desilVersi: "version",
    noDesil: "none yet",
    program: "Programs",
    none: "none",
    updated: "Updated",
    members: "Members",
    nama: "Name",
    hubungan: "Relation",
    jenisKelamin: "Sex",
    tanggalLahir: "Date of birth",
    statusNik: "NIK status",
    dukcapil: "Dukcapil result",
    belumDipadankan: "not matched yet",
    openRequests: "Open requests",
    history: "History",
    jenis: "Type",
    waktu: "Time",
    aksi: "Action",
    aktor: "By",
    catatan: "Note",
    noRequests: "No requests.",
    noHistory: "No request history yet.",
    notAllowed: "Not visible to this token.",
  },
};

const storageKey = "lumbung.language";

/** The chosen language: "id" unless English was switched on. */
export function language() {
  return localStorage.getItem(storageKey) === "en" ? "en" : "id";
}

/** Switches between Indonesian and English and remembers the choice. */
export function toggleLanguage() {
  localStorage.setItem(storageKey, language() === "en" ? "id" : "en");
}

/** The label `key` in the chosen language. */
export function t(key) {
  return texts[language()][key] ?? texts.id[key] ?? key;
}
