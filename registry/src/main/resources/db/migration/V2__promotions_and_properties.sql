-- Promotion records (what, from where, to where, when, by whom) and manifest properties.

CREATE TABLE promotions (
    id           VARCHAR(253) NOT NULL PRIMARY KEY,
    repository   VARCHAR(255) NOT NULL,
    source       VARCHAR(63)  NOT NULL,
    target       VARCHAR(63)  NOT NULL,
    digest       VARCHAR(135) NOT NULL,
    tags         TEXT         NOT NULL,
    actor        VARCHAR(255) NOT NULL,
    promoted_at  BIGINT       NOT NULL
);
CREATE INDEX promotions_by_target ON promotions (target, repository, promoted_at);
CREATE INDEX promotions_by_digest ON promotions (digest, promoted_at);

CREATE TABLE properties (
    registry    VARCHAR(63)  NOT NULL,
    repository  VARCHAR(255) NOT NULL,
    digest      VARCHAR(135) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    value       TEXT         NOT NULL,
    updated_at  BIGINT       NOT NULL,
    PRIMARY KEY (registry, repository, digest, name),
    FOREIGN KEY (registry, repository) REFERENCES repositories (registry, name)
);
