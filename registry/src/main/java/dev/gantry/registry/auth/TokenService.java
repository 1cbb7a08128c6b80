package dev.gantry.registry.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.lang.JoseException;

/**
 * Registry tokens as the Docker token specification defines them: short-lived JWTs whose {@code access} claim lists
 * what they allow ({@code {"type":"repository","name":"qa/team/app","actions":["pull"]}}), granting the intersection
 * of what was asked and what the principal holds. Signed RS256 with a key made at start: a restart ends every token,
 * which their minutes-long life makes harmless.
 */
public final class TokenService {
    public static final String ISSUER = "gantry";

    private final RsaJsonWebKey key;
    private final String service;
    private final Duration ttl;
    private final JwtConsumer consumer;

    public TokenService(String service, Duration ttl) {
        this(service, ttl, newKey(), 30);
    }

    /** With a given key and clock-skew allowance (tests). */
    TokenService(String service, Duration ttl, RsaJsonWebKey key, int clockSkewSeconds) {
        this.key = key;
        this.service = service;
        this.ttl = ttl;
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds(clockSkewSeconds)
                .setExpectedIssuer(ISSUER)
                .setExpectedAudience(service)
                .setVerificationKey(key.getPublicKey())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .build();
    }

    static RsaJsonWebKey newKey() {
        try {
            RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId(UUID.randomUUID().toString());
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException("cannot make a token signing key", e);
        }
    }

    public String service() {
        return service;
    }

    public Duration ttl() {
        return ttl;
    }

    /** A token for the principal, allowing of each asked scope only what the principal holds. */
    public String issue(Principal principal, List<Scope> asked, java.util.function.Predicate<String> anonymousPull) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (Scope scope : asked) {
            Set<Action> granted;
            if ("repository".equals(scope.type())) {
                granted = principal.held(scope.registry(), scope.actions());
                if (scope.actions().contains(Action.PULL) && anonymousPull.test(scope.registry())) {
                    granted.add(Action.PULL);
                }
                granted.retainAll(EnumSet.of(Action.PULL, Action.PUSH, Action.DELETE));
            } else {
                continue; // registry:catalog:* and others: lists are filtered by the principal's grants instead
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", scope.type());
            entry.put("name", scope.name());
            entry.put("actions", granted.stream().map(Action::wire).toList());
            access.add(entry);
        }
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setAudience(service);
        claims.setSubject(principal.name());
        claims.setGeneratedJwtId();
        claims.setIssuedAtToNow();
        claims.setNotBeforeMinutesInThePast(1);
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromMilliseconds(System.currentTimeMillis()
                + ttl.toMillis()));
        claims.setClaim("access", access);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    /** What a valid token allows, by repository name; null for a forged, expired or foreign token. */
    public Verified verify(String token) {
        try {
            JwtClaims claims = consumer.processToClaims(token);
            Map<String, Set<Action>> access = new HashMap<>();
            Object raw = claims.getClaimValue("access");
            if (raw instanceof List<?> entries) {
                for (Object e : entries) {
                    if (e instanceof Map<?, ?> m && "repository".equals(m.get("type")) && m.get("name") instanceof String n
                            && m.get("actions") instanceof List<?> actions) {
                        access.computeIfAbsent(n, k -> EnumSet.noneOf(Action.class)).addAll(Action.parseAll(
                                actions.stream().map(String::valueOf).collect(Collectors.joining(","))));
                    }
                }
            }
            return new Verified(claims.getSubject(), access);
        } catch (InvalidJwtException | org.jose4j.jwt.MalformedClaimException e) {
            return null;
        }
    }

    public record Verified(String subject, Map<String, Set<Action>> access) {
        public boolean allows(String repositoryName, Action action) {
            return access.getOrDefault(repositoryName, Set.of()).contains(action);
        }
    }
}
