-- Gantry registry metadata. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Times are epoch milliseconds; digests are 'algorithm:hex'.

CREATE TABLE registries (
    name        VARCHAR(63)  NOT NULL PRIMARY KEY,
    type        VARCHAR(16)  NOT NULL,
    definition  TEXT         NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE TABLE repositories (
    registry    VARCHAR(63)  NOT NULL REFERENCES registries (name),
    name        VARCHAR(255) NOT NULL,
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (registry, name)
);

CREATE TABLE blobs (
    digest      VARCHAR(135) NOT NULL PRIMARY KEY,
    size        BIGINT       NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE TABLE repository_blobs (
    registry    VARCHAR(63)  NOT NULL,
    repository  VARCHAR(255) NOT NULL,
    digest      VARCHAR(135) NOT NULL REFERENCES blobs (digest),
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (registry, repository, digest),
    FOREIGN KEY (registry, repository) REFERENCES repositories (registry, name)
);
CREATE INDEX repository_blobs_by_digest ON repository_blobs (digest);

CREATE TABLE manifests (
    digest        VARCHAR(135) NOT NULL PRIMARY KEY REFERENCES blobs (digest),
    media_type    VARCHAR(255) NOT NULL,
    artifact_type VARCHAR(255),
    subject       VARCHAR(135),
    annotations   TEXT,
    created_at    BIGINT       NOT NULL
);
CREATE INDEX manifests_by_subject ON manifests (subject);

CREATE TABLE manifest_references (
    manifest    VARCHAR(135) NOT NULL REFERENCES manifests (digest),
    child       VARCHAR(135) NOT NULL,
    kind        VARCHAR(8)   NOT NULL,
    PRIMARY KEY (manifest, child)
);

CREATE TABLE repository_manifests (
    registry    VARCHAR(63)  NOT NULL,
    repository  VARCHAR(255) NOT NULL,
    digest      VARCHAR(135) NOT NULL REFERENCES manifests (digest),
    created_at  BIGINT       NOT NULL,
    PRIMARY KEY (registry, repository, digest),
    FOREIGN KEY (registry, repository) REFERENCES repositories (registry, name)
);
CREATE INDEX repository_manifests_by_digest ON repository_manifests (digest);

CREATE TABLE tags (
    registry    VARCHAR(63)  NOT NULL,
    repository  VARCHAR(255) NOT NULL,
    name        VARCHAR(128) NOT NULL,
    digest      VARCHAR(135) NOT NULL REFERENCES manifests (digest),
    updated_at  BIGINT       NOT NULL,
    PRIMARY KEY (registry, repository, name),
    FOREIGN KEY (registry, repository) REFERENCES repositories (registry, name)
);

CREATE TABLE uploads (
    id          VARCHAR(36)  NOT NULL PRIMARY KEY,
    registry    VARCHAR(63)  NOT NULL,
    repository  VARCHAR(255) NOT NULL,
    started_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL
);
