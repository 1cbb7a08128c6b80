-- Robot accounts (secrets stored as bcrypt hashes) and what they may do, per registry name or glob.

CREATE TABLE robots (
    name         VARCHAR(255) NOT NULL PRIMARY KEY,
    secret_hash  VARCHAR(255) NOT NULL,
    expires_at   BIGINT,
    created_at   BIGINT       NOT NULL
);

CREATE TABLE grants (
    robot        VARCHAR(255) NOT NULL REFERENCES robots (name),
    registry     VARCHAR(255) NOT NULL,
    actions      VARCHAR(255) NOT NULL,
    PRIMARY KEY (robot, registry)
);
