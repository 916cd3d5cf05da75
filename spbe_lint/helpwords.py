"""The Indonesian texts of the command line's help (see cli/helptext.py, which
applies them): option descriptions by their English text, command lines by
command name, and click's own words."""

from __future__ import annotations

OPTIONS: dict[str, str] = {
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "Language for the command that follows (its own --lang wins): messages, --help "
    "and usage errors. Default: the configuration, then SPBE_LINT_LANG, then id.": "Bahasa "
    "untuk perintah berikutnya (--lang milik perintah itu lebih diutamakan): pesan, "
    "--help dan kesalahan penggunaan. Bawaan: konfigurasi, lalu SPBE_LINT_LANG, "
    "lalu id.",
    "Show a traceback for internal errors.": "Tampilkan traceback untuk kesalahan "
    "internal.",
    "Processes that read and judge manifests in a text, concise or github run (0: "
    "one per CPU, from 48 manifests on; 1: this process alone). The output is the "
    "same either way.": "Jumlah proses yang membaca dan menilai manifest pada "
    "keluaran text, concise atau github (0: satu per CPU, mulai dari 48 manifest; "
    "1: hanya proses ini). Keluarannya sama saja.",
    "The results file: one JSON line per application, written as each one "
    "finishes.": "Berkas hasil: satu baris JSON per aplikasi, ditulis begitu "
    "aplikasi itu selesai diperiksa.",
    "Keep the results file and skip the applications it already records with the "
    "same input hashes, rule-pack version and settings (the day judged on is the "
    "interrupted run's, unless --as-of is given). Without --resume (or --force) a "
    "results file that holds results is refused, never emptied.": "Pertahankan "
    "berkas hasil dan lewati aplikasi yang sudah tercatat dengan hash masukan, versi "
    "paket aturan dan pengaturan yang sama (hari penilaian mengikuti jalannya yang "
    "terputus, kecuali --as-of diberikan). Tanpa --resume (atau --force) berkas hasil "
    "yang sudah berisi ditolak, tidak pernah dikosongkan.",
    "Start again on a results file that already holds results (they are lost). Not "
    "with --resume.": "Mulai lagi pada berkas hasil yang sudah berisi (isinya "
    "hilang). Tidak bersama --resume.",
    "Check nothing: summarise these results files (repeatable; shards of one audit, "
    "concatenated; the latest record of an application wins).": "Jangan memeriksa: "
    "ringkas berkas hasil ini (boleh berulang; pecahan satu audit digabung; catatan "
    "terbaru sebuah aplikasi yang dipakai).",
    "Write the city-wide HTML dashboard here.": "Tulis dasbor HTML seluruh kota ke "
    "sini.",
    "The results file of an earlier audit: the dashboard shows what changed since "
    "(applications improved, regressed, new or gone; each OPD's change in score).": "Berkas "
    "hasil audit sebelumnya: dasbor menunjukkan apa yang berubah sejak itu (aplikasi "
    "yang membaik, memburuk, baru atau tidak ada lagi; perubahan skor tiap OPD).",
    "Write one CSV row per application here (for spreadsheets).": "Tulis satu baris "
    "CSV per aplikasi ke sini (untuk lembar kerja).",
    "Write each application's own report into DIR (APP-ID.html...).": "Tulis laporan "
    "masing-masing aplikasi ke DIR (APP-ID.html...).",
    "Format of the per-application reports (repeatable; default html).": "Format "
    "laporan per aplikasi (boleh berulang; bawaan html).",
    "Processes for the static checks (default: the number of CPUs).": "Jumlah proses "
    "untuk pemeriksaan statis (bawaan: jumlah CPU).",
    "Audit only the K-th of N shards (by a stable hash of the application id), to "
    "spread one audit over N runners; summarise with --from-results.": "Audit hanya "
    "pecahan ke-K dari N (menurut hash tetap dari id aplikasi), untuk membagi satu "
    "audit ke N runner; ringkas dengan --from-results.",
    "An application fails when a finding at or above this severity fails (default: "
    "error).": "Sebuah aplikasi gagal bila ada temuan pada tingkat ini atau lebih "
    "tinggi yang gagal (bawaan: error).",
    "Only these rules: ids or families, comma-separated (HOST,SSO-001).": "Hanya "
    "aturan ini: id atau keluarga, dipisah koma (HOST,SSO-001).",
    "Skip these rules (ids or families).": "Lewati aturan ini (id atau keluarga).",
    "Judge as of this day (default: today, or the day of SOURCE_DATE_EPOCH when "
    "set): effective dates of rules and 'no older than' checks (pentest within 12 "
    "months, BCP test within 2 years).": "Nilai per tanggal ini (bawaan: hari ini, "
    "atau tanggal SOURCE_DATE_EPOCH bila diisi): tanggal berlaku aturan dan "
    "pemeriksaan 'tidak lebih lama dari' (pentest dalam 12 bulan, uji BCP dalam 2 "
    "tahun).",
    "Document references (handover documentation, reports): check that the files "
    "exist next to the manifest, or report them as 'manual' when only the manifest "
    "was submitted. auto: check when the folder is a repository or holds any "
    "referenced document.": "Rujukan dokumen (dokumentasi serah terima, laporan): "
    "periksa bahwa berkasnya ada di samping manifest, atau laporkan sebagai 'manual' "
    "bila hanya manifest yang diserahkan. auto: periksa bila foldernya repositori "
    "atau memuat salah satu dokumen yang dirujuk.",
    "Diskominfo's waiver file (scoped to applications with app:), applied to every "
    "application.": "Berkas pengecualian Diskominfo (dibatasi per aplikasi dengan "
    "app:), diterapkan pada setiap aplikasi.",
    "Also probe each application's endpoints (or the inventory's URL), sharing one "
    "worker pool (--concurrency) and at most two connections per host.": "Periksa "
    "juga endpoint setiap aplikasi (atau URL dari inventaris) dengan probe, memakai "
    "satu kumpulan pekerja (--concurrency) dan paling banyak dua koneksi per host.",
    "Use ADDR for HOST:PORT instead of DNS (curl semantics; repeatable). The address "
    "still passes the SSRF policy.": "Pakai ADDR untuk HOST:PORT alih-alih DNS "
    "(seperti curl; boleh berulang). Alamatnya tetap melewati kebijakan SSRF.",
    "Connect to HOST2:PORT2 for requests to HOST:PORT, keeping the name for TLS and "
    "Host (curl semantics; repeatable).": "Sambungkan ke HOST2:PORT2 untuk permintaan "
    "ke HOST:PORT, dengan nama yang sama untuk TLS dan Host (seperti curl; boleh "
    "berulang).",
    "Also trust the CA certificates in this PEM file (a staging CA).": "Percayai juga "
    "sertifikat CA dalam berkas PEM ini (CA staging).",
    "Admit an otherwise denied address range (repeatable). Cloud metadata addresses "
    "stay denied unless named exactly (a /32).": "Izinkan rentang alamat yang "
    "biasanya ditolak (boleh berulang). Alamat metadata cloud tetap ditolak kecuali "
    "disebut persis (sebuah /32).",
    "Deadline per request in seconds, body included (default 15).": "Batas waktu per "
    "permintaan dalam detik, termasuk isi tanggapan (bawaan 15).",
    "Requests in flight at once (default 8; at most 2 per host).": "Jumlah "
    "permintaan yang berjalan bersamaan (bawaan 8; paling banyak 2 per host).",
    "Also look for exposed files (/.git/HEAD, /.env, server-status, phpinfo) and "
    "directory listings: GET only, confirmed by content.": "Cari juga berkas yang "
    "terbuka (/.git/HEAD, /.env, server-status, phpinfo) dan daftar direktori: hanya "
    "GET, dipastikan dari isinya.",
    "Show a progress bar (default: on a terminal, and not when CI is set).": "Tampilkan "
    "bilah kemajuan (bawaan: di terminal, dan tidak bila CI diisi).",
    "Language of messages: id (Bahasa Indonesia, default) or en. Default from config, "
    "then SPBE_LINT_LANG.": "Bahasa pesan: id (Bahasa Indonesia, bawaan) atau en. "
    "Bawaan dari konfigurasi, lalu SPBE_LINT_LANG. Untuk --help: --lang en atau "
    "SPBE_LINT_LANG=en memberi teks bahasa Inggris.",
    "Configuration file (default: the nearest .spbe-lint.yaml from the working folder "
    "up to the repository root).": "Berkas konfigurasi (bawaan: .spbe-lint.yaml "
    "terdekat dari folder kerja sampai akar repositori).",
    "Ignore every configuration file.": "Abaikan semua berkas konfigurasi.",
    "Use the rule pack in this folder (pack.yaml + rule files) instead of the bundled "
    "Kota Jambi pack.": "Pakai paket aturan di folder ini (pack.yaml + berkas aturan) "
    "alih-alih paket Kota Jambi bawaan.",
    "Write the baseline to this file.": "Tulis baseline ke berkas ini.",
    "Replace an existing baseline file.": "Ganti berkas baseline yang sudah ada.",
    "Take the failures from a saved JSON report instead of checking PATHS.": "Ambil "
    "kegagalan dari laporan JSON tersimpan alih-alih memeriksa PATHS.",
    "Waiver file (default: the nearest spbe-waivers.yaml): waived failures are left "
    "out of the baseline.": "Berkas pengecualian (bawaan: spbe-waivers.yaml "
    "terdekat): kegagalan yang dikecualikan tidak masuk baseline.",
    "text: findings with basis and fix; concise: one line each; json: the versioned "
    "report (schemas/report.schema.json); sarif: SARIF 2.1.0 for code scanning; "
    "junit: JUnit XML for CI test views; github: GitHub Actions annotations; "
    "markdown: a compliance summary for a merge request; html: the handover report, "
    "one self-contained file that prints on A4.": "text: temuan dengan dasar hukum dan "
    "perbaikan; concise: satu baris per temuan; json: laporan berversi "
    "(schemas/report.schema.json); sarif: SARIF 2.1.0 untuk code scanning; junit: "
    "JUnit XML untuk tampilan uji CI; github: anotasi GitHub Actions; markdown: "
    "ringkasan kepatuhan untuk merge request; html: laporan serah terima, satu berkas "
    "mandiri yang dapat dicetak pada A4.",
    "Write the --format report to PATH instead of standard output; or, repeatable, "
    "FORMAT=PATH to write that format too (sarif=spbe.sarif html=report.html): one "
    "evaluation, several reports. An unknown FORMAT is an error (a file named "
    "a=b.json: ./a=b.json). Each file is written whole or not at all: a full disk "
    "leaves the old one as it was.": "Tulis laporan --format ke PATH alih-alih "
    "keluaran standar; atau, boleh berulang, FORMAT=PATH untuk menulis format itu "
    "juga (sarif=spbe.sarif html=report.html): satu penilaian, beberapa laporan. "
    "FORMAT yang tidak dikenal adalah kesalahan (berkas bernama a=b.json: "
    "./a=b.json). Setiap berkas ditulis utuh atau tidak sama sekali: disk penuh "
    "membiarkan berkas lama seperti semula.",
    "Exit 1 when a finding at or above this severity fails (default: error).": "Keluar "
    "dengan status 1 bila temuan pada tingkat ini atau lebih tinggi gagal (bawaan: "
    "error).",
    "Exit 0 even when findings fail (an unreadable input still exits 2).": "Keluar "
    "dengan status 0 walaupun ada temuan gagal (masukan yang tidak terbaca tetap 2).",
    "Colour the text output (auto: only on a terminal, and not with NO_COLOR).": "Beri "
    "warna pada keluaran teks (auto: hanya di terminal, dan tidak bila NO_COLOR).",
    "Text output: also list these results, comma-separated: manual (to check by "
    "hand), na (not applicable), passed, or all. By default failures, waived failures "
    "and inconclusive results are listed and the rest counted on one line.": "Keluaran "
    "teks: cantumkan juga hasil ini, dipisah koma: manual (perlu diperiksa manual), "
    "na (tidak berlaku), passed (lulus), atau all. Bawaannya hanya kegagalan, "
    "kegagalan yang dikecualikan dan hasil yang tidak dapat dinilai; sisanya "
    "dihitung dalam satu baris.",
    "Committed secrets (SEC-012): scan the repository's files (the tracked ones in a "
    "git repository, every file of a submission folder) with detect-secrets, or skip "
    "the scan (the manifest's pre-commit hook; the spbe-lint-secrets hook scans the "
    "files being committed).": "Rahasia yang terkomit (SEC-012): pindai berkas "
    "repositori (yang dilacak di repositori git, semua berkas folder kiriman) dengan "
    "detect-secrets, atau lewati pemindaian (hook pre-commit manifest; hook "
    "spbe-lint-secrets memindai berkas yang dikomit).",
    "Diskominfo's waiver file (default: the nearest spbe-waivers.yaml from the "
    "working folder up to the repository root; not with --isolated). Waived failures "
    "stay in every report, marked, and do not fail the run.": "Berkas pengecualian "
    "Diskominfo (bawaan: spbe-waivers.yaml terdekat dari folder kerja sampai akar "
    "repositori; tidak dengan --isolated). Kegagalan yang dikecualikan tetap ada di "
    "setiap laporan, ditandai, dan tidak menggagalkan pemeriksaan.",
    "Reviewer mode: ignore every inline x-spbe-waive suppression in the manifests; "
    "only the waiver file counts. The report says so. Nothing inside the submission "
    "(the PATHS, or this folder) is discovered: no spbe-waivers.yaml or "
    ".spbe-lint.yaml of the vendor's; name one with --waivers/--config, or keep "
    "Diskominfo's above the submission.": "Mode peninjau: abaikan setiap pengecualian "
    "inline x-spbe-waive di manifest; hanya berkas pengecualian yang berlaku. "
    "Laporan menyebutkannya. Tidak ada yang dicari di dalam kiriman (PATHS, atau "
    "folder ini): bukan spbe-waivers.yaml atau .spbe-lint.yaml milik vendor; sebut "
    "berkasnya dengan --waivers/--config, atau simpan milik Diskominfo di atas "
    "folder kiriman.",
    "Hide the failures listed in FILE (spbe-lint baseline create): report only new "
    "ones, say how many were hidden and which entries are fixed.": "Sembunyikan "
    "kegagalan yang tercantum di FILE (spbe-lint baseline create): laporkan hanya "
    "yang baru, sebutkan berapa yang disembunyikan dan entri mana yang sudah "
    "diperbaiki.",
    "Sign the report with this Ed25519 private key (spbe-lint keygen): the JSON "
    "carries the signature, the HTML shows the key's fingerprint.": "Tandatangani "
    "laporan dengan kunci privat Ed25519 ini (spbe-lint keygen): JSON memuat tanda "
    "tangannya, HTML menampilkan sidik jari kuncinya.",
    "Also probe the endpoints the manifest declares (endpoints.url, login_url, "
    "health_url, interop.apis[].base_url) and judge the endpoint rules on them.": "Periksa "
    "juga endpoint yang dinyatakan manifest (endpoints.url, login_url, health_url, "
    "interop.apis[].base_url) dengan probe dan nilai aturan endpoint padanya.",
    "text and markdown for people, json for tools, sarif: NEW's SARIF with "
    "baselineState (new, unchanged, updated, absent for the fixed).": "text dan "
    "markdown untuk orang, json untuk alat, sarif: SARIF dari NEW dengan "
    "baselineState (new, unchanged, updated, absent untuk yang sudah diperbaiki).",
    "Write to this file instead of standard output.": "Tulis ke berkas ini alih-alih "
    "keluaran standar.",
    "Exit 1 when NEW brings a new, unwaived failure at or above this severity.": "Keluar "
    "dengan status 1 bila NEW membawa kegagalan baru yang tidak dikecualikan pada "
    "tingkat ini atau lebih tinggi.",
    "Where to write the manifest.": "Tempat menulis manifest.",
    "Replace an existing manifest (and --schema FILE).": "Ganti manifest yang sudah "
    "ada (dan --schema FILE).",
    "Full name of the application (app.title).": "Nama lengkap aplikasi (app.title).",
    "Machine name (app.name): lower case, digits, dashes. Default: from --title.": "Nama "
    "mesin (app.name): huruf kecil, angka, tanda hubung. Bawaan: dari --title.",
    "Owning city agency, Perangkat Daerah (app.owner_opd).": "Perangkat Daerah pemilik "
    "(app.owner_opd).",
    "Address of the application (endpoints.url; domain.fqdn from it).": "Alamat "
    "aplikasi (endpoints.url; domain.fqdn diambil darinya).",
    "The contractor building it (vendor.name).": "Penyedia yang membangunnya "
    "(vendor.name).",
    "Lifecycle status (app.status): decides which obligations are due.": "Tahap siklus "
    "hidup (app.status): menentukan kewajiban mana yang sudah berlaku.",
    "Seed the manifest from a publiccode.yml (or a folder holding one): name, "
    "description, licence, repository URL, maintenance contacts, platforms, release "
    "date. Options given win over it.": "Isi awal manifest dari publiccode.yml (atau "
    "folder yang memuatnya): nama, deskripsi, lisensi, URL repositori, kontak "
    "pemeliharaan, platform, tanggal rilis. Opsi yang diberikan lebih diutamakan.",
    "Also write the manifest JSON Schema to FILE and point the manifest's first line "
    "(# yaml-language-server: $schema=...) at it, for editors. An existing FILE is "
    "replaced only with --force.": "Tulis juga JSON Schema manifest ke FILE dan "
    "arahkan baris pertama manifest (# yaml-language-server: $schema=...) ke sana, "
    "untuk editor. FILE yang sudah ada hanya diganti dengan --force.",
    "Never ask (default: ask on a terminal for what options did not give).": "Jangan "
    "pernah bertanya (bawaan: bertanya di terminal untuk yang tidak diberikan opsi).",
    "Write PREFIX.key (private, readable by its owner only) and PREFIX.pub.": "Tulis "
    "PREFIX.key (privat, hanya dapat dibaca pemiliknya) dan PREFIX.pub.",
    "Replace existing key files.": "Ganti berkas kunci yang sudah ada.",
    "Verify the report's signature with this public key first: only then do the "
    "reports show it as verified. Without --key a signed report says its signature "
    "was not verified; with a key that does not verify it, it is marked as not to be "
    "trusted and shows no verdict of its own.": "Verifikasi dahulu tanda tangan "
    "laporan dengan kunci publik ini: hanya dengan itu laporan menampilkannya sebagai "
    "terverifikasi. Tanpa --key laporan bertanda tangan menyebut tanda tangannya "
    "belum diverifikasi; dengan kunci yang tidak cocok laporan ditandai tidak dapat "
    "dipercaya dan tidak menampilkan putusannya sendiri.",
    "Exit 0 even when secrets are found (a file that cannot be named still exits "
    "2).": "Keluar dengan status 0 walaupun ada rahasia (berkas yang tidak dapat "
    "disebut namanya tetap 2).",
    "Diskominfo's waiver file (default: the nearest spbe-waivers.yaml). A waiver for "
    "SEC-012 scoped by path (and pointer /secret) covers the secrets of those "
    "files.": "Berkas pengecualian Diskominfo (bawaan: spbe-waivers.yaml terdekat). "
    "Pengecualian SEC-012 yang dibatasi path (dan pointer /secret) mencakup rahasia "
    "di berkas itu.",
    "Reviewer mode: the vendor's .secrets.baseline and 'pragma: allowlist secret' "
    "comments are not honoured; only the waiver file counts.": "Mode peninjau: "
    ".secrets.baseline milik vendor dan komentar 'pragma: allowlist secret' tidak "
    "dihiraukan; hanya berkas pengecualian yang berlaku.",
    "Hide the secrets listed in FILE (spbe-lint baseline create): report only new "
    "ones.": "Sembunyikan rahasia yang tercantum di FILE (spbe-lint baseline create): "
    "laporkan hanya yang baru.",
    "Write the schema to this file instead of standard output.": "Tulis skema ke "
    "berkas ini alih-alih keluaran standar.",
    "Print the JSON Schema of a dataset's metadata file (data.datasets[].metadata, "
    "rule DATA-018) instead of the manifest's.": "Cetak JSON Schema berkas metadata "
    "dataset (data.datasets[].metadata, aturan DATA-018) alih-alih skema manifest.",
    "Check the report's signature with this public key.": "Periksa tanda tangan "
    "laporan dengan kunci publik ini.",
    "Check that the recorded inputs are in DIR with their sha256, check them again "
    "with the recorded rule pack, and report any difference in findings.": "Periksa "
    "bahwa masukan yang tercatat ada di DIR dengan sha256-nya, periksa ulang dengan "
    "paket aturan yang tercatat, dan laporkan setiap perbedaan temuan.",
    "Output format.": "Format keluaran.",
}

# Each command's one-line description in a command list (``spbe-lint --help``,
# ``spbe-lint rules --help``), by command name.
COMMANDS: dict[str, str] = {
    "audit": "Audit sekumpulan aplikasi: INVENTORY adalah folder dengan satu "
    "subfolder per aplikasi, atau berkas CSV (id, opd, manifest, url).",
    "baseline": "Catat kegagalan yang sudah diketahui, agar check --baseline hanya "
    "menampilkan yang baru.",
    "create": "Tulis sidik jari kegagalan hari ini (aturan, manifest, JSON Pointer "
    "atau endpoint; tanpa nomor baris).",
    "check": "Periksa manifest: PATHS berupa berkas atau folder (dicari spbe.yaml dan "
    ".spbe.yaml); tanpa PATHS, manifest di folder kerja.",
    "diff": "Bandingkan dua laporan JSON tersimpan dari aplikasi yang sama: kegagalan "
    "baru, yang diperbaiki dan yang tetap, deklarasi dan pengecualian yang berubah.",
    "init": "Tulis spbe.yaml baru yang diberi komentar: isian yang diberikan terisi, "
    "isian lain sebagai baris komentar untuk dilengkapi.",
    "keygen": "Buat pasangan kunci Ed25519 untuk menandatangani laporan (check --sign).",
    "probe": "Periksa aplikasi yang berjalan: URLS, atau tanpa URLS endpoint yang "
    "dinyatakan manifest di folder ini (sama dengan check --probe).",
    "report": "Tampilkan laporan JSON tersimpan dalam format apa pun, tanpa memeriksa "
    "ulang.",
    "rules": "Daftar dan penjelasan aturan dalam paket aturan.",
    "coverage": "Tampilkan per domain persyaratan katalog yang diperiksa paket "
    "(statis, dokumen bukti, atau probe) dan pasal yang dikutip.",
    "explain": "Jelaskan satu aturan: alasannya, dasar hukumnya, cara memperbaiki "
    "kegagalan, dan contoh lulus serta gagal.",
    "list": "Daftar semua aturan: id, domain, tingkat dan judul.",
    "scan": "Pindai FILES untuk rahasia yang terkomit (SEC-012) dengan "
    "detect-secrets; tanpa FILES, berkas yang dilacak repositori di folder kerja.",
    "schema": "Cetak JSON Schema manifest (Draft 2020-12), untuk editor dan alat lain.",
    "verify": "Verifikasi laporan JSON tersimpan: tanda tangannya (--key) dan "
    "kecocokannya dengan manifest yang diserahkan (--inputs).",
}

# Click's own words (through gettext), as click 8 writes them.
CLICK: dict[str, str] = {
    "Usage:": "Penggunaan:",
    "Options": "Opsi",
    "Commands": "Perintah",
    "Show this message and exit.": "Tampilkan pesan ini lalu keluar.",
    "Show the version and exit.": "Tampilkan versi lalu keluar.",
    "Try '{command} {option}' for help.": "Coba '{command} {option}' untuk bantuan.",
    "Error: {message}": "Kesalahan: {message}",
    "Invalid value for {param_hint}: {message}": "Nilai tidak sah untuk "
    "{param_hint}: {message}",
    "Invalid value: {message}": "Nilai tidak sah: {message}",
    "Missing argument": "Argumen tidak ada",
    "Missing option": "Opsi tidak ada",
    "Missing parameter": "Parameter tidak ada",
    "Missing command.": "Perintah tidak disebut.",
    "No such command {name!r}.": "Tidak ada perintah {name!r}.",
    "No such option {name!r}.": "Tidak ada opsi {name!r}.",
    "No such option: {name}": "Tidak ada opsi: {name}",
    "Option {name!r} requires an argument.": "Opsi {name!r} memerlukan nilai.",
    "Option {name!r} does not take a value.": "Opsi {name!r} tidak menerima nilai.",
    "Got unexpected extra argument ({args})": "Ada argumen tambahan yang tidak "
    "diharapkan ({args})",
    "Got unexpected extra arguments ({args})": "Ada argumen tambahan yang tidak "
    "diharapkan ({args})",
    "Did you mean {possibility}?": "Maksudnya {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Maksudnya salah satu dari: "
    "{possibilities}?)",
    "{value!r} is not {choice}.": "{value!r} bukan {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} bukan salah satu dari {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} tidak sesuai format "
    "{format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} tidak sesuai format "
    "{formats}.",
    "{value!r} is not a valid {number_type}.": "{value!r} bukan {number_type} yang "
    "sah.",
    "{value} is not in the range {range}.": "{value} tidak dalam rentang {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} tidak ada.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} adalah direktori.",
    "{name} {filename!r} is a file.": "{name} {filename!r} adalah berkas.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} tidak dapat dibaca.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} tidak dapat ditulis.",
    "default: {default}": "bawaan: {default}",
    "file": "berkas",
    "directory": "direktori",
    "path": "path",
    "Aborted!": "Dibatalkan!",
}
