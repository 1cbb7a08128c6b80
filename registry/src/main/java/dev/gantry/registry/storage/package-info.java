/**
 * Where Gantry keeps what it serves: blob bytes on the file system, everything else in SQL.
 *
 * <h2>On disk ({@code gantry.data-dir}, default {@code ./data})</h2>
 * <pre>
 * data/
 * ├── gantry.db                 SQLite metadata (+ gantry.db-wal, gantry.db-shm); absent when PostgreSQL is used
 * ├── blobs/
 * │   ├── sha256/
 * │   │   └── ab/
 * │   │       └── ab3f…9c       one file per digest: layers, configs and manifests alike; written once by an
 * │   │                         atomic rename after fsync, never modified, shared by every registry and repository
 * │   └── sha512/…              (same shape)
 * ├── uploads/
 * │   ├── 6f1c…-…-…             an upload in progress, named by its session id; hashed as it is written, and
 * │   │                         renamed into blobs/ only once its digest is verified
 * │   └── direct-6f1c…          a manifest (or cached upstream blob) on its way under its digest
 * ├── trash/
 * │   └── sha256-ab3f…9c        a blob garbage collection is deleting: moved here inside the transaction that
 * │                             deletes its rows, deleted after the commit, put back after a rollback or a crash
 * └── quarantine/
 *     └── 20250101T120000.000Z/ what one fsck repair moved out of blobs/ (a damaged blob, a file not named by its
 *         └── sha256/ab/ab3f…9c  digest), under its path in blobs/; kept for the operator, never read by the registry
 * </pre>
 * A crash can leave a file in {@code uploads/} (resumable, or expired later) but never a partial file under a digest.
 * A file is placed under its digest inside the transaction that records it ({@link Sql#referencing}), so a crash
 * leaves at worst a file without a row, which garbage collection removes after its grace period and {@link Fsck}
 * reports (and, repairing, records).
 *
 * <h2>Garbage collection ({@link GarbageCollector})</h2>
 * Roots are tags, promotions into a repository ({@code promotions}) and manifests younger than their registry's
 * {@code untaggedRetention}; kept manifests keep their index children, referrers and blobs. Everything else older
 * than the grace period goes: repository holdings, then blob rows and files, then stray files and expired uploads.
 * Decisions are read and applied in one transaction that no reference-adding writer overlaps
 * ({@link Sql#sweeping}: SQLite's single writer; a PostgreSQL advisory lock writers hold shared).
 *
 * <h2>Metadata schema ({@code db/migration}, Flyway; one schema for SQLite and PostgreSQL)</h2>
 * <pre>
 * registries            (name PK, type, definition JSON, created_at)           the named registries
 * repositories          (registry, name) PK, created_at                         a repository inside a registry
 * blobs                 (digest PK, size, created_at)                            every stored blob file
 * repository_blobs      (registry, repository, digest) PK → blobs               blobs a repository may serve:
 *                                                                               uploaded, mounted, or a manifest's
 * manifests             (digest PK → blobs, media_type, artifact_type,         parsed facts of a stored manifest
 *                        subject, annotations JSON, created_at)
 * manifest_references   (manifest, child) PK, kind 'blob'|'manifest'           what a manifest needs to be whole
 * repository_manifests  (registry, repository, digest) PK → manifests          manifests a repository holds
 * tags                  (registry, repository, name) PK, digest, updated_at    tag → digest within a repository
 * uploads               (id PK, registry, repository, started_at, updated_at)  open upload sessions
 * promotions            (id PK, repository, source, target, digest, tags,       the promotion record: what, from
 *                        actor, promoted_at)                                    where, to where, by whom, when
 * properties            (registry, repository, digest, name) PK, value          key/value metadata on a manifest
 * robots                (name PK, secret_hash bcrypt, expires_at, created_at,  robot accounts; after a rotation
 *                        previous_secret_hash, previous_valid_until)            the old secret works a while
 * grants                (robot, registry name or glob) PK, actions             what each robot may do where
 * </pre>
 * Repositories hold references only: the same blob row and file serve every repository that lists it, which is why
 * a layer is stored once however many registries hold it, and why promotion (copying rows) costs no blob bytes.
 */
package dev.gantry.registry.storage;
