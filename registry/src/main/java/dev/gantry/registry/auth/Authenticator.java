package dev.gantry.registry.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.gantry.registry.storage.CredentialStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a name and secret: the bootstrap administrator from configuration, or a robot account whose secret matches
 * its bcrypt hash and which has not expired. bcrypt is slow on purpose, and containerd sends Basic credentials with
 * every request, so a verified pair is remembered briefly (by a SHA-256 of the secret, never the secret itself).
 */
public final class Authenticator {
    private static final Duration REMEMBER = Duration.ofSeconds(30);
    private static final int BCRYPT_COST = 10;

    private final CredentialStore store;
    private final String adminUser;
    private final byte[] adminPassword;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();

    private record Remembered(Principal principal, long until) {
    }

    public Authenticator(CredentialStore store, String adminUser, String adminPassword) {
        this.store = store;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword == null ? null : adminPassword.getBytes(StandardCharsets.UTF_8);
    }

    public static String hash(String secret) {
        return BCrypt.withDefaults().hashToString(BCRYPT_COST, secret.toCharArray());
    }

    /** The principal, or null when the name is unknown, the secret wrong, or the robot expired. */
    public Principal authenticate(String name, String secret) {
        if (name == null || secret == null) {
            return null;
        }
        if (adminPassword != null && name.equals(adminUser)) {
            return MessageDigest.isEqual(adminPassword, secret.getBytes(StandardCharsets.UTF_8)) ? admin() : null;
        }
        String key = name + ":" + sha256(secret);
        Remembered remembered = verified.get(key);
        long now = System.currentTimeMillis();
        if (remembered != null && remembered.until() > now) {
            return remembered.principal();
        }
        CredentialStore.Robot robot = store.find(name);
        if (robot == null || (robot.expiresAt() != null && robot.expiresAt() <= now)) {
            verified.remove(key);
            return null;
        }
        long until = now + REMEMBER.toMillis();
        if (!matches(secret, robot.secretHash())) {
            boolean previous = robot.previousSecretHash() != null && robot.previousValidUntil() != null
                    && robot.previousValidUntil() > now && matches(secret, robot.previousSecretHash());
            if (!previous) {
                verified.remove(key);
                return null;
            }
            until = Math.min(until, robot.previousValidUntil());
        }
        Principal principal = principal(robot);
        if (robot.expiresAt() != null) {
            until = Math.min(until, robot.expiresAt());
        }
        verified.put(key, new Remembered(principal, until));
        return principal;
    }

    private static boolean matches(String secret, String hash) {
        return BCrypt.verifyer().verify(secret.toCharArray(), hash).verified;
    }

    /** The principal a token's subject names, for filtering lists; null when it no longer exists. */
    public Principal lookup(String name) {
        if (adminPassword != null && name.equals(adminUser)) {
            return admin();
        }
        CredentialStore.Robot robot = store.find(name);
        if (robot == null || (robot.expiresAt() != null && robot.expiresAt() <= System.currentTimeMillis())) {
            return null;
        }
        return principal(robot);
    }

    /** Forgets remembered verifications of a robot (it was revoked or rotated). */
    public void forget(String name) {
        verified.keySet().removeIf(k -> k.startsWith(name + ":"));
    }

    private Principal admin() {
        return new Principal(adminUser, List.of(new Grant("*", EnumSet.allOf(Action.class))));
    }

    private static Principal principal(CredentialStore.Robot robot) {
        List<Grant> grants = new ArrayList<>();
        for (CredentialStore.StoredGrant g : robot.grants()) {
            grants.add(new Grant(g.registry(), Action.parseAll(g.actions())));
        }
        return new Principal(robot.name(), grants);
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
